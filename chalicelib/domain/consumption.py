"""Water consumption from meter readings, as plain Python.

- A meter's counter is known at its installation (initial value) and at each reading; on a
  day with several readings the most reliable source wins (billing, collector, customer,
  estimate). Between two known points the counter is taken to rise linearly by days, so a
  gap between readings is spread evenly over its days. Intervals never cross meters: a
  replaced meter ends at its last reading and the new one starts from its own counter.
- The volume of a period is the rise of the counter over the period's days (cumulative
  values rounded to whole litres), so the periods of an interval add up to it exactly.
  Days beyond the last reading are not estimated: such a period is marked incomplete.
- Main and other meters make the water use; garden sub-meters are shown separately (their
  water is not discharged to the sewer).
- Billing periods run between consecutive billing readings of the main meters.
- The customer's average is over all their history; the same period a year earlier is
  given when readings cover any of it.
- A leak is suspected when daily use between the last two readings of an active main
  meter is over `multiple` × the use before it and over a small floor.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from chalicelib.domain.readings import source_rank

LEAK_MULTIPLE = 3
LEAK_FLOOR_LITRES_PER_DAY = 300
LEAK_MIN_HISTORY_DAYS = 60


@dataclass(frozen=True)
class Meter:
    """A meter as consumption needs it."""

    serial: str
    kind: str  # main | garden | other
    installed_on: date
    initial_litres: int = 0
    active: bool = True


@dataclass(frozen=True)
class Reading:
    """A reading as consumption needs it."""

    serial: str
    on: date
    litres: int
    source: str


@dataclass(frozen=True)
class Interval:
    """The counter of one meter rising from `start` to `end` (days [start, end))."""

    serial: str
    kind: str
    start: date
    end: date
    litres: int
    from_reading: bool  # starts at a reading (not at installation)

    @property
    def days(self) -> int:
        """Length in days."""
        return (self.end - self.start).days

    def used_between(self, first: date, last_exclusive: date) -> int:
        """Litres of this interval falling on days [first, last_exclusive)."""
        lo, hi = max(first, self.start), min(last_exclusive, self.end)
        if hi <= lo:
            return 0

        # Cumulative values rounded (half up) to litres: adjacent periods add up exactly.
        def at(day: date) -> int:
            elapsed = (day - self.start).days
            return (2 * self.litres * elapsed + self.days) // (2 * self.days)

        return at(hi) - at(lo)


@dataclass(frozen=True)
class Usage:
    """Use over a span of days."""

    water: int
    garden: int
    covered_days: int  # days of the span some main/other meter interval covers
    days: int

    @property
    def complete(self) -> bool:
        """Whether readings cover every day."""
        return self.covered_days >= self.days


@dataclass(frozen=True)
class Leak:
    """The leak check of one meter."""

    serial: str
    suspected: bool
    last_daily: Fraction
    usual_daily: Fraction | None


@dataclass(frozen=True)
class PeriodUse:
    """Use in one period and, when readings cover any of it, the same period a year
    earlier."""

    start: date
    end: date
    usage: Usage
    year_before_start: date
    year_before_end: date
    year_before: Usage | None


@dataclass(frozen=True)
class Consumption:
    """Use per period over a range, the customer's average daily use over all their
    history (None without one) and the leak check of each main meter."""

    date_from: date
    date_to: date
    period: str
    periods: list[PeriodUse]
    total: Usage | None  # None for an empty range
    average_daily: Fraction | None
    leaks: list[Leak]

    @property
    def leak_suspected(self) -> bool:
        """Whether any meter is suspected of a leak."""
        return any(leak.suspected for leak in self.leaks)


def intervals(meters: list[Meter], readings: list[Reading]) -> list[Interval]:
    """Every interval of every meter, per meter in date order."""
    by_meter: dict[str, dict[date, Reading]] = {}
    for reading in readings:
        days = by_meter.setdefault(reading.serial, {})
        known = days.get(reading.on)
        if known is None or source_rank(reading.source) < source_rank(known.source):
            days[reading.on] = reading
    result = []
    for meter in meters:
        points = [(meter.installed_on, meter.initial_litres, False)]
        for day in sorted(by_meter.get(meter.serial, {})):
            if day <= meter.installed_on:
                continue
            points.append((day, by_meter[meter.serial][day].litres, True))
        for (d0, v0, real), (d1, v1, _) in itertools.pairwise(points):
            result.append(Interval(meter.serial, meter.kind, d0, d1, max(0, v1 - v0), real))
    return result


def usage(spans: list[Interval], first: date, last: date) -> Usage:
    """Use over days [first, last] (inclusive)."""
    end = last + timedelta(days=1)
    water = garden = 0
    covered: list[tuple[date, date]] = []
    for interval in spans:
        if interval.end <= first or interval.start >= end:
            continue
        used = interval.used_between(first, end)
        if interval.kind == "garden":
            garden += used
            continue
        water += used
        covered.append((max(first, interval.start), min(end, interval.end)))
    return Usage(water, garden, _merged_days(covered), (end - first).days)


def _merged_days(spans: list[tuple[date, date]]) -> int:
    """Days covered by half-open date ranges that may overlap (two main meters)."""
    total, reach = 0, None
    for start, stop in sorted(spans):
        if reach is not None and start < reach:
            start = reach
        if stop > start:
            total += (stop - start).days
            reach = stop if reach is None or stop > reach else reach
    return total


def months(first: date, last: date) -> list[tuple[date, date]]:
    """Calendar months overlapping [first, last], clipped to it."""
    result = []
    start = first
    while start <= last:
        following = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
        result.append((start, min(last, following - timedelta(days=1))))
        start = following
    return result


def billing_periods(
    spans: list[Interval], readings: list[Reading], first: date, last: date
) -> list[tuple[date, date]]:
    """Periods between consecutive billing readings of main meters overlapping the range."""
    main = {s.serial for s in spans if s.kind == "main"}
    days = sorted({r.on for r in readings if r.source == "billing" and r.serial in main})
    periods = []
    for start, end in itertools.pairwise(days):
        period = (start, end - timedelta(days=1))
        if period[1] >= first and period[0] <= last:
            periods.append(period)
    return periods


def year_before(day: date) -> date:
    """The same day a year earlier (29 February -> 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def average_daily(spans: list[Interval]) -> Fraction | None:
    """The customer's average daily water use over all history (main and other meters)."""
    water = [s for s in spans if s.kind != "garden" and s.days > 0]
    days = sum(s.days for s in water)
    return Fraction(sum(s.litres for s in water), days) if days else None


def leak_check(spans: list[Interval], meters: list[Meter]) -> list[Leak]:
    """The leak check of every active main meter with at least two readings."""
    checks = []
    for meter in meters:
        if meter.kind != "main" or not meter.active:
            continue
        own = [s for s in spans if s.serial == meter.serial and s.days > 0]
        if not own or not own[-1].from_reading:
            continue
        last, before = own[-1], own[:-1]
        last_daily = Fraction(last.litres, last.days)
        history_days = sum(s.days for s in before)
        usual = (
            Fraction(sum(s.litres for s in before), history_days)
            if history_days >= LEAK_MIN_HISTORY_DAYS
            else None
        )
        suspected = (
            usual is not None
            and last_daily > LEAK_MULTIPLE * usual
            and last_daily > LEAK_FLOOR_LITRES_PER_DAY
        )
        checks.append(Leak(meter.serial, suspected, last_daily, usual))
    return checks
