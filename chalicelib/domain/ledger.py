"""The customer's ledger as plain data: invoice states, balance and settlements, derived
from what the billing system sent (documents, booked payments, balances as of a date).

Rules:
- A correction belongs to the document it corrects (followed to the first non-correction:
  the root). The root's amount due is its gross plus its corrections' gross; the corrections
  share the root's state. A duplicate is a copy: never a charge, shares its original's state.
- Payments settle invoices through their allocations (an allocation to a correction counts
  for its root). Paid when the allocations cover the amount due; partially paid when they
  cover part; a root whose amount due is zero or less is paid (nothing to pay).
- Overdue: something left to pay after the due date.
- Balance: the newest balance the billing system sent, plus charges issued and minus payments
  booked after its date; without one, all charges minus all payments. Positive: owed.
- Settlements: charges and payments in date order with a running balance that ends at the
  balance; when the billing system's balance does not match the history we hold, an opening
  balance entry makes up the difference.
- An online payment the gateway confirmed but the billing system has not booked yet counts
  as a payment (whatever the date of the billing system's balance) and marks what it paid
  as paid pending booking. Once booked (a payment naming the order), only the booking
  counts: the service stops passing the online payment in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from chalicelib.clock import to_warsaw
from chalicelib.domain import records
from chalicelib.domain.payments import Hold, Order, PaymentStatus


class InvoiceStatus(StrEnum):
    """An invoice's derived state (overdue is told apart by a flag)."""

    PAID = "paid"
    PAID_PENDING_BOOKING = "paid_pending_booking"  # by an online payment not yet booked
    PARTIALLY_PAID = "partially_paid"
    UNPAID = "unpaid"


class NoticeState(StrEnum):
    """Whether the customer is yet to be told about a new invoice (absent once told)."""

    PENDING = "pending"


@dataclass(frozen=True)
class Document:
    """An invoice or other billing document."""

    number: str
    kind: str  # invoice | correction | duplicate | interest_note | accounting_note
    issue_date: date
    due_date: date
    gross: int  # grosze, signed
    corrects: str | None = None
    duplicate_of: str | None = None


@dataclass(frozen=True)
class Payment:
    """A payment booked by the billing system."""

    payment_id: str
    paid_on: date
    amount: int  # grosze
    method: str
    allocations: tuple[tuple[str, int], ...] = ()  # (invoice number, grosze)
    pending_booking: bool = False  # an online payment the billing system has not booked


@dataclass(frozen=True)
class Balance:
    """The billing system's balance as of a date."""

    as_of: date
    amount: int


@dataclass
class DocumentState:
    """What a document means for the customer now."""

    document: Document
    root: str  # the number whose amount due this document belongs to
    amount_due: int  # of the root: gross plus corrections
    paid: int  # of the root: allocations
    status: InvoiceStatus
    overdue: bool
    corrections: list[str] = field(default_factory=list)  # of the root, in issue order

    @property
    def outstanding(self) -> int:
        """What is left to pay on the root."""
        return max(0, self.amount_due - self.paid)


@dataclass(frozen=True)
class Entry:
    """One line of the settlements ledger."""

    on: date
    kind: str  # opening | charge | payment | online_payment
    reference: str
    document_kind: str | None
    amount: int  # signed: charges positive, payments negative
    running: int


@dataclass(frozen=True)
class BalanceSummary:
    """The customer's balance as of a day."""

    today: date
    balance: int
    overdue: int
    next_due_date: date | None
    next_due_amount: int
    source_as_of: date | None


def is_charge(document: Document) -> bool:
    """Whether a document moves the balance (a duplicate does not)."""
    return document.kind != "duplicate"


def _root_of(number: str, by_number: dict[str, Document]) -> str:
    """Follow corrections and duplicates up to the document they belong to (which may not
    have been imported yet: then its number)."""
    seen: set[str] = set()
    current = number
    while True:
        doc = by_number.get(current)
        if doc is None:
            return current
        parent = {"correction": doc.corrects, "duplicate": doc.duplicate_of}.get(doc.kind)
        if not parent or current in seen:
            return current
        seen.add(current)
        current = parent


def document_states(
    documents: list[Document], payments: list[Payment], today: date
) -> dict[str, DocumentState]:
    """The state of every document, by number."""
    by_number = {doc.number: doc for doc in documents}
    roots = {doc.number: _root_of(doc.number, by_number) for doc in documents}
    due: dict[str, int] = defaultdict(int)
    corrections: dict[str, list[Document]] = defaultdict(list)
    for doc in documents:
        if is_charge(doc):
            due[roots[doc.number]] += doc.gross
        if doc.kind == "correction":
            corrections[roots[doc.number]].append(doc)
    paid: dict[str, int] = defaultdict(int)
    booked: dict[str, int] = defaultdict(int)
    for payment in payments:
        for invoice, amount in payment.allocations:
            paid[roots.get(invoice, invoice)] += amount
            if not payment.pending_booking:
                booked[roots.get(invoice, invoice)] += amount
    states = {}
    for doc in documents:
        root = roots[doc.number]
        root_doc = by_number.get(root, doc)
        amount_due, settled = due[root], paid[root]
        if amount_due <= 0 or booked[root] >= amount_due:
            status = InvoiceStatus.PAID
        elif settled >= amount_due:
            status = InvoiceStatus.PAID_PENDING_BOOKING
        elif settled > 0:
            status = InvoiceStatus.PARTIALLY_PAID
        else:
            status = InvoiceStatus.UNPAID
        states[doc.number] = DocumentState(
            document=doc,
            root=root,
            amount_due=amount_due,
            paid=settled,
            status=status,
            overdue=status in (InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.UNPAID)
            and root_doc.due_date < today,
            corrections=[
                c.number for c in sorted(corrections[root], key=lambda c: (c.issue_date, c.number))
            ],
        )
    return states


def _movements(documents: list[Document], payments: list[Payment]) -> list[Entry]:
    moves = [
        Entry(doc.issue_date, "charge", doc.number, doc.kind, doc.gross, 0)
        for doc in documents
        if is_charge(doc)
    ]
    moves += [
        Entry(
            payment.paid_on,
            "online_payment" if payment.pending_booking else "payment",
            payment.payment_id,
            None,
            -payment.amount,
            0,
        )
        for payment in payments
    ]
    # Charges before payments on the same day, then by reference: a stable order.
    return sorted(moves, key=lambda e: (e.on, e.kind != "charge", e.reference))


def balance_as_of(
    documents: list[Document], payments: list[Payment], balances: list[Balance]
) -> tuple[int, int, Balance | None]:
    """(balance, opening adjustment, the billing system's balance used) — see module doc."""
    moves = _movements(documents, payments)
    total = sum(m.amount for m in moves)
    if not balances:
        return total, 0, None
    latest = max(balances, key=lambda b: b.as_of)
    # The billing system's balance includes what it booked up to its date, never what it
    # has not booked: unbooked online payments always count.
    before = sum(m.amount for m in moves if m.on <= latest.as_of and m.kind != "online_payment")
    opening = latest.amount - before
    return total + opening, opening, latest


def settlements(
    documents: list[Document], payments: list[Payment], balances: list[Balance]
) -> list[Entry]:
    """The ledger in date order with a running balance that ends at the balance."""
    _, opening, latest = balance_as_of(documents, payments, balances)
    entries: list[Entry] = []
    running = 0
    moves = _movements(documents, payments)
    if opening and latest is not None:
        first = moves[0].on if moves else latest.as_of
        running = opening
        entries.append(Entry(min(first, latest.as_of), "opening", "", None, opening, running))
    for move in moves:
        running += move.amount
        entries.append(
            Entry(move.on, move.kind, move.reference, move.document_kind, move.amount, running)
        )
    return entries


def summary(
    documents: list[Document], payments: list[Payment], balances: list[Balance], today: date
) -> BalanceSummary:
    """Balance, overdue amount and the next payment due."""
    balance, _, latest = balance_as_of(documents, payments, balances)
    states = document_states(documents, payments, today)
    roots = {s.root: s for s in states.values() if s.root == s.document.number}
    overdue = sum(s.outstanding for s in roots.values() if s.overdue)
    upcoming = [s for s in roots.values() if s.outstanding > 0 and s.document.due_date >= today]
    next_date = min((s.document.due_date for s in upcoming), default=None)
    next_amount = sum(s.outstanding for s in upcoming if s.document.due_date == next_date)
    return BalanceSummary(
        today=today,
        balance=balance,
        overdue=overdue,
        next_due_date=next_date,
        next_due_amount=next_amount,
        source_as_of=latest.as_of if latest else None,
    )


# --- from the billing system's records and the portal's orders --------------------------


@dataclass(frozen=True)
class LedgerRecords:
    """Everything stored under a customer's ledger prefix, in sort-key order."""

    invoices: list[records.Invoice]
    payments: list[records.Payment]
    balances: list[records.Balance]
    orders: list[Order]
    holds: list[Hold]


def document_of(invoice: records.Invoice) -> Document:
    """The ledger's view of an imported invoice."""
    return Document(
        number=invoice.number,
        kind=invoice.kind,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        gross=invoice.gross,
        corrects=invoice.corrects,
        duplicate_of=invoice.duplicate_of,
    )


def booked_payment(payment: records.Payment) -> Payment:
    """The ledger's view of a payment the billing system booked."""
    return Payment(
        payment_id=payment.id,
        paid_on=payment.paid_on,
        amount=payment.amount,
        method=payment.method,
        allocations=tuple((a.invoice, a.amount) for a in payment.allocations),
    )


def unbooked_payment(order: Order) -> Payment:
    """The ledger's view of a paid online order the billing system has not booked yet."""
    return Payment(
        payment_id=order.order_id,
        paid_on=to_warsaw(order.paid_at or order.updated_at).date(),
        amount=order.amount,
        method="online",
        allocations=tuple((part.invoice, part.amount) for part in order.parts),
        pending_booking=True,
    )


@dataclass(frozen=True)
class InvoiceView:
    """An imported invoice and its state now."""

    invoice: records.Invoice
    state: DocumentState


@dataclass(frozen=True)
class InvoiceChain:
    """An invoice with the document it corrects and the other corrections of its chain."""

    invoice: InvoiceView
    original: InvoiceView | None
    corrections: list[InvoiceView]


@dataclass(frozen=True)
class FileDownload:
    """A short-lived link to one file."""

    url: str
    expires_at: str
    filename: str


@dataclass(frozen=True)
class SettlementPage:
    """A page of the ledger, newest first, and the balance it ends at."""

    entries: list[Entry]
    next_cursor: str | None
    balance: int


@dataclass(frozen=True)
class PaymentLine:
    """A payment as listed: booked by the billing system, or made online."""

    id: str
    source: str  # billing | online
    status: str
    paid_on: date
    amount: int  # grosze
    method: str
    title: str | None
    allocations: tuple[tuple[str, int], ...]


def booked_line(payment: records.Payment) -> PaymentLine:
    """A booked payment as listed."""
    return PaymentLine(
        id=payment.id,
        source="billing",
        status=PaymentStatus.BOOKED,
        paid_on=payment.paid_on,
        amount=payment.amount,
        method=payment.method,
        title=payment.title,
        allocations=tuple((a.invoice, a.amount) for a in payment.allocations),
    )


def online_line(order: Order, status: str) -> PaymentLine:
    """An online order as listed, in its visible `status`."""
    return PaymentLine(
        id=order.order_id,
        source="online",
        status=status,
        paid_on=to_warsaw(order.paid_at or order.created_at).date(),
        amount=order.amount,
        method="online",
        title=order.description,
        allocations=tuple((part.invoice, part.amount) for part in order.parts),
    )


@dataclass(frozen=True)
class OrderDetail:
    """One online order in detail."""

    line: PaymentLine
    remote_id: str | None
