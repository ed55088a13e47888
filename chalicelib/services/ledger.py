"""Invoices, balance, settlements and booked payments of one customer: one Query of the
ledger prefix, then the rules of domain/ledger.py. Results are domain values; the billing
blueprint shapes them into responses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.adapters.files import download_link, download_name
from chalicelib.domain import ledger, records
from chalicelib.domain.errors import NotFound
from chalicelib.domain.payments import Hold, Order, PaymentStatus
from chalicelib.ids import decode_id, encode_id
from chalicelib.paging import Page, paginate
from chalicelib.schemas.ledger import InvoiceQuery, PageQuery
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.storage import ledger as ledger_storage

NO_INVOICE = "Nie ma takiej faktury."


def invoice_id(number: str) -> str:
    """The URL id of an invoice number (numbers contain slashes)."""
    return encode_id(number)


def invoice_number(identifier: str) -> str:
    """The invoice number of a URL id; NotFound for anything that is not one."""
    return decode_id(identifier, NO_INVOICE)


@dataclass
class Ledger:
    """The customer's ledger records as domain values."""

    records: dict[str, records.Invoice]
    documents: list[ledger.Document]
    payments: list[ledger.Payment]
    booked: list[records.Payment]
    online: list[Order]
    booked_orders: set[str]
    balances: list[ledger.Balance]
    holds: dict[str, Hold]  # by invoice number: which order pays it now

    def online_status(self, order: Order) -> str:
        """The order's visible status: booked once the billing system booked it."""
        if order.status == PaymentStatus.PAID and order.order_id in self.booked_orders:
            return PaymentStatus.BOOKED
        return order.status


def load(customer_number: str) -> Ledger:
    """Read the whole ledger of the customer (one Query)."""
    return ledger_of(ledger_storage.read_ledger(customer_number))


def ledger_of(stored: ledger.LedgerRecords) -> Ledger:
    """The customer's ledger records as the rules take them."""
    booked_orders = {p.online_order for p in stored.payments if p.online_order}
    unbooked = [
        o
        for o in stored.orders
        if o.status == PaymentStatus.PAID and o.order_id not in booked_orders
    ]
    return Ledger(
        records={invoice.number: invoice for invoice in stored.invoices},
        documents=[ledger.document_of(invoice) for invoice in stored.invoices],
        payments=[ledger.booked_payment(p) for p in stored.payments]
        + [ledger.unbooked_payment(o) for o in unbooked],
        booked=stored.payments,
        online=stored.orders,
        booked_orders=booked_orders,
        balances=[ledger.Balance(b.as_of, b.amount) for b in stored.balances],
        holds={hold.invoice: hold for hold in stored.holds},
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


def unpaid_invoices(data: Ledger, today: date) -> list[ledger.InvoiceView]:
    """The invoices with something left to pay (with their corrections), oldest due first."""
    states = ledger.document_states(data.documents, data.payments, today)
    unpaid = [s for s in states.values() if s.root == s.document.number and s.outstanding > 0]
    unpaid.sort(key=lambda s: (s.document.due_date, s.document.number))
    return [ledger.InvoiceView(data.records[s.document.number], s) for s in unpaid]


def list_invoices(
    customer_number: str, query: InvoiceQuery, deps: Collaborators | None = None
) -> Page[ledger.InvoiceView]:
    """The customer's invoices, filtered, newest first, one page."""
    data = load(customer_number)
    states = ledger.document_states(
        data.documents, data.payments, (deps or current()).clock.today()
    )
    selected = sorted(
        (s for s in states.values() if _matches(s, query)), key=_newest_first, reverse=True
    )
    page = paginate(selected, lambda s: "|".join(_newest_first(s)), query.cursor, query.limit)
    return Page(
        items=[ledger.InvoiceView(data.records[s.document.number], s) for s in page.items],
        next_cursor=page.next_cursor,
    )


def get_invoice(
    customer_number: str, identifier: str, deps: Collaborators | None = None
) -> ledger.InvoiceChain:
    """One invoice with the document it corrects and the corrections of its chain."""
    number = invoice_number(identifier)
    data = load(customer_number)
    if number not in data.records:
        raise NotFound(NO_INVOICE)
    states = ledger.document_states(
        data.documents, data.payments, (deps or current()).clock.today()
    )

    def view(of: str) -> ledger.InvoiceView:
        return ledger.InvoiceView(data.records[of], states[of])

    state = states[number]
    original = None
    if state.root != number and state.root in data.records:
        original = view(state.root)
    corrections = [view(c) for c in state.corrections if c != number]
    return ledger.InvoiceChain(view(number), original, corrections)


def invoice_pdf(customer_number: str, identifier: str) -> ledger.FileDownload:
    """A 5-minute link to the invoice's PDF."""
    number = invoice_number(identifier)
    data = load(customer_number)
    invoice = data.records.get(number)
    if invoice is None:
        raise NotFound(NO_INVOICE)
    filename = f"Faktura-{download_name(number)}.pdf"
    url, expires = download_link(
        invoice.pdf_key, filename, "Plik PDF tej faktury nie jest jeszcze dostępny."
    )
    return ledger.FileDownload(url=url, expires_at=expires, filename=filename)


def balance(customer_number: str, deps: Collaborators | None = None) -> ledger.BalanceSummary:
    """The balance as of today, what is overdue and what is due next."""
    return balance_of(load(customer_number), (deps or current()).clock.today())


def balance_of(data: Ledger, today: date) -> ledger.BalanceSummary:
    """The balance of a loaded ledger as of `today`."""
    return ledger.summary(data.documents, data.payments, data.balances, today)


def settlements(customer_number: str, query: PageQuery) -> ledger.SettlementPage:
    """The ledger with running balance, newest first, one page."""
    data = load(customer_number)
    entries = ledger.settlements(data.documents, data.payments, data.balances)
    ordered = list(enumerate(entries))[::-1]
    page = paginate(ordered, lambda pair: str(pair[0]), query.cursor, query.limit)
    return ledger.SettlementPage(
        entries=[e for _, e in page.items],
        next_cursor=page.next_cursor,
        balance=entries[-1].running if entries else 0,
    )


def payments(customer_number: str, query: PageQuery) -> Page[ledger.PaymentLine]:
    """Booked payments and online payments, newest first, one page."""
    data = load(customer_number)
    rows = [(p.paid_on.isoformat(), f"B|{p.id}", p) for p in data.booked] + [
        ((o.paid_at or o.created_at).date().isoformat(), f"O|{o.order_id}", o) for o in data.online
    ]
    ordered = sorted(rows, key=lambda row: (row[0], row[1]), reverse=True)
    page = paginate(ordered, lambda row: f"{row[0]}|{row[1]}", query.cursor, query.limit)
    return Page(
        items=[
            ledger.online_line(record, data.online_status(record))
            if isinstance(record, Order)
            else ledger.booked_line(record)
            for _, _, record in page.items
        ],
        next_cursor=page.next_cursor,
    )
