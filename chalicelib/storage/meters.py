"""Reads of a customer's meters and readings: one Query of the billing partition each."""

from __future__ import annotations

import datetime as dt

from chalicelib.domain import records
from chalicelib.domain.meters import MeterHistory
from chalicelib.models.meters import METER_PREFIX, METER_SHARDS, MeterRecord, MeterState
from chalicelib.storage.billing import of_type, query_prefix
from chalicelib.storage.records import parse_all


def meters_and_readings(
    customer_number: str,
) -> tuple[list[records.Meter], list[records.Reading]]:
    """Every meter of the customer and every reading of them (one Query)."""
    items = query_prefix(customer_number, METER_PREFIX)
    return parse_all(items, records.Meter), parse_all(items, records.Reading)


def meter_history(customer_number: str, serial: str) -> MeterHistory | None:
    """One meter of the customer with its readings and submission state (one Query); None
    when the customer has no such meter."""
    items = query_prefix(customer_number, MeterRecord.prefix(serial))
    meters = parse_all(items, records.Meter)
    if not meters:
        return None
    states = of_type(items, MeterState)
    return MeterHistory(
        meter=meters[0],
        readings=parse_all(items, records.Reading),
        version=int(states[0].version) if states else None,
    )


def customers_with_active_meters() -> list[str]:
    """The customer numbers with an active meter, each once (the sparse `active_meters`
    index: one Query per shard, pages of 1 MB, some 20,000 meters each)."""
    found: dict[str, None] = {}
    for shard in range(METER_SHARDS):
        for item in MeterRecord.active_meters.query(f"{shard:02d}"):
            found[item.customer_number] = None
    return list(found)


def certifications_ending(first: dt.date, last: dt.date) -> list[records.Meter]:
    """Active meters whose certification ends between `first` and `last` (inclusive), by
    that day (the sparse `certifications` index: one Query per month, the body projected)."""
    meters: list[records.Meter] = []
    month = first.replace(day=1)
    while month <= last:
        items = MeterRecord.certifications.query(
            month.isoformat()[:7],
            MeterRecord.certified_until.between(first.isoformat(), last.isoformat()),
        )
        meters.extend(parse_all(list(items), records.Meter))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return meters
