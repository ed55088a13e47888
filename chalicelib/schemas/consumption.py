"""Bodies of GET /consumption. Volumes are strings in m³ with three decimals."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from chalicelib.schemas.base import Schema, Strict

MAX_YEARS = 15


class ConsumptionQuery(Strict):
    """The range (default: the last twelve months) and how to split it."""

    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")
    period: Literal["month", "billing"] = "month"

    @model_validator(mode="after")
    def _check(self) -> ConsumptionQuery:
        if self.date_from and self.date_to:
            if self.date_from > self.date_to:
                raise ValueError("Data „od” nie może być późniejsza niż „do”.")
            if (self.date_to - self.date_from).days > MAX_YEARS * 366:
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
