"""Bodies of GET /consumption. Volumes are strings in m³ with three decimals."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator, model_validator

from chalicelib import clock
from chalicelib.schemas.base import Schema, Strict
from chalicelib.volume import format_m3

if TYPE_CHECKING:
    from chalicelib.domain import consumption

MAX_YEARS = 15
# No readings predate the system; later than the end of next year is no date to ask about
# (and near 9999 the month arithmetic, and the same period a year before, overflow).
EARLIEST = dt.date(2000, 1, 1)


def _m3(litres: Fraction | int) -> str:
    return format_m3(round(litres))


def _today() -> dt.date:
    return clock.to_warsaw(clock.now()).date()


def latest_date() -> dt.date:
    """The last date a query may name: 31 December of next year (Warsaw time)."""
    return dt.date(_today().year + 1, 12, 31)


class ConsumptionQuery(Strict):
    """The range (default: the last twelve months) and how to split it."""

    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")
    period: Literal["month", "billing"] = "month"

    @field_validator("date_from", "date_to")
    @classmethod
    def _within_bounds(cls, value: dt.date | None) -> dt.date | None:
        if value is None:
            return value
        if value < EARLIEST:
            raise ValueError(f"Data nie może być wcześniejsza niż {EARLIEST:%d.%m.%Y} r.")
        latest = latest_date()
        if value > latest:
            raise ValueError(f"Data nie może być późniejsza niż {latest:%d.%m.%Y} r.")
        return value

    @model_validator(mode="after")
    def _check(self) -> ConsumptionQuery:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("Data „od” nie może być późniejsza niż „do”.")
        # A missing "to" means today (a missing "from" is at most a year before "to").
        until = self.date_to or _today()
        if self.date_from and (until - self.date_from).days > MAX_YEARS * 366:
            raise ValueError(f"Zakres może obejmować najwyżej {MAX_YEARS} lat.")
        return self


class YearBefore(Schema):
    """The same period a year earlier."""

    start: dt.date
    end: dt.date
    water_m3: str
    daily_average_m3: str
    complete: bool


class PeriodOut(Schema):
    """Use in one period."""

    start: dt.date
    end: dt.date
    days: int
    water_m3: str
    garden_m3: str
    daily_average_m3: str
    complete: bool = Field(description="Odczyty obejmują cały okres (bez dni po ostatnim).")
    year_before: YearBefore | None

    @classmethod
    def from_result(cls, period: consumption.PeriodUse) -> PeriodOut:
        """The body of one period."""
        now, before = period.usage, period.year_before
        return cls(
            start=period.start,
            end=period.end,
            days=now.days,
            water_m3=_m3(now.water),
            garden_m3=_m3(now.garden),
            daily_average_m3=_m3(Fraction(now.water, max(1, now.covered_days))),
            complete=now.complete,
            year_before=YearBefore(
                start=period.year_before_start,
                end=period.year_before_end,
                water_m3=_m3(before.water),
                daily_average_m3=_m3(Fraction(before.water, before.covered_days)),
                complete=before.complete,
            )
            if before
            else None,
        )


class LeakOut(Schema):
    """The leak check of one main meter."""

    meter: str
    suspected: bool
    last_daily_m3: str = Field(description="Średnio na dobę między dwoma ostatnimi odczytami.")
    usual_daily_m3: str | None


class ConsumptionOut(Schema):
    """Consumption in the range."""

    date_from: dt.date
    date_to: dt.date
    period: str
    periods: list[PeriodOut]
    total_water_m3: str
    total_garden_m3: str
    average_daily_m3: str | None = Field(description="Średnia klienta z całej historii.")
    leak_suspected: bool
    leaks: list[LeakOut]

    @classmethod
    def from_result(cls, result: consumption.Consumption) -> ConsumptionOut:
        """The body of GET /consumption."""
        total = result.total
        average = result.average_daily
        return cls(
            date_from=result.date_from,
            date_to=result.date_to,
            period=result.period,
            periods=[PeriodOut.from_result(period) for period in result.periods],
            total_water_m3=_m3(total.water if total else 0),
            total_garden_m3=_m3(total.garden if total else 0),
            average_daily_m3=_m3(average) if average is not None else None,
            leak_suspected=result.leak_suspected,
            leaks=[
                LeakOut(
                    meter=leak.serial,
                    suspected=leak.suspected,
                    last_daily_m3=_m3(leak.last_daily),
                    usual_daily_m3=_m3(leak.usual_daily) if leak.usual_daily is not None else None,
                )
                for leak in result.leaks
            ],
        )
