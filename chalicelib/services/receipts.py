"""The receipt of a paid online order, e-mailed effectively once: a delivery claims it with
a conditional write, sends it, then marks it sent; if sending fails it releases its claim.
A delivery that finds the receipt sent or claimed leaves it to the claimant. A claim older
than RECEIPT_CLAIM_LEASE was left by a run that died mid-way and may be taken over."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.notifications import NotificationKind
from chalicelib.domain.payments import Order
from chalicelib.logs import logger
from chalicelib.services import notifications
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.services.notify import local_time
from chalicelib.storage import payments as orders

RECEIPT_CLAIM_LEASE = timedelta(minutes=5)  # a claim older than this was left by a dead run
MARK_ATTEMPTS = 3


def send_receipt(order: Order, deps: Collaborators | None = None) -> bool:
    """E-mail the receipt of a paid order unless it was sent or is being sent; False when
    it could not be sent (answer NOTCONFIRMED: the gateway's retry sends it)."""
    if not order.email or order.receipt_sent_at:
        return True
    deps = deps or current()
    now = deps.clock.now()
    claim = orders.claim_receipt(order, now, now - RECEIPT_CLAIM_LEASE)
    if claim is None:
        return True  # sent, or being sent by another delivery
    try:
        notifications.notify(
            order.customer_number,
            NotificationKind.PAYMENT_RECEIPT,
            receipt(order),
            key=f"payment_receipt:{order.order_id}",
            to=order.email,
            deps=deps,
        )
    except Exception:
        logger.exception("payment receipt not sent", extra={"order_id": order.order_id})
        orders.release_receipt(order, claim)
        return False
    _mark_sent(order, deps)
    return True


def _mark_sent(order: Order, deps: Collaborators) -> None:
    """Record that the receipt went out (repeating it is harmless). If every attempt fails
    the claim stays, keeping other deliveries from sending it again until
    RECEIPT_CLAIM_LEASE ends."""
    for attempt in range(1, MARK_ATTEMPTS + 1):
        try:
            orders.mark_receipt_sent(order, deps.clock.now())
            return
        except Exception:
            if attempt == MARK_ATTEMPTS:
                logger.exception(
                    "payment receipt not marked sent", extra={"order_id": order.order_id}
                )


def receipt(order: Order) -> dict[str, object]:
    """What the receipt e-mail shows."""
    return {
        "order_id": order.order_id,
        "amount": order.amount,  # grosze: the template's `money` filter shows them
        "description": order.description,
        "paid_at": local_time(order.paid_at or order.updated_at),
        "parts": [{"invoice": p.invoice, "amount": p.amount} for p in order.parts],
    }
