"""Bodies of meters and readings. Volumes are strings in m³ with three decimals."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from chalicelib.schemas.base import Schema, Strict
from chalicelib.schemas.fields import Litres

PHOTO_TYPES = ("image/jpeg", "image/png", "image/heic")
MAX_PHOTO_BYTES = 10 * 1024 * 1024


class Certification(Schema):
    """The meter's certification (legalizacja)."""

    valid_until: dt.date | None
    state: Literal["valid", "expiring", "expired", "unknown"]
    days_left: int | None


class LastReading(Schema):
    """The newest reading of a meter."""

    date: dt.date
    value: str
    source: str


class MeterOut(Schema):
    """A meter and its state."""

    id: str
    serial: str
    kind: Literal["main", "garden", "other"]
    location: str | None
    status: Literal["active", "removed", "faulty"]
    installed_on: dt.date
    removed_on: dt.date | None
    seal: str | None
    certification: Certification
    attention: bool = Field(description="Legalizacja wygasła lub wygasa w ciągu 90 dni.")
    last_reading: LastReading | None
    accepts_readings: bool


class MeterList(Schema):
    """The customer's meters: active first."""

    items: list[MeterOut]


class ReadingOut(Schema):
    """A reading with the use since the previous one of the same meter."""

    date: dt.date
    value: str
    source: Literal["billing", "collector", "customer", "estimate"]
    consumption: str | None = Field(description="m³ od poprzedniego odczytu.")
    days: int | None
    daily_average: str | None
    confirmed_unusual: bool = False


class ReadingHistory(Schema):
    """A page of one meter's readings, newest first."""

    meter: MeterOut
    items: list[ReadingOut]
    next_cursor: str | None


class PhotoRequest(Strict):
    """The photo the customer wants to attach."""

    content_type: Literal["image/jpeg", "image/png", "image/heic"]
    size: int = Field(ge=1, le=MAX_PHOTO_BYTES, description="Rozmiar w bajtach (do 10 MB).")


class ReadingSubmission(Strict):
    """A customer's reading: value in m³ ("123,456"), date (default today)."""

    value: Litres
    date: dt.date | None = None
    confirm: bool = Field(False, description="Potwierdzam nietypowo wysokie zużycie.")
    photo: PhotoRequest | None = None


class PhotoUpload(Schema):
    """Where to POST the photo (multipart form: every field, then `file`)."""

    url: str
    fields: dict[str, str]
    expires_at: str


class SubmittedReading(Schema):
    """The accepted reading."""

    reading: ReadingOut
    replaced: bool = Field(description="Zastąpił wcześniejszy odczyt z tego dnia.")
    photo_upload: PhotoUpload | None
