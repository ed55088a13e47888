"""Opaque cursors for lists paginated in memory after one Query."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from chalicelib.domain.errors import InvalidInput

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def encode_cursor(position: str) -> str:
    """A cursor for "after `position`"."""
    return base64.urlsafe_b64encode(position.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The position a cursor stands for; InvalidInput if it is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise InvalidInput(fields={"cursor": "Nieprawidłowy kursor strony."}) from exc


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and the cursor of the next (None on the last page)."""

    items: list[T]
    next_cursor: str | None


def paginate(
    ordered: Sequence[T], position: Callable[[T], str], cursor: str | None, limit: int
) -> Page[T]:
    """The `limit` items after the cursor's position in the already ordered sequence."""
    start = 0
    if cursor:
        after = decode_cursor(cursor)
        keys = [position(item) for item in ordered]
        if after not in keys:
            raise InvalidInput(fields={"cursor": "Nieprawidłowy kursor strony."})
        start = keys.index(after) + 1
    chunk = list(ordered[start : start + limit])
    more = start + limit < len(ordered)
    return Page(chunk, encode_cursor(position(chunk[-1])) if more and chunk else None)
