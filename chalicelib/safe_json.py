"""JSON from outside with bounded nesting: the depth is checked by a linear scan before
`json.loads`, whose recursion a deeply nested document would otherwise exhaust."""

from __future__ import annotations

import json
import re

# A whole JSON string (escapes honoured), or one bracket outside strings. An unclosed string
# runs to the end (closing quote optional, possessive loops): every match succeeds where it
# starts, so the scan never backtracks and stays linear.
_PATTERN = r'"[^"\\]*+(?:\\.[^"\\]*+)*+"?|[\[\]{}]'
_TOKENS = re.compile(_PATTERN, re.DOTALL)
_TOKENS_BYTES = re.compile(_PATTERN.encode(), re.DOTALL)
_OPENING = frozenset(("[", "{", ord("["), ord("{")))
_CLOSING = frozenset(("]", "}", ord("]"), ord("}")))


class TooDeep(ValueError):
    """A JSON document nested deeper than allowed."""


def depth(text: str | bytes) -> int:
    """The deepest nesting of `[` and `{` outside JSON strings (a linear scan)."""
    tokens = _TOKENS_BYTES if isinstance(text, bytes | bytearray) else _TOKENS
    deepest = level = 0
    for match in tokens.finditer(text):
        mark = match.group()[0]
        if mark in _OPENING:
            level += 1
            deepest = max(deepest, level)
        elif mark in _CLOSING:
            level = max(level - 1, 0)
        # else a string: its brackets are text
    return deepest


def loads(text: str | bytes, *, max_depth: int = 32) -> object:
    """`json.loads(text)`, or TooDeep if it nests arrays and objects deeper than
    `max_depth`."""
    if depth(text) > max_depth:
        raise TooDeep(f"JSON nested deeper than {max_depth} levels")
    return json.loads(text)
