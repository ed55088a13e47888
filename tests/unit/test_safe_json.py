"""`safe_json.loads`: the same values as `json.loads`, and TooDeep past the depth limit,
found in one linear scan that skips brackets inside strings."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib import safe_json

TRICKY_TEXT = st.text(alphabet='[]{}"\\ ab\n\u017c', max_size=12)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY_TEXT,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(TRICKY_TEXT, children, max_size=3)
    ),
    max_leaves=40,
)


def depth(value: object) -> int:
    """How many arrays and objects `value` opens at once."""
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


@given(value=VALUES, limit=st.integers(min_value=0, max_value=8))
def test_parses_like_json_or_refuses_exactly_past_the_limit(value, limit):
    text = json.dumps(value, ensure_ascii=False)
    if depth(value) > limit:
        with pytest.raises(safe_json.TooDeep):
            safe_json.loads(text, max_depth=limit)
    else:
        assert safe_json.loads(text, max_depth=limit) == value
        assert safe_json.loads(text.encode("utf-8"), max_depth=limit) == value


def test_the_default_limit_is_32_levels():
    assert safe_json.loads("[" * 32 + "]" * 32) == json.loads("[" * 32 + "]" * 32)
    with pytest.raises(safe_json.TooDeep):
        safe_json.loads("[" * 33 + "]" * 33)
    assert issubclass(safe_json.TooDeep, ValueError)


def test_brackets_inside_strings_do_not_count():
    text = '{"a": "' + "[{" * 100 + '\\"[[", "b": ["\\\\"]}'
    assert safe_json.loads(text, max_depth=2) == {"a": "[{" * 100 + '"[[', "b": ["\\"]}


@pytest.mark.parametrize(
    "text",
    [b"\xff[]", b'"\\"' + b"[" * 50, b"[" * 10, b"]]]", b'{"a": 1' + b"0" * 5000 + b"}"],
)
def test_every_failure_is_a_value_error(text):
    with pytest.raises(ValueError, match=r".") as caught:
        safe_json.loads(text, max_depth=64)
    assert not isinstance(caught.value, safe_json.TooDeep)


def test_hostile_documents_cost_one_pass():
    """Bodies of the size a request may have (64 KiB) made of brackets, or of strings that
    never close, take milliseconds: no recursion, no quadratic search (each a 50x margin)."""
    size = 64 * 1024
    for unit in ("[", '"\\"[', '["\\"', "{" * 20 + '"' + '\\"[' * 5):
        text = unit * (size // len(unit))
        started = time.perf_counter()
        with pytest.raises(ValueError, match=r"."):
            safe_json.loads(text)
        assert time.perf_counter() - started < 1.0, unit
