"""JSON parsing with bounded nesting. `json.loads` recurses once per `[` or `{`, so a deeply
nested document ends in a RecursionError (or worse) instead of a parse error; `loads`
measures the depth in one linear scan first and refuses such a document with `TooDeep`.

Used for request bodies (`http/endpoint.parse_body`) and billing import lines."""

from __future__ import annotations

import json
import re

MAX_DEPTH = 32

# The next character that matters to nesting: a bracket or the start of a string.
_STRUCTURE = re.compile(r'["\[\]{}]')
# The rest of a string after its opening quote, up to and including its closing quote.
# Possessive, so a string that never closes costs one pass, not a backtracking search.
_STRING_REST = re.compile(r'[^"\\]*+(?:\\.[^"\\]*+)*+"', re.DOTALL)


class TooDeep(ValueError):
    """The document nests arrays and objects deeper than allowed."""

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        super().__init__(f"JSON nested deeper than {max_depth} levels")


def depth_exceeds(text: str, max_depth: int) -> bool:
    """True if `text` opens more than `max_depth` arrays or objects at once (outside strings).
    Linear in the length of `text`; it does not validate the rest of the syntax."""
    if text.count("[") + text.count("{") <= max_depth:
        return False  # cannot nest deeper than it has brackets
    depth = 0
    position = 0
    search = _STRUCTURE.search
    string_rest = _STRING_REST.match
    while (found := search(text, position)) is not None:
        char = found.group()
        position = found.end()
        if char == '"':
            closed = string_rest(text, position)
            if closed is None:
                return False  # an unterminated string: json.loads stops there with its error
            position = closed.end()
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> object:
    """Parse JSON (bytes as UTF-8) like `json.loads`; `TooDeep` if nested deeper than
    `max_depth`. Every failure is a ValueError (JSONDecodeError, UnicodeDecodeError, TooDeep)."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8")
    if depth_exceeds(text, max_depth):
        raise TooDeep(max_depth)
    return json.loads(text)
