"""Online payment states as plain Python: what a gateway status means and which moves are
allowed (forward only; a paid order is never downgraded)."""

from __future__ import annotations

STARTED, PENDING, PAID, FAILED, BOOKED = "started", "pending", "paid", "failed", "booked"

# Gateway status -> our status.
FROM_GATEWAY = {"PENDING": PENDING, "SUCCESS": PAID, "FAILURE": FAILED}

# The states an order may be in for a move to the key state.
MOVES_TO = {
    PENDING: (STARTED,),
    PAID: (STARTED, PENDING),
    FAILED: (STARTED, PENDING),
}


def can_move(current: str, new: str) -> bool:
    """Whether `current` may become `new`."""
    return current in MOVES_TO.get(new, ())
