"""A customer's meters as the portal shows them: certification, the use between readings,
and what a submission returns.

- A certification (legalizacja) needs attention from 90 days before it ends; an active
  meter whose certification expires or has expired is flagged.
- The use of a reading is the rise of the counter since the previous reading of an earlier
  day (the installation counts as the first); a reading of the same day has none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from chalicelib.domain.readings import MeterStatus
from chalicelib.domain.records import Meter, Reading

ATTENTION_DAYS = 90

CertificationState = Literal["valid", "expiring", "expired", "unknown"]


@dataclass(frozen=True)
class Certification:
    """The meter's certification on a day."""

    valid_until: dt.date | None
    state: CertificationState
    days_left: int | None


def certification(certified_until: dt.date | None, today: dt.date) -> Certification:
    """The state of a certification valid until `certified_until` (None: not known)."""
    if certified_until is None:
        return Certification(valid_until=None, state="unknown", days_left=None)
    left = (certified_until - today).days
    state: CertificationState = (
        "expired" if left < 0 else "expiring" if left <= ATTENTION_DAYS else "valid"
    )
    return Certification(valid_until=certified_until, state=state, days_left=left)


@dataclass(frozen=True)
class MeterView:
    """A meter with its certification and its newest reading."""

    meter: Meter
    certification: Certification
    last_reading: Reading | None

    @property
    def accepts_readings(self) -> bool:
        """Only an active meter takes readings."""
        return self.meter.status == MeterStatus.ACTIVE

    @property
    def attention(self) -> bool:
        """An active meter whose certification expires soon or has expired."""
        return self.accepts_readings and self.certification.state in ("expiring", "expired")


@dataclass(frozen=True)
class MeterHistory:
    """One meter, its readings (in no particular order) and the version of its submission
    state (None: no customer reading submitted yet)."""

    meter: Meter
    readings: list[Reading]
    version: int | None


@dataclass(frozen=True)
class ReadingUse:
    """A reading and the use since the previous one: litres over days (both None when there
    is no earlier day to measure from)."""

    reading: Reading
    litres: int | None = None
    days: int | None = None


def use_since(reading: Reading, previous_on: dt.date, previous_litres: int) -> ReadingUse:
    """`reading` with the use since a counter of `previous_litres` on `previous_on`."""
    days = (reading.date - previous_on).days
    if days <= 0:
        return ReadingUse(reading)
    return ReadingUse(reading, reading.value - previous_litres, days)


@dataclass(frozen=True)
class ReadingPage:
    """One page of a meter's readings, newest first."""

    meter: MeterView
    items: list[ReadingUse]
    next_cursor: str | None


@dataclass(frozen=True)
class PhotoUpload:
    """Where to POST a reading's photo (every field, then the file) and until when."""

    url: str
    fields: dict[str, str]
    expires_at: dt.datetime


@dataclass(frozen=True)
class Submitted:
    """An accepted customer reading."""

    use: ReadingUse
    replaced: bool  # it replaced the customer's earlier reading of the same day
    photo_upload: PhotoUpload | None


@dataclass(frozen=True)
class ReadingFeed:
    """Customer readings in submission order and the cursor to continue from (None before
    the first submission)."""

    items: list[Reading]
    next_cursor: str | None


def reading_id(reading: Reading) -> str:
    """A stable id of a customer reading (customer, meter, day)."""
    return f"{reading.customer_number}/{reading.meter}/{reading.date.isoformat()}"


def certification_notice(serial: str, certification: Certification) -> str:
    """What the customer reads about a meter whose certification needs attention."""
    until = certification.valid_until.strftime("%d.%m.%Y") if certification.valid_until else ""
    if certification.state == "expired":
        return (
            f"Legalizacja wodomierza {serial} wygasła {until}. "
            "Skontaktuj się z nami, aby umówić wymianę wodomierza."
        )
    return (
        f"Legalizacja wodomierza {serial} wygasa {until}. "
        "Skontaktujemy się, aby umówić wymianę wodomierza."
    )
