"""Invoices, balance, settlements and booked payments of one customer: one Query of the
ledger prefix, then the rules of domain/ledger.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib import clock
from chalicelib.adapters.files import download_link, safe_filename
from chalicelib.domain import ledger
from chalicelib.errors import NotFound
from chalicelib.http.ids import decode_id, encode_id
from chalicelib.http.pagination import paginate
from chalicelib.models.billing import (
    LEDGER_PREFIX,
    BalanceRecord,
    InvoiceRecord,
    PaymentRecord,
)
from chalicelib.money import format_grosze
from chalicelib.schemas.ledger import (
    AllocationOut,
    BalanceOut,
    FileLink,
    InvoiceDetail,
    InvoiceList,
    InvoiceOut,
    InvoiceQuery,
    NextDue,
    PageQuery,
    PaymentList,
    PaymentOut,
    SettlementEntryOut,
    SettlementList,
)
from chalicelib.storage.billing import of_type, query_prefix

NO_INVOICE = "Nie ma takiej faktury."


def invoice_id(number: str) -> str:
    """The URL id of an invoice number (numbers contain slashes)."""
    return encode_id(number)


def invoice_number(identifier: str) -> str:
    """The invoice number of a URL id; NotFound for anything that is not one."""
    return decode_id(identifier, NO_INVOICE)


def today() -> date:
    """Today in Poland."""
    return clock.to_warsaw(clock.now()).date()


@dataclass
class Ledger:
    """The customer's ledger records as domain values."""

    records: dict[str, InvoiceRecord]
    documents: list[ledger.Document]
    payments: list[ledger.Payment]
    payment_records: list[PaymentRecord]
    balances: list[ledger.Balance]


def load(customer_number: str) -> Ledger:
    """Read the whole ledger of the customer (one Query)."""
    items = query_prefix(customer_number, LEDGER_PREFIX)
    invoices = of_type(items, InvoiceRecord)
    payments = of_type(items, PaymentRecord)
    return Ledger(
        records={inv.number: inv for inv in invoices},
        documents=[
            ledger.Document(
                number=inv.number,
                kind=inv.kind,
                issue_date=date.fromisoformat(inv.issue_date),
                due_date=date.fromisoformat(inv.due_date),
                gross=int(inv.gross),
                corrects=inv.corrects,
                duplicate_of=inv.duplicate_of,
            )
            for inv in invoices
        ],
        payments=[
            ledger.Payment(
                payment_id=p.payment_id,
                paid_on=date.fromisoformat(p.paid_on),
                amount=int(p.amount),
                method=p.method,
                allocations=tuple((a["invoice"], int(a["amount"])) for a in p.allocations),
            )
            for p in payments
        ],
        payment_records=payments,
        balances=[
            ledger.Balance(date.fromisoformat(b.as_of), int(b.amount))
            for b in of_type(items, BalanceRecord)
        ],
    )


def _invoice_out(record: InvoiceRecord, state: ledger.DocumentState) -> InvoiceOut:
    return InvoiceOut(
        id=invoice_id(record.number),
        number=record.number,
        kind=record.kind,
        issue_date=date.fromisoformat(record.issue_date),
        sale_date=date.fromisoformat(record.sale_date) if record.sale_date else None,
        due_date=date.fromisoformat(record.due_date),
        net=format_grosze(int(record.net)),
        vat=format_grosze(int(record.vat)),
        gross=format_grosze(int(record.gross)),
        status=state.status,
        overdue=state.overdue,
        amount_due=format_grosze(state.amount_due),
        paid=format_grosze(state.paid),
        outstanding=format_grosze(state.outstanding),
        corrects=record.corrects,
        duplicate_of=record.duplicate_of,
        has_pdf=bool(record.pdf_key),
    )


def _matches(state: ledger.DocumentState, query: InvoiceQuery) -> bool:
    doc = state.document
    if query.kind and doc.kind != query.kind:
        return False
    if query.date_from and doc.issue_date < query.date_from:
        return False
    if query.date_to and doc.issue_date > query.date_to:
        return False
    if query.status == "overdue":
        return state.overdue
    return query.status is None or state.status == query.status


def _newest_first(state: ledger.DocumentState) -> tuple[str, str]:
    return (state.document.issue_date.isoformat(), state.document.number)


def list_invoices(customer_number: str, query: InvoiceQuery) -> InvoiceList:
    """The customer's invoices, filtered, newest first, one page."""
    data = load(customer_number)
    states = ledger.document_states(data.documents, data.payments, today())
    selected = sorted(
        (s for s in states.values() if _matches(s, query)), key=_newest_first, reverse=True
    )
    page = paginate(selected, lambda s: "|".join(_newest_first(s)), query.cursor, query.limit)
    return InvoiceList(
        items=[_invoice_out(data.records[s.document.number], s) for s in page.items],
        next_cursor=page.next_cursor,
    )


def get_invoice(customer_number: str, identifier: str) -> InvoiceDetail:
    """One invoice with the document it corrects and the corrections of its chain."""
    number = invoice_number(identifier)
    data = load(customer_number)
    if number not in data.records:
        raise NotFound(NO_INVOICE)
    states = ledger.document_states(data.documents, data.payments, today())
    state = states[number]
    out = _invoice_out(data.records[number], state)
    original = None
    if state.root != number and state.root in data.records:
        original = _invoice_out(data.records[state.root], states[state.root])
    corrections = [
        _invoice_out(data.records[c], states[c]) for c in state.corrections if c != number
    ]
    return InvoiceDetail(**out.model_dump(), original=original, corrections=corrections)


def invoice_pdf(customer_number: str, identifier: str) -> FileLink:
    """A 5-minute link to the invoice's PDF."""
    number = invoice_number(identifier)
    data = load(customer_number)
    record = data.records.get(number)
    if record is None:
        raise NotFound(NO_INVOICE)
    filename = f"Faktura-{safe_filename(number)}.pdf"
    url, expires = download_link(
        record.pdf_key, filename, "Plik PDF tej faktury nie jest jeszcze dostępny."
    )
    return FileLink(url=url, expires_at=expires, filename=filename)


def balance(customer_number: str) -> BalanceOut:
    """The balance as of today, what is overdue and what is due next."""
    data = load(customer_number)
    result = ledger.summary(data.documents, data.payments, data.balances, today())
    state = "owed" if result.balance > 0 else "overpaid" if result.balance < 0 else "settled"
    return BalanceOut(
        as_of=result.today,
        balance=format_grosze(result.balance),
        state=state,
        overdue=format_grosze(result.overdue),
        next_due=NextDue(date=result.next_due_date, amount=format_grosze(result.next_due_amount))
        if result.next_due_date
        else None,
        billing_balance_as_of=result.source_as_of,
    )


def settlements(customer_number: str, query: PageQuery) -> SettlementList:
    """The ledger with running balance, newest first, one page."""
    data = load(customer_number)
    entries = ledger.settlements(data.documents, data.payments, data.balances)
    ordered = list(enumerate(entries))[::-1]
    page = paginate(ordered, lambda pair: str(pair[0]), query.cursor, query.limit)
    return SettlementList(
        items=[
            SettlementEntryOut(
                date=e.on,
                kind=e.kind,
                reference=e.reference,
                document_kind=e.document_kind,
                amount=format_grosze(e.amount),
                balance_after=format_grosze(e.running),
            )
            for _, e in page.items
        ],
        next_cursor=page.next_cursor,
        balance=format_grosze(entries[-1].running if entries else 0),
    )


def payments(customer_number: str, query: PageQuery) -> PaymentList:
    """Payments booked by the billing system, newest first, one page."""
    data = load(customer_number)
    ordered = sorted(data.payment_records, key=lambda p: (p.paid_on, p.payment_id), reverse=True)
    page = paginate(ordered, lambda p: f"{p.paid_on}|{p.payment_id}", query.cursor, query.limit)
    return PaymentList(
        items=[
            PaymentOut(
                id=p.payment_id,
                paid_on=date.fromisoformat(p.paid_on),
                amount=format_grosze(int(p.amount)),
                method=p.method,
                title=p.title,
                allocations=[
                    AllocationOut(invoice=a["invoice"], amount=format_grosze(int(a["amount"])))
                    for a in p.allocations
                ],
            )
            for p in page.items
        ],
        next_cursor=page.next_cursor,
    )
