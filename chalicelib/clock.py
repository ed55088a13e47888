"""The current time, in one place so tests can move it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")

_offset_seconds: float = 0.0


def now() -> datetime:
    """Return the current UTC time (shifted by `travel` in tests)."""
    current = datetime.now(UTC)
    if _offset_seconds:
        current += timedelta(seconds=_offset_seconds)
    return current


def travel(seconds: float) -> None:
    """Move the clock forward by `seconds` (tests only)."""
    global _offset_seconds
    _offset_seconds += seconds


def reset() -> None:
    """Put the clock back to real time."""
    global _offset_seconds
    _offset_seconds = 0.0


def today() -> date:
    """Today in Poland."""
    return to_warsaw(now()).date()


def to_warsaw(moment: datetime) -> datetime:
    """Show a stored UTC time in Europe/Warsaw."""
    return moment.astimezone(WARSAW)


def travel_to(moment: datetime) -> None:
    """Set the clock to `moment` (tests only); it keeps running from there."""
    global _offset_seconds
    _offset_seconds = (moment - datetime.now(UTC)).total_seconds()
