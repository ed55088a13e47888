"""The billing system's feed of customer readings, in submission order, from a cursor."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.meters import ReadingFeed
from chalicelib.paging import decode_cursor, encode_cursor
from chalicelib.schemas.integration import FeedQuery
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.storage import readings as store

FIRST_MONTH = "2026-01"
MAX_MONTHS = 240


def _months(start: str, end: str) -> list[str]:
    year, month = int(start[:4]), int(start[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= end and len(months) < MAX_MONTHS:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _position(cursor: str) -> str:
    """The submission order a cursor stands for; InvalidInput for anything else, so a damaged
    cursor is refused instead of silently replaying the feed from its beginning."""
    after = decode_cursor(cursor)
    try:
        moment: datetime | None = datetime.fromisoformat(after.split("#", 1)[0])
    except ValueError:
        moment = None
    if moment is None or not after.startswith(moment.strftime("%Y-%m-")):
        raise InvalidInput(fields={"cursor": "Nieprawidłowy kursor strony."})
    return after


def reading_feed(query: FeedQuery, deps: Collaborators | None = None) -> ReadingFeed:
    """Up to `limit` customer readings submitted after the cursor."""
    deps = deps or current()
    after = _position(query.cursor) if query.cursor else ""
    start = after[:7] if after else FIRST_MONTH
    months = _months(start, deps.clock.now().strftime("%Y-%m"))
    found = store.submitted_after(after, months, query.limit)
    last = found.last_order
    return ReadingFeed(items=found.readings, next_cursor=encode_cursor(last) if last else None)
