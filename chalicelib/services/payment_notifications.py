"""A verified transaction of a gateway's notification applied to its order: checked
against the order's pointer, moved forward only (storage/payments.py advance_order), the
invoices of an ended order released, the receipt of a paid one sent (services/receipts.py).
"""

from __future__ import annotations

from chalicelib.domain.payments import (
    ENDED,
    FROM_GATEWAY,
    MOVES_TO,
    Order,
    OrderPointer,
    PaymentStatus,
)
from chalicelib.logs import logger
from chalicelib.payments.provider import Transaction
from chalicelib.schemas.fields import is_order_id
from chalicelib.services import receipts
from chalicelib.services.collaborators import Collaborators
from chalicelib.storage import payments as orders
from chalicelib.telemetry import security_event


def find_pointer(order_id: str) -> OrderPointer | None:
    """The pointer of an order id from the gateway (only ids we issue are looked up)."""
    return orders.find_order(order_id) if is_order_id(order_id) else None


def apply(transaction: Transaction, deps: Collaborators) -> bool:
    """Apply one verified transaction; True to confirm it to the gateway."""
    pointer = find_pointer(transaction.order_id)
    if pointer is None:
        security_event("itn_unknown_order", order_id=transaction.order_id)
        return False
    if transaction.amount != pointer.amount or transaction.currency != pointer.currency:
        security_event("itn_amount_mismatch", order_id=transaction.order_id)
        return False
    new = FROM_GATEWAY.get(transaction.status)
    if new is None:
        security_event("itn_unknown_status", order_id=transaction.order_id)
        return False
    now = deps.clock.now()
    paid = new == PaymentStatus.PAID
    advance = orders.advance_order(
        pointer,
        to=new,
        from_=MOVES_TO[new],
        at=now,
        remote_id=transaction.remote_id,
        gateway_id=transaction.gateway_id,
        status_details=(transaction.status_details or "")[:200] or None,
        paid_at=(transaction.payment_date or now.isoformat()) if paid else None,
    )
    order = advance.order
    if not advance.moved and paid and order.status == PaymentStatus.FAILED:
        # Money arrived for an order we consider failed: staff must look at it.
        security_event(
            "itn_success_after_failure",
            order_id=transaction.order_id,
            remote_id=transaction.remote_id,
        )
    if order.status in ENDED:
        _release(order)
    if order.status == PaymentStatus.PAID:
        return receipts.send_receipt(order, deps)
    return True


def _release(order: Order) -> None:
    """Free the invoices an ended order held. A failure is only logged: the holds end by
    themselves after PAYMENT_HOLD_MINUTES, and the notification is applied all the same."""
    if not order.holds_invoices:
        return
    try:
        orders.release_holds(order, [part.invoice for part in order.parts])
    except Exception:
        logger.exception("payment holds not released", extra={"order_id": order.order_id})
