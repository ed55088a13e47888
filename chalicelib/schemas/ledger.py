"""Bodies of invoices, balance, settlements and payments. Money is a string "123.45"."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from chalicelib.paging import DEFAULT_LIMIT, MAX_LIMIT
from chalicelib.schemas.base import Schema, Strict

InvoiceStatus = Literal["paid", "unpaid", "overdue", "partially_paid", "paid_pending_booking"]
InvoiceKind = Literal["invoice", "correction", "duplicate", "interest_note", "accounting_note"]


class PageQuery(Strict):
    """Cursor pagination."""

    cursor: str | None = Field(None, max_length=400)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class InvoiceQuery(PageQuery):
    """Filters of the invoice list (dates are issue dates, inclusive)."""

    kind: InvoiceKind | None = None
    status: InvoiceStatus | None = None
    date_from: date | None = Field(None, alias="from")
    date_to: date | None = Field(None, alias="to")

    @model_validator(mode="after")
    def _check(self) -> InvoiceQuery:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("Data „od” nie może być późniejsza niż „do”.")
        return self


class InvoiceOut(Schema):
    """An invoice (or correction, duplicate, note) and its state."""

    id: str = Field(description="Identyfikator do ścieżek /invoices/{id}.")
    number: str
    kind: str
    issue_date: date
    sale_date: date | None
    due_date: date
    net: str
    vat: str
    gross: str
    status: Literal["paid", "unpaid", "partially_paid", "paid_pending_booking"]
    overdue: bool
    amount_due: str = Field(description="Do zapłaty za dokument wraz z korektami.")
    paid: str
    outstanding: str
    corrects: str | None
    duplicate_of: str | None
    has_pdf: bool


class InvoiceList(Schema):
    """A page of invoices, newest first."""

    items: list[InvoiceOut]
    next_cursor: str | None


class InvoiceDetail(InvoiceOut):
    """An invoice with its correction chain."""

    original: InvoiceOut | None = Field(description="Dokument korygowany (dla korekty).")
    corrections: list[InvoiceOut]


class FileLink(Schema):
    """A short-lived link to download one file."""

    url: str
    expires_at: str
    filename: str


class NextDue(Schema):
    """The next payment due."""

    date: date
    amount: str


class BalanceOut(Schema):
    """The balance as of today."""

    as_of: date
    balance: str = Field(description="Dodatnie: do zapłaty; ujemne: nadpłata.")
    state: Literal["owed", "overpaid", "settled"]
    overdue: str
    next_due: NextDue | None
    billing_balance_as_of: date | None


class SettlementEntryOut(Schema):
    """One line of the ledger."""

    date: date
    kind: Literal["opening", "charge", "payment", "online_payment"]
    reference: str
    document_kind: str | None
    amount: str = Field(description="Obciążenie dodatnie, wpłata ujemna.")
    balance_after: str


class SettlementList(Schema):
    """A page of the ledger, newest first."""

    items: list[SettlementEntryOut]
    next_cursor: str | None
    balance: str


class AllocationOut(Schema):
    """What a payment settled."""

    invoice: str
    amount: str


class PaymentOut(Schema):
    """A payment: booked by the billing system, or made online through the portal."""

    id: str
    source: Literal["billing", "online"]
    status: Literal["started", "pending", "paid", "failed", "booked"] = Field(
        description="started: rozpoczęta; pending: w toku; paid: opłacona, czeka na "
        "zaksięgowanie; failed: nieudana; booked: zaksięgowana."
    )
    paid_on: date
    amount: str
    method: str
    title: str | None
    allocations: list[AllocationOut]


class PaymentList(Schema):
    """A page of payments, newest first."""

    items: list[PaymentOut]
    next_cursor: str | None
