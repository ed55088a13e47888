"""Bodies of invoices, balance, settlements and payments. Money is a string "123.45"."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from chalicelib.ids import encode_id
from chalicelib.money import format_grosze
from chalicelib.paging import DEFAULT_LIMIT, MAX_LIMIT
from chalicelib.schemas.base import Schema, Strict

if TYPE_CHECKING:
    from chalicelib.domain.ledger import (
        BalanceSummary,
        InvoiceChain,
        InvoiceView,
        PaymentLine,
        SettlementPage,
    )
    from chalicelib.paging import Page

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

    @classmethod
    def from_view(cls, view: InvoiceView) -> InvoiceOut:
        """An invoice and its state as shown."""
        invoice, state = view.invoice, view.state
        return cls(
            id=encode_id(invoice.number),
            number=invoice.number,
            kind=invoice.kind,
            issue_date=invoice.issue_date,
            sale_date=invoice.sale_date,
            due_date=invoice.due_date,
            net=format_grosze(invoice.net),
            vat=format_grosze(invoice.vat),
            gross=format_grosze(invoice.gross),
            status=state.status,
            overdue=state.overdue,
            amount_due=format_grosze(state.amount_due),
            paid=format_grosze(state.paid),
            outstanding=format_grosze(state.outstanding),
            corrects=invoice.corrects,
            duplicate_of=invoice.duplicate_of,
            has_pdf=bool(invoice.pdf_key),
        )


class InvoiceList(Schema):
    """A page of invoices, newest first."""

    items: list[InvoiceOut]
    next_cursor: str | None

    @classmethod
    def from_result(cls, page: Page[InvoiceView]) -> InvoiceList:
        """A page of invoices as shown."""
        return cls(
            items=[InvoiceOut.from_view(view) for view in page.items],
            next_cursor=page.next_cursor,
        )


class InvoiceDetail(InvoiceOut):
    """An invoice with its correction chain."""

    original: InvoiceOut | None = Field(description="Dokument korygowany (dla korekty).")
    corrections: list[InvoiceOut]

    @classmethod
    def from_result(cls, chain: InvoiceChain) -> InvoiceDetail:
        """An invoice with its correction chain as shown."""
        return cls(
            **InvoiceOut.from_view(chain.invoice).model_dump(),
            original=InvoiceOut.from_view(chain.original) if chain.original else None,
            corrections=[InvoiceOut.from_view(view) for view in chain.corrections],
        )


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

    @classmethod
    def from_result(cls, result: BalanceSummary) -> BalanceOut:
        """The balance as shown."""
        state = "owed" if result.balance > 0 else "overpaid" if result.balance < 0 else "settled"
        return cls(
            as_of=result.today,
            balance=format_grosze(result.balance),
            state=state,
            overdue=format_grosze(result.overdue),
            next_due=NextDue(
                date=result.next_due_date, amount=format_grosze(result.next_due_amount)
            )
            if result.next_due_date
            else None,
            billing_balance_as_of=result.source_as_of,
        )


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

    @classmethod
    def from_result(cls, page: SettlementPage) -> SettlementList:
        """A page of the ledger as shown."""
        return cls(
            items=[
                SettlementEntryOut(
                    date=e.on,
                    kind=e.kind,
                    reference=e.reference,
                    document_kind=e.document_kind,
                    amount=format_grosze(e.amount),
                    balance_after=format_grosze(e.running),
                )
                for e in page.entries
            ],
            next_cursor=page.next_cursor,
            balance=format_grosze(page.balance),
        )


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

    @classmethod
    def fields_of(cls, line: PaymentLine) -> dict[str, object]:
        """The fields of a payment as shown."""
        return {
            "id": line.id,
            "source": line.source,
            "status": line.status,
            "paid_on": line.paid_on,
            "amount": format_grosze(line.amount),
            "method": line.method,
            "title": line.title,
            "allocations": [
                AllocationOut(invoice=invoice, amount=format_grosze(amount))
                for invoice, amount in line.allocations
            ],
        }

    @classmethod
    def from_line(cls, line: PaymentLine) -> PaymentOut:
        """A payment as listed."""
        return cls(**cls.fields_of(line))


class PaymentList(Schema):
    """A page of payments, newest first."""

    items: list[PaymentOut]
    next_cursor: str | None

    @classmethod
    def from_result(cls, page: Page[PaymentLine]) -> PaymentList:
        """A page of payments as shown."""
        return cls(
            items=[PaymentOut.from_line(line) for line in page.items],
            next_cursor=page.next_cursor,
        )
