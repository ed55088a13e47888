"""Reads of a customer's billing partition: one Query by sort-key prefix per request."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from chalicelib.domain import records
from chalicelib.models.billing import BillingItem, CustomerRecord, InvoiceRecord
from chalicelib.storage.records import parse

Item = TypeVar("Item", bound=BillingItem)


def query_prefix(customer_number: str, prefix: str) -> list[BillingItem]:
    """Every item of the customer whose sort key starts with `prefix`, in sort-key order
    (one round trip unless the data exceed DynamoDB's 1 MB page)."""
    return list(
        BillingItem.query(BillingItem.partition(customer_number), BillingItem.sk.startswith(prefix))
    )


def of_type(items: Iterable[BillingItem], model: type[Item]) -> list[Item]:
    """The items that are instances of `model`."""
    return [item for item in items if isinstance(item, model)]


def get_item(model: type[Item], customer_number: str, sort_key: str) -> Item | None:
    """One item of the customer if it is a `model`, else None. Read through the base class:
    an item of another type under the key (ids from before they were checked could reach
    into another record's key) is no such item, where `model.get` would raise."""
    try:
        item = BillingItem.get(BillingItem.partition(customer_number), sort_key)
    except BillingItem.DoesNotExist:
        return None
    return item if isinstance(item, model) else None


def customer(customer_number: str) -> records.Customer | None:
    """The customer as the billing system sent it (one GetItem), or None."""
    item = get_item(CustomerRecord, customer_number, CustomerRecord.SORT_KEY)
    return parse(item) if item is not None else None


def has_invoice(customer_number: str, number: str) -> bool:
    """True when the customer has a billing document with this number (one GetItem)."""
    return get_item(InvoiceRecord, customer_number, InvoiceRecord.sort_key(number)) is not None


def customers_at(postal_codes: Iterable[str], street_names: Iterable[str]) -> list[str]:
    """The customers (active contracts) whose service address has one of the postal codes
    or one of the street names (as compared: domain/announcements.py `street_name`), each
    once: one Query per code and per street (`by_postal_code`, `by_street`)."""
    found: dict[str, None] = {}
    for code in postal_codes:
        for item in CustomerRecord.by_postal_code.query(code):
            found[item.customer_number] = None
    for street in street_names:
        if street:
            for item in CustomerRecord.by_street.query(street):
                found[item.customer_number] = None
    return list(found)
