"""Online payment states as plain Python: what a gateway status means, which moves are
allowed (forward only; a paid order is never downgraded), and when an order holds the
invoices it pays."""

from __future__ import annotations

from enum import StrEnum


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
