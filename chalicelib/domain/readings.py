"""Rules of a customer's meter reading, as plain Python over the meter's history.

- Only an active meter takes readings.
- The date defaults to today, is not in the future and not before the meter's last reading.
- The value is never below the previous reading (nor the counter at installation).
- Plausibility: daily use since the previous reading above `multiple` × the meter's own
  average daily use, or above an absolute cap, needs the customer's confirmation.
- One customer reading per meter per day: a second replaces the first until it is exported.
- An optional monthly window (e.g. days 20–31); outside it the answer says when it opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.formatting import volume_pl


class MeterStatus(StrEnum):
    """A meter's state as the billing system sends it; only an active one takes readings."""

    ACTIVE = "active"
    REMOVED = "removed"
    FAULTY = "faulty"


class ExportState(StrEnum):
    """Where a customer reading is on its way to the billing system (absent once exported)."""

    PENDING = "pending"  # waiting for the next export run; may still be replaced
    CLAIMED = "claimed"  # taken by an export run


# Sources of a reading, in the order readings of one day follow each other in a history
# (and the order the import's latest-reading guard moves by).
SOURCES = ("billing", "collector", "customer", "estimate")


def source_rank(source: str) -> int:
    """Position of `source` among the readings of one day; an unknown source goes last."""
    return SOURCES.index(source) if source in SOURCES else len(SOURCES)


def reading_order(read_on: str, source: str) -> tuple[str, int]:
    """Sort key of readings: by date (ISO text), then by source."""
    return read_on, source_rank(source)


class WindowClosed(Conflict):
    """Readings are accepted only in the monthly window."""

    code = "reading_window_closed"


class MeterInactive(Conflict):
    """The meter is removed or faulty."""

    code = "meter_inactive"


class UnusualReading(Conflict):
    """The use looks implausible: the customer may confirm it."""

    code = "reading_unusual"


class AlreadyExported(Conflict):
    """Today's reading has already gone to the billing system."""

    code = "reading_exported"


@dataclass(frozen=True)
class PastReading:
    """A reading in the meter's history."""

    read_on: date
    litres: int
    source: str
    exported: bool = False


@dataclass(frozen=True)
class Window:
    """Days of the month when readings are accepted (inclusive)."""

    first_day: int
    last_day: int

    @classmethod
    def parse(cls, text: str) -> Window | None:
        """ "20-31" -> Window(20, 31); "" -> None (always open)."""
        text = text.strip()
        if not text:
            return None
        first, _, last = text.partition("-")
        window = cls(int(first), int(last or first))
        if not 1 <= window.first_day <= window.last_day <= 31:
            raise ValueError(f"invalid READING_WINDOW {text!r}")
        return window

    def is_open(self, day: date) -> bool:
        """Whether readings are accepted on `day` (a short month closes on its last day)."""
        return self.first_day <= day.day <= self.last_day

    def opens_on(self, day: date) -> bool:
        """Whether `day` is the window's first day in its month.

        >>> Window(25, 31).opens_on(date(2026, 11, 25)), Window(25, 31).opens_on(date(2026, 11, 26))
        (True, False)
        """
        return day.day == self.first_day

    def closes_on(self, day: date) -> date:
        """The window's last day in `day`'s month (a short month closes on its last day).

        >>> Window(25, 31).closes_on(date(2026, 11, 25))
        datetime.date(2026, 11, 30)
        """
        month_end = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return day.replace(day=min(self.last_day, month_end.day))

    def next_opening(self, day: date) -> date:
        """The first day on or after `day` when the window is open."""
        candidate = day
        for _ in range(62):
            if self.is_open(candidate):
                return candidate
            candidate += timedelta(days=1)
        raise ValueError("window never opens")


@dataclass(frozen=True)
class Limits:
    """Plausibility limits."""

    multiple: int  # × the meter's average daily use
    max_daily_litres: int  # absolute cap


@dataclass(frozen=True)
class Accepted:
    """A reading that passed every rule."""

    read_on: date
    litres: int
    previous: PastReading | None
    replaces_today: bool
    unusual: bool


def _pl_date(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def check_window(window: Window | None, today: date) -> None:
    """WindowClosed outside the window, saying when it opens."""
    if window is not None and not window.is_open(today):
        opens = window.next_opening(today)
        raise WindowClosed(
            f"Odczyty przyjmujemy od {window.first_day}. do {window.last_day}. dnia miesiąca. "
            f"Najbliższy termin zaczyna się {_pl_date(opens)}."
        )


def average_daily(history: list[PastReading]) -> tuple[int, int] | None:
    """(litres, days) from the first to the last reading, or None with under a week."""
    if len(history) < 2:
        return None
    first, last = history[0], history[-1]
    days = (last.read_on - first.read_on).days
    if days < 7:
        return None
    return last.litres - first.litres, days


def check(
    *,
    active: bool,
    installed_on: date,
    initial_litres: int,
    history: list[PastReading],
    read_on: date,
    litres: int,
    today: date,
    limits: Limits,
    confirmed: bool,
) -> Accepted:
    """Apply every rule to a new customer reading of one meter; `history` is the meter's
    readings in date order. Raises a DomainError with a Polish message."""
    if not active:
        raise MeterInactive("Ten wodomierz nie jest aktywny — nie przyjmujemy dla niego odczytów.")
    if read_on > today:
        raise InvalidInput(fields={"date": "Data odczytu nie może być z przyszłości."})
    if read_on < installed_on:
        raise InvalidInput(fields={"date": "Data odczytu jest wcześniejsza niż montaż wodomierza."})
    same_day = [r for r in history if r.read_on == read_on and r.source == "customer"]
    if same_day and same_day[0].exported:
        raise AlreadyExported(
            "Odczyt z tego dnia został już przekazany do rozliczenia; podaj go jutro."
        )
    earlier = [r for r in history if not (r.read_on == read_on and r.source == "customer")]
    if earlier and read_on < earlier[-1].read_on:
        raise InvalidInput(
            fields={
                "date": "Data odczytu nie może być wcześniejsza niż ostatni odczyt "
                f"({_pl_date(earlier[-1].read_on)})."
            }
        )
    previous = earlier[-1] if earlier else None
    floor = previous.litres if previous else initial_litres
    if litres < floor:
        since = f" z {_pl_date(previous.read_on)}" if previous else " przy montażu"
        raise InvalidInput(
            fields={
                "value": f"Stan licznika nie może być niższy niż poprzedni ({volume_pl(floor)}"
                f"{since})."
            }
        )
    unusual = _is_unusual(earlier, previous, installed_on, read_on, litres - floor, limits)
    if unusual and not confirmed:
        days = max(1, (read_on - (previous.read_on if previous else installed_on)).days)
        raise UnusualReading(
            f"Zużycie {volume_pl((litres - floor) // days)} na dobę jest znacznie wyższe niż "
            "zwykle. Sprawdź stan licznika; jeśli jest poprawny, potwierdź go i wyślij odczyt "
            "ponownie."
        )
    return Accepted(read_on, litres, previous, bool(same_day), unusual)


def _is_unusual(
    earlier: list[PastReading],
    previous: PastReading | None,
    installed_on: date,
    read_on: date,
    used: int,
    limits: Limits,
) -> bool:
    start = previous.read_on if previous else installed_on
    days = max(1, (read_on - start).days)
    if used > limits.max_daily_litres * days:
        return True
    average = average_daily(earlier)
    if average is None or average[0] <= 0:
        return False
    # used / days > multiple × avg_litres / avg_days, in integers.
    return used * average[1] > limits.multiple * average[0] * days
