"""The billing system's feed of customer readings, in submission order, from a cursor."""

from __future__ import annotations

from datetime import datetime

from chalicelib import clock
from chalicelib.domain.errors import InvalidInput
from chalicelib.jobs.export_readings import reading_id
from chalicelib.models.meters import ReadingRecord
from chalicelib.paging import decode_cursor, encode_cursor
from chalicelib.schemas.integration import FeedQuery, ReadingFeed, SubmittedReadingOut
from chalicelib.volume import format_m3

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


def reading_feed(query: FeedQuery) -> ReadingFeed:
    """Up to `limit` customer readings submitted after the cursor."""
    after = _position(query.cursor) if query.cursor else ""
    start = after[:7] if after else FIRST_MONTH
    keys: list[tuple[str, str]] = []
    last_order = after
    for month in _months(start, clock.now().strftime("%Y-%m")):
        condition = ReadingRecord.submission_order > after if after else None
        for key in ReadingRecord.submissions.query(
            f"READINGS#{month}", range_key_condition=condition, limit=query.limit - len(keys)
        ):
            keys.append((key.pk, key.sk))
            last_order = key.submission_order
            if len(keys) >= query.limit:
                break
        if len(keys) >= query.limit:
            break
    items = {(i.pk, i.sk): i for i in ReadingRecord.batch_get(keys)} if keys else {}
    out = []
    for key in keys:
        item = items.get(key)
        if item is None:
            continue
        out.append(
            SubmittedReadingOut(
                reading_id=reading_id(item),
                customer_number=item.pk.removeprefix("CUSTOMER#"),
                meter=item.serial,
                date=item.read_on,
                value_m3=format_m3(int(item.litres)),
                submitted_at=item.submitted_at or "",
                confirmed_unusual=bool(item.confirmed_unusual),
                photo_key=item.photo_key,
                exported_at=item.exported_at,
            )
        )
    return ReadingFeed(items=out, next_cursor=encode_cursor(last_order) if last_order else None)
