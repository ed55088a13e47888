"""Bodies of the billing system's integration routes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from chalicelib.domain.meters import reading_id
from chalicelib.schemas.base import Schema, Strict
from chalicelib.volume import format_m3

if TYPE_CHECKING:
    from chalicelib.domain import meters
    from chalicelib.domain.records import Reading


class FeedQuery(Strict):
    """Where to continue the feed."""

    cursor: str | None = Field(None, max_length=400, description="next_cursor poprzedniej strony.")
    limit: int = Field(200, ge=1, le=1000)


class SubmittedReadingOut(Schema):
    """A customer reading as the billing system needs it."""

    reading_id: str = Field(description="Stały identyfikator: klient/wodomierz/data.")
    customer_number: str
    meter: str
    date: str
    value_m3: str
    submitted_at: str
    confirmed_unusual: bool
    photo_key: str | None
    exported_at: str | None

    @classmethod
    def from_reading(cls, reading: Reading) -> SubmittedReadingOut:
        """The body of one customer reading."""
        return cls(
            reading_id=reading_id(reading),
            customer_number=reading.customer_number,
            meter=reading.meter,
            date=reading.date.isoformat(),
            value_m3=format_m3(reading.value),
            submitted_at=reading.submitted_at.isoformat() if reading.submitted_at else "",
            confirmed_unusual=reading.confirmed_unusual,
            photo_key=reading.photo_key,
            exported_at=reading.exported_at.isoformat() if reading.exported_at else None,
        )


class ReadingFeed(Schema):
    """Customer readings in submission order. A reading replaced the same day appears again
    later with its new value (same reading_id)."""

    items: list[SubmittedReadingOut]
    next_cursor: str | None

    @classmethod
    def from_result(cls, feed: meters.ReadingFeed) -> ReadingFeed:
        """The body of one page of the feed."""
        return cls(
            items=[SubmittedReadingOut.from_reading(r) for r in feed.items],
            next_cursor=feed.next_cursor,
        )
