"""The dashboard's data: the customer's whole billing partition in one Query (no sort-key
condition), split into the ledger, the meters with their readings and the customer record."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain import records
from chalicelib.domain.ledger import LedgerRecords
from chalicelib.models.billing import BillingItem
from chalicelib.storage.ledger import ledger_of
from chalicelib.storage.records import parse_all


@dataclass(frozen=True)
class CustomerData:
    """What the dashboard shows of one customer's partition."""

    ledger: LedgerRecords
    meters: list[records.Meter]
    readings: list[records.Reading]
    customer: records.Customer | None


def read_customer(customer_number: str) -> CustomerData:
    """The customer's ledger, meters and readings (one Query of the whole partition: one
    round trip while the partition stays under DynamoDB's 1 MB page, which a household's
    years of invoices and readings do by far; PynamoDB follows further pages if not)."""
    items = list(BillingItem.query(BillingItem.partition(customer_number)))
    return CustomerData(
        ledger=ledger_of(items),
        meters=parse_all(items, records.Meter),
        readings=parse_all(items, records.Reading),
        customer=next(iter(parse_all(items, records.Customer)), None),
    )
