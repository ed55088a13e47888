"""GET /consumption: one Query of the customer's meters and readings, then
domain/consumption.py."""

from __future__ import annotations

from datetime import date

from chalicelib.domain import consumption as calc
from chalicelib.domain.readings import MeterStatus
from chalicelib.schemas.consumption import ConsumptionQuery
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.storage.meters import meters_and_readings


def _default_from(until: date) -> date:
    year, month = until.year, until.month - 11
    if month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def consumption(
    customer_number: str, query: ConsumptionQuery, deps: Collaborators | None = None
) -> calc.Consumption:
    """Use per period with the year before, the customer's average and the leak check."""
    stored_meters, stored_readings = meters_and_readings(customer_number)
    meters = [
        calc.Meter(
            serial=m.serial,
            kind=m.kind,
            installed_on=m.installed_on,
            initial_litres=m.initial_value,
            active=m.status == MeterStatus.ACTIVE,
        )
        for m in stored_meters
    ]
    readings = [calc.Reading(r.meter, r.date, r.value, r.source) for r in stored_readings]
    spans = calc.intervals(meters, readings)
    until = query.date_to or (deps or current()).clock.today()
    since = query.date_from or _default_from(until)
    ranges = (
        calc.months(since, until)
        if query.period == "month"
        else calc.billing_periods(spans, readings, since, until)
    )
    periods = []
    for start, end in ranges:
        earlier_start, earlier_end = calc.year_before(start), calc.year_before(end)
        before = calc.usage(spans, earlier_start, earlier_end)
        periods.append(
            calc.PeriodUse(
                start=start,
                end=end,
                usage=calc.usage(spans, start, end),
                year_before_start=earlier_start,
                year_before_end=earlier_end,
                year_before=before if before.covered_days else None,
            )
        )
    return calc.Consumption(
        date_from=since,
        date_to=until,
        period=query.period,
        periods=periods,
        total=calc.usage(spans, since, until) if since <= until else None,
        average_daily=calc.average_daily(spans),
        leaks=calc.leak_check(spans, meters),
    )
