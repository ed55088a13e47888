"""Writes of online payment orders: the order, its pointer and the holds on the invoices it
pays in one transaction (no two open orders pay one invoice); the holds released when the
order ends."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DeleteError, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import Conflict
from chalicelib.models.payments import OnlinePayment, OrderPointer, PaymentHold
from chalicelib.storage.errors import is_condition_failure

# TransactWriteItems takes 100 items: the order, its pointer and up to this many holds.
MAX_HOLDS = 98


def _connection() -> Any:
    """PynamoDB's low-level connection of the billing table (for transactions)."""
    return OnlinePayment._get_connection().connection


def create_order(
    order: OnlinePayment,
    pointer: OrderPointer,
    holds: list[PaymentHold],
    now: int,
    replaceable: dict[str, str],
) -> PaymentHold | None:
    """Write the order, its pointer and its `holds` at once, each hold on the condition that
    its invoice is free: no hold, one past its `until` (epoch seconds, `now`), or one of
    the order `replaceable[sk]` (seen ended; an ended order never reopens). Return None
    when written; else nothing is written and the hold in the way is returned (read
    strongly consistent), or Conflict if it went away meanwhile (a retry may pass)."""
    try:
        with TransactWrite(connection=_connection()) as tx:
            tx.save(order, condition=OnlinePayment.pk.does_not_exist())
            tx.save(pointer, condition=OrderPointer.pk.does_not_exist())
            for hold in holds:
                condition = PaymentHold.sk.does_not_exist() | (PaymentHold.until <= now)
                if hold.sk in replaceable:
                    condition |= PaymentHold.order_id == replaceable[hold.sk]
                tx.save(hold, condition=condition)
    except TransactWriteError as exc:
        if not is_condition_failure(exc):
            raise
        in_the_way = blocking(holds, now, replaceable)
        if in_the_way is None:
            raise Conflict("Nie udało się rozpocząć płatności. Spróbuj ponownie.") from exc
        return in_the_way
    return None


def blocking(holds: list[PaymentHold], now: int, replaceable: dict[str, str]) -> PaymentHold | None:
    """The first stored hold among `holds`' keys that keeps a new order off (BatchGetItem,
    strongly consistent)."""
    if not holds:
        return None
    keys = [(hold.pk, hold.sk) for hold in holds]
    for stored in PaymentHold.batch_get(keys, consistent_read=True):
        if int(stored.until) > now and replaceable.get(stored.sk) != stored.order_id:
            return stored
    return None


def release_holds(order: OnlinePayment, invoices: list[str]) -> None:
    """Remove the holds of an ended `order` on `invoices`, except any another order has
    taken over since (one transaction; one delete at a time only if one was taken over)."""
    if not invoices:
        return
    items = [PaymentHold(order.pk, PaymentHold.sort_key(number)) for number in invoices]
    # A hold already removed is no failure (repeated notifications release again).
    ours = PaymentHold.order_id.does_not_exist() | (PaymentHold.order_id == order.order_id)
    try:
        with TransactWrite(connection=_connection()) as tx:
            for item in items:
                tx.delete(item, condition=ours)
        return
    except TransactWriteError as exc:
        if not is_condition_failure(exc):
            raise
    for item in items:
        try:
            item.delete(condition=ours)
        except DeleteError as exc:
            if not is_condition_failure(exc):
                raise
