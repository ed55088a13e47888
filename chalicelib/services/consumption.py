"""GET /consumption: one Query of the customer's meters and readings, then
domain/consumption.py."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from chalicelib import clock
from chalicelib.domain import consumption as calc
from chalicelib.domain.readings import MeterStatus
from chalicelib.models.meters import METER_PREFIX, MeterRecord, ReadingRecord
from chalicelib.schemas.consumption import (
    ConsumptionOut,
    ConsumptionQuery,
    LeakOut,
    PeriodOut,
    YearBefore,
)
from chalicelib.storage.billing import of_type, query_prefix
from chalicelib.volume import format_m3


def _m3(litres: Fraction | int) -> str:
    return format_m3(round(litres))


def _default_from(until: date) -> date:
    year, month = until.year, until.month - 11
    if month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def consumption(customer_number: str, query: ConsumptionQuery) -> ConsumptionOut:
    """Use per period with the year before, the customer's average and the leak check."""
    items = query_prefix(customer_number, METER_PREFIX)
    meters = [
        calc.Meter(
            serial=m.serial,
            kind=m.meter_kind,
            installed_on=date.fromisoformat(m.installed_on),
            initial_litres=int(m.initial_litres or 0),
            active=m.status == MeterStatus.ACTIVE,
        )
        for m in of_type(items, MeterRecord)
    ]
    readings = [
        calc.Reading(r.serial, date.fromisoformat(r.read_on), int(r.litres), r.source)
        for r in of_type(items, ReadingRecord)
    ]
    spans = calc.intervals(meters, readings)
    until = query.date_to or clock.today()
    since = query.date_from or _default_from(until)
    ranges = (
        calc.months(since, until)
        if query.period == "month"
        else calc.billing_periods(spans, readings, since, until)
    )
    periods = []
    for start, end in ranges:
        now = calc.usage(spans, start, end)
        earlier_start, earlier_end = calc.year_before(start), calc.year_before(end)
        before = calc.usage(spans, earlier_start, earlier_end)
        periods.append(
            PeriodOut(
                start=start,
                end=end,
                days=now.days,
                water_m3=_m3(now.water),
                garden_m3=_m3(now.garden),
                daily_average_m3=_m3(Fraction(now.water, max(1, now.covered_days))),
                complete=now.complete,
                year_before=YearBefore(
                    start=earlier_start,
                    end=earlier_end,
                    water_m3=_m3(before.water),
                    daily_average_m3=_m3(Fraction(before.water, before.covered_days)),
                    complete=before.complete,
                )
                if before.covered_days
                else None,
            )
        )
    average = calc.average_daily(spans)
    leaks = calc.leak_check(spans, meters)
    total = calc.usage(spans, since, until) if since <= until else None
    return ConsumptionOut(
        date_from=since,
        date_to=until,
        period=query.period,
        periods=periods,
        total_water_m3=_m3(total.water if total else 0),
        total_garden_m3=_m3(total.garden if total else 0),
        average_daily_m3=_m3(average) if average is not None else None,
        leak_suspected=any(leak.suspected for leak in leaks),
        leaks=[
            LeakOut(
                meter=leak.serial,
                suspected=leak.suspected,
                last_daily_m3=_m3(leak.last_daily),
                usual_daily_m3=_m3(leak.usual_daily) if leak.usual_daily is not None else None,
            )
            for leak in leaks
        ],
    )
