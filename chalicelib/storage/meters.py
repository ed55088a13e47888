"""Reads of a customer's meters and readings: one Query of the billing partition each."""

from __future__ import annotations

from chalicelib.domain import records
from chalicelib.domain.meters import MeterHistory
from chalicelib.models.meters import METER_PREFIX, MeterRecord, MeterState
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
