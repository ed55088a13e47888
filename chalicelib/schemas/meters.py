"""Bodies of meters and readings. Volumes are strings in m³ with three decimals."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from chalicelib.schemas.base import Schema, Strict
from chalicelib.schemas.fields import Litres
from chalicelib.volume import format_m3

if TYPE_CHECKING:
    from chalicelib.domain import meters

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

    @classmethod
    def from_result(cls, view: meters.MeterView) -> MeterOut:
        """The body of one meter."""
        meter, last, certification = view.meter, view.last_reading, view.certification
        return cls(
            id=meter.serial,
            serial=meter.serial,
            kind=meter.kind,
            location=meter.location,
            status=meter.status,
            installed_on=meter.installed_on,
            removed_on=meter.removed_on,
            seal=meter.seal,
            certification=Certification(
                valid_until=certification.valid_until,
                state=certification.state,
                days_left=certification.days_left,
            ),
            attention=view.attention,
            last_reading=LastReading(
                date=last.date, value=format_m3(last.value), source=last.source
            )
            if last
            else None,
            accepts_readings=view.accepts_readings,
        )


class MeterList(Schema):
    """The customer's meters: active first."""

    items: list[MeterOut]

    @classmethod
    def from_result(cls, views: list[meters.MeterView]) -> MeterList:
        """The body of the customer's meters."""
        return cls(items=[MeterOut.from_result(view) for view in views])


class ReadingOut(Schema):
    """A reading with the use since the previous one of the same meter."""

    date: dt.date
    value: str
    source: Literal["billing", "collector", "customer", "estimate"]
    consumption: str | None = Field(description="m³ od poprzedniego odczytu.")
    days: int | None
    daily_average: str | None
    confirmed_unusual: bool = False

    @classmethod
    def from_result(cls, use: meters.ReadingUse) -> ReadingOut:
        """The body of one reading with its use."""
        reading, days = use.reading, use.days
        litres = use.litres if days else None
        return cls(
            date=reading.date,
            value=format_m3(reading.value),
            source=reading.source,
            consumption=format_m3(litres) if litres is not None else None,
            days=days or None,
            daily_average=format_m3(litres // days) if litres is not None and days else None,
            confirmed_unusual=reading.confirmed_unusual,
        )


class ReadingHistory(Schema):
    """A page of one meter's readings, newest first."""

    meter: MeterOut
    items: list[ReadingOut]
    next_cursor: str | None

    @classmethod
    def from_result(cls, page: meters.ReadingPage) -> ReadingHistory:
        """The body of one page of a meter's readings."""
        return cls(
            meter=MeterOut.from_result(page.meter),
            items=[ReadingOut.from_result(use) for use in page.items],
            next_cursor=page.next_cursor,
        )


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

    @classmethod
    def from_result(cls, submitted: meters.Submitted) -> SubmittedReading:
        """The body of an accepted reading."""
        upload = submitted.photo_upload
        return cls(
            reading=ReadingOut.from_result(submitted.use),
            replaced=submitted.replaced,
            photo_upload=PhotoUpload(
                url=upload.url, fields=upload.fields, expires_at=upload.expires_at.isoformat()
            )
            if upload
            else None,
        )
