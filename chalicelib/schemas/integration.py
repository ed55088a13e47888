"""Bodies of the billing system's integration routes."""

from __future__ import annotations

from pydantic import Field

from chalicelib.schemas.base import Schema, Strict


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


class ReadingFeed(Schema):
    """Customer readings in submission order. A reading replaced the same day appears again
    later with its new value (same reading_id)."""

    items: list[SubmittedReadingOut]
    next_cursor: str | None
