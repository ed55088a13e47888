"""Online payment orders in the billing table: the order, its pointer and the holds on the
invoices it pays written in one transaction (no two open orders pay one invoice); the
order moved forward by the gateway's notifications; its receipt claimed, released and
marked sent; the holds released when it ends. Services get domain/payments.py values."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from secrets import token_hex
from typing import Any

from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import Conflict
from chalicelib.domain.payments import (
    Advance,
    Hold,
    Order,
    OrderPart,
    OrderPointer,
    PaymentStatus,
    in_progress,
)
from chalicelib.models import payments as models
from chalicelib.models.billing import BillingItem
from chalicelib.models.payments import OnlinePayment, PaymentHold
from chalicelib.storage.billing import get_item
from chalicelib.storage.errors import is_condition_failure

# TransactWriteItems takes 100 items: the order, its pointer and up to this many holds.
MAX_HOLDS = 98


def _connection() -> Any:
    """PynamoDB's low-level connection of the billing table (for transactions)."""
    return OnlinePayment._get_connection().connection


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def order_of(item: OnlinePayment) -> Order:
    """The order an item holds."""
    return Order(
        customer_number=item.customer_number,
        order_id=item.order_id,
        provider=item.provider,
        amount=int(item.amount),
        purpose=item.purpose,
        description=item.description,
        status=item.status,
        created_at=datetime.fromisoformat(item.created_at),
        updated_at=datetime.fromisoformat(item.updated_at),
        parts=tuple(OrderPart(part.invoice, int(part.amount)) for part in item.parts),
        currency=item.currency,
        email=item.email,
        remote_id=item.remote_id,
        gateway_id=item.gateway_id,
        paid_at=_time(item.paid_at),
        status_details=item.status_details,
        receipt_sent_at=_time(item.receipt_sent_at),
    )


def hold_of(item: PaymentHold) -> Hold:
    """The hold an item holds."""
    return Hold(invoice=item.invoice, order_id=item.order_id, until=int(item.until))


def _item(order: Order) -> OnlinePayment:
    """The item of an order, by key only (for updates)."""
    return OnlinePayment(
        BillingItem.partition(order.customer_number), OnlinePayment.sort_key(order.order_id)
    )


def _hold_item(customer_number: str, hold: Hold) -> PaymentHold:
    return PaymentHold(
        BillingItem.partition(customer_number),
        PaymentHold.sort_key(hold.invoice),
        order_id=hold.order_id,
        until=hold.until,
    )


def find_order(order_id: str) -> OrderPointer | None:
    """The pointer of an order id from a notification (read strongly consistent)."""
    try:
        item = models.OrderPointer.get(*models.OrderPointer.key(order_id), consistent_read=True)
    except models.OrderPointer.DoesNotExist:
        return None
    return OrderPointer(order_id, item.customer, int(item.amount), item.currency)


def get_order(customer_number: str, order_id: str) -> Order | None:
    """One order of the customer, or None."""
    item = get_item(OnlinePayment, customer_number, OnlinePayment.sort_key(order_id))
    return order_of(item) if item else None


def create_order(order: Order, holds: list[Hold], now: int, replaceable: dict[str, str]) -> None:
    """Write the order, its pointer and its `holds` at once, each hold on the condition that
    its invoice is free: no hold, one past its `until` (epoch seconds, `now`), or one of
    the order `replaceable[invoice]` (seen ended; an ended order never reopens). Nothing is
    written when one is not: PaymentInProgress naming the hold in the way (read strongly
    consistent), or Conflict if it went away meanwhile (a retry may pass)."""
    item = OnlinePayment(
        BillingItem.partition(order.customer_number),
        OnlinePayment.sort_key(order.order_id),
        order_id=order.order_id,
        provider=order.provider,
        amount=order.amount,
        currency=order.currency,
        purpose=order.purpose,
        parts=[models.OrderPart(invoice=p.invoice, amount=p.amount) for p in order.parts],
        description=order.description,
        status=order.status,
        created_at=order.created_at.isoformat(),
        updated_at=order.updated_at.isoformat(),
        email=order.email,
    )
    pointer = models.OrderPointer(
        *models.OrderPointer.key(order.order_id),
        customer=order.customer_number,
        amount=order.amount,
        currency=order.currency,
    )
    items = [_hold_item(order.customer_number, hold) for hold in holds]
    try:
        with TransactWrite(connection=_connection()) as tx:
            tx.save(item, condition=OnlinePayment.pk.does_not_exist())
            tx.save(pointer, condition=models.OrderPointer.pk.does_not_exist())
            for hold, hold_item in zip(holds, items, strict=True):
                condition = PaymentHold.sk.does_not_exist() | (PaymentHold.until <= now)
                if hold.invoice in replaceable:
                    condition |= PaymentHold.order_id == replaceable[hold.invoice]
                tx.save(hold_item, condition=condition)
    except TransactWriteError as exc:
        if not is_condition_failure(exc):
            raise
        in_the_way = _blocking(items, now, replaceable)
        if in_the_way is None:
            raise Conflict("Nie udało się rozpocząć płatności. Spróbuj ponownie.") from exc
        raise in_progress(in_the_way) from exc


def _blocking(items: list[PaymentHold], now: int, replaceable: dict[str, str]) -> Hold | None:
    """The first stored hold among `items`' keys that keeps a new order off (BatchGetItem,
    strongly consistent)."""
    if not items:
        return None
    keys = [(item.pk, item.sk) for item in items]
    for stored in PaymentHold.batch_get(keys, consistent_read=True):
        hold = hold_of(stored)
        if hold.until > now and replaceable.get(hold.invoice) != hold.order_id:
            return hold
    return None


def advance_order(
    pointer: OrderPointer,
    *,
    to: PaymentStatus,
    from_: Iterable[str],
    at: datetime,
    remote_id: str | None = None,
    gateway_id: str | None = None,
    status_details: str | None = None,
    paid_at: str | None = None,
) -> Advance:
    """Move the order to `to` if it is in one of `from_`, recording what the gateway
    reported (the values given); else change nothing. The order as stored afterwards."""
    item = OnlinePayment(
        BillingItem.partition(pointer.customer_number), OnlinePayment.sort_key(pointer.order_id)
    )
    actions = [OnlinePayment.status.set(to), OnlinePayment.updated_at.set(at.isoformat())]
    if remote_id:
        actions.append(OnlinePayment.remote_id.set(remote_id))
    if gateway_id:
        actions.append(OnlinePayment.gateway_id.set(gateway_id))
    if status_details:
        actions.append(OnlinePayment.status_details.set(status_details))
    if paid_at:
        actions.append(OnlinePayment.paid_at.set(paid_at))
    try:
        # update() loads the item as it is after the write (ALL_NEW)
        item.update(actions=actions, condition=OnlinePayment.status.is_in(*from_))
    except UpdateError as exc:
        if not is_condition_failure(exc):
            raise
        stored = OnlinePayment.get(item.pk, item.sk, consistent_read=True)
        return Advance(order_of(stored), moved=False)
    return Advance(order_of(item), moved=True)


def release_holds(order: Order, invoices: list[str]) -> None:
    """Remove the holds of an ended `order` on `invoices`, except any another order has
    taken over since (one transaction; one delete at a time only if one was taken over)."""
    if not invoices:
        return
    partition = BillingItem.partition(order.customer_number)
    items = [PaymentHold(partition, PaymentHold.sort_key(number)) for number in invoices]
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


def claim_receipt(order: Order, at: datetime, stale_before: datetime) -> str | None:
    """Claim the sending of the order's receipt: the claim, or None when the receipt was
    sent or another claim newer than `stale_before` holds it."""
    # Fixed-width UTC times, so that the condition may compare them as strings.
    claim = f"{at.isoformat(timespec='microseconds')}#{token_hex(4)}"
    stale = stale_before.isoformat(timespec="microseconds")
    try:
        _item(order).update(
            actions=[OnlinePayment.receipt_claimed_at.set(claim)],
            condition=OnlinePayment.receipt_sent_at.does_not_exist()
            & (
                OnlinePayment.receipt_claimed_at.does_not_exist()
                | (OnlinePayment.receipt_claimed_at < stale)
            ),
        )
    except UpdateError as exc:
        if is_condition_failure(exc):
            return None
        raise
    return claim


def release_receipt(order: Order, claim: str) -> None:
    """Give up a claim (the receipt was not sent), if it is still ours."""
    _item(order).update(
        actions=[OnlinePayment.receipt_claimed_at.remove()],
        condition=OnlinePayment.receipt_claimed_at == claim,
    )


def mark_receipt_sent(order: Order, at: datetime) -> None:
    """Record that the receipt went out and end the claim (unconditional: repeating it is
    harmless)."""
    _item(order).update(
        actions=[
            OnlinePayment.receipt_sent_at.set(at.isoformat()),
            OnlinePayment.receipt_claimed_at.remove(),
        ]
    )
