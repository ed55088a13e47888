"""The ledger of one customer (invoices, booked payments, balances, online orders and the
holds of open ones) in one Query of the ledger prefix."""

from __future__ import annotations

from datetime import date

from pynamodb.exceptions import UpdateError

from chalicelib.domain import records
from chalicelib.domain.ledger import LedgerRecords, NoticeState
from chalicelib.models.billing import LEDGER_PREFIX, BillingItem, InvoiceRecord
from chalicelib.models.payments import OnlinePayment, PaymentHold
from chalicelib.storage.billing import get_item, of_type, query_prefix
from chalicelib.storage.errors import is_condition_failure
from chalicelib.storage.payments import hold_of, order_of
from chalicelib.storage.records import parse, parse_all


def read_ledger(customer_number: str) -> LedgerRecords:
    """Read the whole ledger of the customer (one Query)."""
    return ledger_of(query_prefix(customer_number, LEDGER_PREFIX))


def ledger_of(items: list[BillingItem]) -> LedgerRecords:
    """The ledger records among a customer's items (any other item is left out)."""
    return LedgerRecords(
        invoices=parse_all(items, records.Invoice),
        payments=parse_all(items, records.Payment),
        balances=parse_all(items, records.Balance),
        orders=[order_of(item) for item in of_type(items, OnlinePayment)],
        holds=[hold_of(item) for item in of_type(items, PaymentHold)],
    )


def invoices_due_on(day: date) -> list[tuple[str, str]]:
    """(customer number, invoice number) of every charge due on `day` (the billing table's
    `invoices_due` index; one Query, a page of keys is 1 MB, some 15,000 invoices)."""
    return [
        (item.customer_number, item.sk.removeprefix(InvoiceRecord.PREFIX))
        for item in InvoiceRecord.invoices_due.query(day.isoformat())
    ]


def invoices_imported_on(day: date) -> list[tuple[str, str]]:
    """(customer number, invoice number) of the invoices imported on `day` whose customer
    is yet to be told (the sparse `new_invoices` index; one Query)."""
    return [
        (item.customer_number, item.sk.removeprefix(InvoiceRecord.PREFIX))
        for item in InvoiceRecord.new_invoices.query(day.isoformat())
    ]


def untold_invoice(customer_number: str, number: str) -> records.Invoice | None:
    """The invoice if its customer is yet to be told about it (one GetItem), else None."""
    item = get_item(InvoiceRecord, customer_number, InvoiceRecord.sort_key(number))
    if item is None or item.notice_state != NoticeState.PENDING:
        return None
    return parse(item)


def invoice_told(customer_number: str, number: str) -> None:
    """The customer has been told about the invoice: it leaves the `new_invoices` index
    (conditional on it still waiting; a re-import keeps the state it finds)."""
    try:
        InvoiceRecord(
            BillingItem.partition(customer_number), InvoiceRecord.sort_key(number)
        ).update(
            actions=[
                InvoiceRecord.notice_state.remove(),
                InvoiceRecord.notice_day.remove(),
                InvoiceRecord.notice_order.remove(),
            ],
            condition=InvoiceRecord.notice_state.exists(),
        )
    except UpdateError as exc:
        if not is_condition_failure(exc):
            raise
