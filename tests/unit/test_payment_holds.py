"""When an online order keeps other orders off the invoices it pays (domain/payments.py)."""

from __future__ import annotations

import pytest

from chalicelib.domain.payments import PaymentStatus, is_held

STARTED, PENDING, PAID, FAILED = (
    PaymentStatus.STARTED,
    PaymentStatus.PENDING,
    PaymentStatus.PAID,
    PaymentStatus.FAILED,
)


@pytest.mark.parametrize(
    ("until", "status", "held"),
    [
        (101, STARTED, True),
        (101, PENDING, True),
        (101, None, True),  # the order is not seen yet: being written by a concurrent start
        (100, STARTED, False),  # its time is up: an order never finished lets go
        (101, PAID, False),
        (101, FAILED, False),
    ],
)
def test_only_an_open_order_within_its_time_holds(until, status, held):
    assert is_held(until, status, now=100) is held
