"""What account services check against the billing data: a customer's invoice (the proof
of ownership at registration) and whether a customer number exists (system logins)."""

from __future__ import annotations

from chalicelib.domain import records
from chalicelib.models.billing import CustomerRecord, InvoiceRecord
from chalicelib.storage.billing import get_item
from chalicelib.storage.records import parse


def invoice_of(customer_number: str, invoice_number: str) -> records.Invoice | None:
    """The customer's invoice with this number, or None (one GetItem)."""
    item = get_item(InvoiceRecord, customer_number, InvoiceRecord.sort_key(invoice_number))
    return parse(item) if item is not None else None


def is_customer(customer_number: str) -> bool:
    """True when the billing data hold a customer with this number (one GetItem)."""
    return get_item(CustomerRecord, customer_number, CustomerRecord.SORT_KEY) is not None
