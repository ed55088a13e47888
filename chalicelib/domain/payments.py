"""Online payment states as plain Python: what a gateway status means, which moves are
allowed (forward only; a paid order is never downgraded), and when an order holds the
invoices it pays."""

from __future__ import annotations

STARTED, PENDING, PAID, FAILED, BOOKED = "started", "pending", "paid", "failed", "booked"

# Gateway status -> our status.
FROM_GATEWAY = {"PENDING": PENDING, "SUCCESS": PAID, "FAILURE": FAILED}

# An order in one of these states may still be paid: it holds its invoices.
OPEN = (STARTED, PENDING)
# What an order is for: only invoices (chosen or all overdue) are held, never an amount of
# the customer's own choice.
HOLDING_PURPOSES = ("invoices", "overdue")

# The states an order may be in for a move to the key state.
MOVES_TO = {
    PENDING: (STARTED,),
    PAID: (STARTED, PENDING),
    FAILED: (STARTED, PENDING),
}


def can_move(current: str, new: str) -> bool:
    """Whether `current` may become `new`."""
    return current in MOVES_TO.get(new, ())


def is_held(until: int, order_status: str | None, now: int) -> bool:
    """Whether a hold until `until` (epoch seconds) of an order now in `order_status` (None
    when the order is unknown: being written) still keeps other orders off its invoice."""
    return now < until and (order_status is None or order_status in OPEN)
