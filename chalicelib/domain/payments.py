"""Online payment states as plain Python: what a gateway status means, which moves are
allowed (forward only; a paid order is never downgraded), and when an order holds the
invoices it pays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from chalicelib.clock import to_warsaw
from chalicelib.domain.errors import PaymentInProgress


class PaymentStatus(StrEnum):
    """An online payment order's state (stored and shown as its value)."""

    STARTED = "started"
    PENDING = "pending"  # the gateway reported it; the bank is still deciding
    PAID = "paid"
    FAILED = "failed"
    BOOKED = "booked"  # shown only: paid, and the billing system has booked it


# Gateway status (its own words) -> our status.
FROM_GATEWAY = {
    "PENDING": PaymentStatus.PENDING,
    "SUCCESS": PaymentStatus.PAID,
    "FAILURE": PaymentStatus.FAILED,
}

# An order in one of these states may still be paid: it holds its invoices.
OPEN = (PaymentStatus.STARTED, PaymentStatus.PENDING)
# An order in one of these states has ended; it never moves again.
ENDED = (PaymentStatus.PAID, PaymentStatus.FAILED)
# What an order is for: only invoices (chosen or all overdue) are held, never an amount of
# the customer's own choice.
HOLDING_PURPOSES = ("invoices", "overdue")

# The states an order may be in for a move to the key state.
MOVES_TO = {
    PaymentStatus.PENDING: (PaymentStatus.STARTED,),
    PaymentStatus.PAID: OPEN,
    PaymentStatus.FAILED: OPEN,
}


def is_held(until: int, order_status: str | None, now: int) -> bool:
    """Whether a hold until `until` (epoch seconds) of an order now in `order_status` (None
    when the order is unknown: being written) still keeps other orders off its invoice. A
    started order's form is signed valid only until the hold ends (the gateway refuses it
    later), so its hold may lapse then; a pending one holds until the gateway ends it."""
    if order_status == PaymentStatus.PENDING:
        # The gateway has the payment and the bank is deciding: it may still be paid, so it
        # holds until a final notification, however long that takes.
        return True
    return now < until and (order_status is None or order_status in OPEN)


@dataclass(frozen=True)
class OrderPart:
    """The part of an order meant for one invoice."""

    invoice: str
    amount: int  # grosze


@dataclass(frozen=True)
class Order:
    """An online payment order of one customer and its state."""

    customer_number: str
    order_id: str
    provider: str
    amount: int  # grosze
    purpose: str  # invoices | overdue | amount
    description: str
    status: str  # a PaymentStatus, never BOOKED
    created_at: datetime
    updated_at: datetime
    parts: tuple[OrderPart, ...] = ()
    currency: str = "PLN"
    email: str | None = None
    remote_id: str | None = None
    gateway_id: str | None = None
    paid_at: datetime | None = None
    status_details: str | None = None
    receipt_sent_at: datetime | None = None

    @property
    def holds_invoices(self) -> bool:
        """Whether the order holds the invoices it pays while it is open."""
        return self.purpose in HOLDING_PURPOSES


@dataclass(frozen=True)
class OrderPointer:
    """Where an order lives and what a notification must match; never changes."""

    order_id: str
    customer_number: str
    amount: int  # grosze
    currency: str


@dataclass(frozen=True)
class Hold:
    """The open order paying an invoice, until `until` (epoch seconds) at the latest."""

    invoice: str
    order_id: str
    until: int


@dataclass(frozen=True)
class Advance:
    """An order after a notification: as stored now, and whether this one moved it."""

    order: Order
    moved: bool


@dataclass(frozen=True)
class Started:
    """A started order and the signed form that sends the customer to the gateway."""

    order_id: str
    amount: int  # grosze
    status: str
    url: str
    fields: list[tuple[str, str]]


@dataclass(frozen=True)
class ReturnState:
    """What a customer coming back from the gateway is told about the order."""

    order_id: str
    status: str


def in_progress(hold: Hold) -> PaymentInProgress:
    """The 409 naming the open order that holds an invoice, and until when it may."""
    until = to_warsaw(datetime.fromtimestamp(hold.until, UTC)).strftime("%d.%m.%Y %H:%M")
    return PaymentInProgress(
        hold.order_id,
        f"Faktura {hold.invoice} ma już rozpoczętą płatność (nr {hold.order_id}). "
        f"Dokończ ją albo zacznij nową po {until}.",
    )
