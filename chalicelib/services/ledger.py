"""Invoices, balance, settlements and booked payments of one customer: one Query of the
ledger prefix, then the rules of domain/ledger.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from chalicelib import clock
from chalicelib.adapters.files import download_link, download_name
from chalicelib.domain import ledger
from chalicelib.domain.errors import NotFound
from chalicelib.domain.payments import PaymentStatus
from chalicelib.ids import decode_id, encode_id
from chalicelib.models.billing import (
    LEDGER_PREFIX,
    BalanceRecord,
    InvoiceRecord,
    PaymentRecord,
)
from chalicelib.models.payments import OnlinePayment, PaymentHold
from chalicelib.money import format_grosze
from chalicelib.paging import paginate
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


@dataclass
class Ledger:
    """The customer's ledger records as domain values."""

    records: dict[str, InvoiceRecord]
    documents: list[ledger.Document]
    payments: list[ledger.Payment]
    payment_records: list[PaymentRecord]
    online: list[OnlinePayment]
    booked_orders: set[str]
    balances: list[ledger.Balance]
    holds: dict[str, PaymentHold]  # by invoice number: which order pays it now

    def online_status(self, order: OnlinePayment) -> str:
        """The order's visible status: booked once the billing system booked it."""
        if order.status == PaymentStatus.PAID and order.order_id in self.booked_orders:
            return PaymentStatus.BOOKED
        return order.status


def load(customer_number: str) -> Ledger:
    """Read the whole ledger of the customer (one Query)."""
    items = query_prefix(customer_number, LEDGER_PREFIX)
    invoices = of_type(items, InvoiceRecord)
    payments = of_type(items, PaymentRecord)
    online = of_type(items, OnlinePayment)
    booked_orders = {p.online_order for p in payments if p.online_order}
    unbooked = [
        o for o in online if o.status == PaymentStatus.PAID and o.order_id not in booked_orders
    ]
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
        ]
        + [
            ledger.Payment(
                payment_id=o.order_id,
                paid_on=clock.to_warsaw(datetime.fromisoformat(o.paid_at or o.updated_at)).date(),
                amount=int(o.amount),
                method="online",
                allocations=tuple((part.invoice, int(part.amount)) for part in o.parts),
                pending_booking=True,
            )
            for o in unbooked
        ],
        payment_records=payments,
        online=online,
        booked_orders=booked_orders,
        balances=[
            ledger.Balance(date.fromisoformat(b.as_of), int(b.amount))
            for b in of_type(items, BalanceRecord)
        ],
        holds={hold.invoice: hold for hold in of_type(items, PaymentHold)},
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
    states = ledger.document_states(data.documents, data.payments, clock.today())
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
    states = ledger.document_states(data.documents, data.payments, clock.today())
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
    filename = f"Faktura-{download_name(number)}.pdf"
    url, expires = download_link(
        record.pdf_key, filename, "Plik PDF tej faktury nie jest jeszcze dostępny."
    )
    return FileLink(url=url, expires_at=expires, filename=filename)


def balance(customer_number: str) -> BalanceOut:
    """The balance as of today, what is overdue and what is due next."""
    data = load(customer_number)
    result = ledger.summary(data.documents, data.payments, data.balances, clock.today())
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


def online_payment_out(order: OnlinePayment, status: str) -> PaymentOut:
    """An online payment as listed."""
    return PaymentOut(
        id=order.order_id,
        source="online",
        status=status,
        paid_on=clock.to_warsaw(datetime.fromisoformat(order.paid_at or order.created_at)).date(),
        amount=format_grosze(int(order.amount)),
        method="online",
        title=order.description,
        allocations=[
            AllocationOut(invoice=part.invoice, amount=format_grosze(int(part.amount)))
            for part in order.parts
        ],
    )


def payments(customer_number: str, query: PageQuery) -> PaymentList:
    """Booked payments and online payments, newest first, one page."""
    data = load(customer_number)
    rows = [(p.paid_on, f"B|{p.payment_id}", p) for p in data.payment_records] + [
        ((o.paid_at or o.created_at)[:10], f"O|{o.order_id}", o) for o in data.online
    ]
    ordered = sorted(rows, key=lambda row: (row[0], row[1]), reverse=True)
    page = paginate(ordered, lambda row: f"{row[0]}|{row[1]}", query.cursor, query.limit)
    items = []
    for _, _, record in page.items:
        if isinstance(record, OnlinePayment):
            items.append(online_payment_out(record, data.online_status(record)))
            continue
        items.append(
            PaymentOut(
                id=record.payment_id,
                source="billing",
                status=PaymentStatus.BOOKED,
                paid_on=date.fromisoformat(record.paid_on),
                amount=format_grosze(int(record.amount)),
                method=record.method,
                title=record.title,
                allocations=[
                    AllocationOut(invoice=a["invoice"], amount=format_grosze(int(a["amount"])))
                    for a in record.allocations
                ],
            )
        )
    return PaymentList(items=items, next_cursor=page.next_cursor)
