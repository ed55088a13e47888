"""Online payments: start an order, apply the gateway's notifications (idempotent, forward
only), tell the returning customer what happened. Only the provider interface
(chalicelib/payments/provider.py) is used here, so another gateway needs no change."""

from __future__ import annotations

import re
import secrets as random_tokens
from datetime import UTC, date, datetime, timedelta

from pynamodb.exceptions import UpdateError

from chalicelib import clock
from chalicelib.adapters import mailer
from chalicelib.domain import ledger as rules
from chalicelib.domain import payment_plan
from chalicelib.domain.errors import (
    Conflict,
    InternalError,
    InvalidInput,
    NotFound,
    PaymentInProgress,
)
from chalicelib.domain.payment_plan import NO_INVOICE, Plan
from chalicelib.domain.payments import (
    ENDED,
    FROM_GATEWAY,
    HOLDING_PURPOSES,
    MOVES_TO,
    PaymentStatus,
    is_held,
)
from chalicelib.ids import decode_id
from chalicelib.logs import logger
from chalicelib.models.billing import BillingItem
from chalicelib.models.payments import OnlinePayment, OrderPart, OrderPointer, PaymentHold
from chalicelib.money import format_grosze
from chalicelib.payments import gateways
from chalicelib.payments.provider import (
    InvalidNotification,
    Provider,
    ProviderUnavailable,
    StartRequest,
    Transaction,
)
from chalicelib.schemas.fields import is_order_id
from chalicelib.schemas.payments import (
    FormField,
    GatewayForm,
    PaymentDetail,
    PaymentStart,
    ReturnStatus,
    StartedPayment,
)
from chalicelib.services import ledger as ledger_service
from chalicelib.services.notify import local_time
from chalicelib.settings import get_settings
from chalicelib.storage.accounts import get_account
from chalicelib.storage.billing import get_item
from chalicelib.storage.errors import is_condition_failure
from chalicelib.storage.payments import MAX_HOLDS, create_order, release_holds
from chalicelib.telemetry import security_event

MESSAGES = {
    PaymentStatus.STARTED: "Płatność rozpoczęta. Jeśli jej nie dokończono, można zacząć nową.",
    PaymentStatus.PENDING: (
        "Płatność jest w toku. Potwierdzenie z banku zwykle przychodzi w ciągu minut."
    ),
    PaymentStatus.PAID: (
        "Płatność otrzymana. Do czasu zaksięgowania faktury są oznaczone jako opłacone "
        "(oczekuje na zaksięgowanie)."
    ),
    PaymentStatus.FAILED: "Płatność nie powiodła się. Możesz spróbować ponownie.",
    PaymentStatus.BOOKED: "Płatność zaksięgowana.",
}


RECEIPT_CLAIM_LEASE = timedelta(minutes=5)  # a claim older than this was left by a dead run
# What a payment title may carry from the billing system (invoice and customer numbers);
# anything else - a "|" no gateway signature may hold, control characters - stays out.
_TITLE = re.compile(r"[0-9A-Za-zĄĆĘŁŃÓŚŹŻąćęłńóśźż ,./_\-]{1,79}")


def provider(name: str = gateways.DEFAULT) -> Provider:
    """The provider `name`; a clean 500 (logged, no stack trace) if it cannot work now."""
    try:
        return gateways.provider(name)
    except ProviderUnavailable as exc:
        logger.error("payment provider unavailable", extra={"provider": name, "reason": str(exc)})
        raise InternalError() from exc


def new_order_id(now: date) -> str:
    """A unique order id: 24 characters, letters and digits only."""
    return f"{now:%Y%m%d}{random_tokens.token_hex(8).upper()}"


def _plan(customer_number: str, body: PaymentStart, data: ledger_service.Ledger) -> Plan:
    states = rules.document_states(data.documents, data.payments, clock.today())
    if body.amount is not None:
        settings = get_settings()
        return payment_plan.own_amount(
            customer_number, body.amount, settings.payment_min_grosze, settings.payment_max_grosze
        )
    if body.overdue:
        return payment_plan.overdue(customer_number, states)
    # Decoded one by one as the plan takes them: the first bad id answers, as before.
    numbers = (decode_id(identifier, NO_INVOICE) for identifier in body.invoices or [])
    return payment_plan.invoices(numbers, states)


def gateway_description(text: str, order_id: str) -> str:
    """The payment title sent (and signed) to the gateway: the plan's text when it holds
    only what a title may, else one naming the order (enough to find everything)."""
    return text if _TITLE.fullmatch(text) else f"Płatność {order_id}"


def _in_progress(hold: PaymentHold) -> PaymentInProgress:
    """The 409 naming the open order that holds an invoice, and until when it may."""
    until = local_time(datetime.fromtimestamp(int(hold.until), UTC))
    return PaymentInProgress(
        hold.order_id,
        f"Faktura {hold.invoice} ma już rozpoczętą płatność (nr {hold.order_id}). "
        f"Dokończ ją albo zacznij nową po {until}.",
    )


def _holds(
    customer_number: str, plan: Plan, data: ledger_service.Ledger, order_id: str, now: datetime
) -> tuple[list[PaymentHold], dict[str, str]]:
    """The holds the order needs on the invoices it pays, and which stored holds it may
    replace (their orders ended); PaymentInProgress if an open order holds one."""
    if plan.purpose not in HOLDING_PURPOSES:
        return [], {}
    if len(plan.parts) > MAX_HOLDS:
        raise Conflict(
            f"Jedną płatnością można zapłacić najwyżej {MAX_HOLDS} faktur. Wybierz faktury."
        )
    epoch = int(now.timestamp())
    until = epoch + get_settings().payment_hold_minutes * 60
    statuses = {order.order_id: order.status for order in data.online}
    holds, replaceable = [], {}
    for number, _ in plan.parts:
        stored = data.holds.get(number)
        if stored is not None:
            if is_held(int(stored.until), statuses.get(stored.order_id), epoch):
                raise _in_progress(stored)
            replaceable[stored.sk] = stored.order_id
        holds.append(
            PaymentHold(
                BillingItem.partition(customer_number),
                PaymentHold.sort_key(number),
                order_id=order_id,
                until=until,
            )
        )
    return holds, replaceable


def start_payment(customer_number: str, body: PaymentStart) -> StartedPayment:
    """Create an order for an amount computed here and return the signed gateway form.
    Invoices are paid by one open order at a time: while one holds an invoice, another
    start for it is PaymentInProgress (409) naming that order."""
    data = ledger_service.load(customer_number)
    plan = _plan(customer_number, body, data)
    gateway = provider()  # before anything is stored
    account = get_account(customer_number)
    email = account.email if account else None
    now = clock.now()
    order_id = new_order_id(now.date())
    holds, replaceable = _holds(customer_number, plan, data, order_id, now)
    description = gateway_description(plan.description, order_id)
    # Signed before anything is stored: a form that cannot be made leaves no order behind.
    # The gateway takes the payment only while the order may hold its invoices.
    valid_until = now + timedelta(minutes=get_settings().payment_hold_minutes)
    redirect = gateway.start(StartRequest(order_id, plan.amount, description, email, valid_until))
    order = OnlinePayment(
        BillingItem.partition(customer_number),
        OnlinePayment.sort_key(order_id),
        order_id=order_id,
        provider=gateway.name,
        amount=plan.amount,
        currency="PLN",
        purpose=plan.purpose,
        parts=[OrderPart(invoice=number, amount=amount) for number, amount in plan.parts],
        description=description,
        status=PaymentStatus.STARTED,
        created_at=now.isoformat(),
        updated_at=now.isoformat(),
        email=email,
    )
    pointer = OrderPointer(
        *OrderPointer.key(order_id), customer=customer_number, amount=plan.amount, currency="PLN"
    )
    in_the_way = create_order(order, pointer, holds, int(now.timestamp()), replaceable)
    if in_the_way is not None:  # a concurrent start got there first
        raise _in_progress(in_the_way)
    return StartedPayment(
        order_id=order_id,
        amount=format_grosze(plan.amount),
        status=PaymentStatus.STARTED,
        gateway=GatewayForm(
            url=redirect.url, fields=[FormField(name=n, value=v) for n, v in redirect.fields]
        ),
    )


def get_payment(customer_number: str, order_id: str) -> PaymentDetail:
    """One of the customer's online payments."""
    if not is_order_id(order_id):
        raise NotFound("Nie ma takiej płatności.")
    data = ledger_service.load(customer_number)
    order = next((o for o in data.online if o.order_id == order_id), None)
    if order is None:
        raise NotFound("Nie ma takiej płatności.")
    status = data.online_status(order)
    listed = ledger_service.online_payment_out(order, status)
    return PaymentDetail(**listed.model_dump(), remote_id=order.remote_id, message=MESSAGES[status])


# --- notifications --------------------------------------------------------------------


def _apply(transaction: Transaction) -> bool:
    """Apply one verified transaction; True to confirm it to the gateway."""
    pointer = get_item_pointer(transaction.order_id)
    if pointer is None:
        security_event("itn_unknown_order", order_id=transaction.order_id)
        return False
    if transaction.amount != int(pointer.amount) or transaction.currency != pointer.currency:
        security_event("itn_amount_mismatch", order_id=transaction.order_id)
        return False
    new = FROM_GATEWAY.get(transaction.status)
    if new is None:
        security_event("itn_unknown_status", order_id=transaction.order_id)
        return False
    order = OnlinePayment(
        BillingItem.partition(pointer.customer), OnlinePayment.sort_key(transaction.order_id)
    )
    now = clock.now().isoformat()
    actions = [OnlinePayment.status.set(new), OnlinePayment.updated_at.set(now)]
    if transaction.remote_id:
        actions.append(OnlinePayment.remote_id.set(transaction.remote_id))
    if transaction.gateway_id:
        actions.append(OnlinePayment.gateway_id.set(transaction.gateway_id))
    if transaction.status_details:
        actions.append(OnlinePayment.status_details.set(transaction.status_details[:200]))
    if new == PaymentStatus.PAID:
        actions.append(OnlinePayment.paid_at.set(transaction.payment_date or now))
    try:
        # update() loads the item as it is after the write (ALL_NEW)
        order.update(actions=actions, condition=OnlinePayment.status.is_in(*MOVES_TO[new]))
    except UpdateError as exc:
        if not is_condition_failure(exc):
            raise
        # A repeat, or a move backwards: nothing changes; the gateway may stop resending.
        order = OnlinePayment.get(order.pk, order.sk, consistent_read=True)
        if new == PaymentStatus.PAID and order.status == PaymentStatus.FAILED:
            # Money arrived for an order we consider failed: staff must look at it.
            security_event(
                "itn_success_after_failure",
                order_id=transaction.order_id,
                remote_id=transaction.remote_id,
            )
    if order.status in ENDED:
        _release(order)
    if order.status == PaymentStatus.PAID:
        return _send_receipt(order)
    return True


def _release(order: OnlinePayment) -> None:
    """Free the invoices an ended order held. A failure is only logged: the holds end by
    themselves after PAYMENT_HOLD_MINUTES, and the notification is applied all the same."""
    if order.purpose not in HOLDING_PURPOSES:
        return
    try:
        release_holds(order, [part.invoice for part in order.parts])
    except Exception:
        logger.exception("payment holds not released", extra={"order_id": order.order_id})


def get_item_pointer(order_id: str) -> OrderPointer | None:
    """The pointer of an order id from a notification."""
    if not is_order_id(order_id):
        return None
    try:
        return OrderPointer.get(*OrderPointer.key(order_id), consistent_read=True)
    except OrderPointer.DoesNotExist:
        return None


def _send_receipt(order: OnlinePayment) -> bool:
    """E-mail the receipt of a paid order effectively once; False when it could not be sent
    (answer NOTCONFIRMED: the gateway's retry sends it).

    A delivery claims the receipt with a conditional write, sends it, then marks it sent; if
    sending fails it releases its claim. A delivery that finds the receipt sent or claimed
    confirms (the claimant answers for it). A claim older than RECEIPT_CLAIM_LEASE was left
    by a run that died mid-way and may be taken over."""
    if not order.email or order.receipt_sent_at:
        return True
    now = clock.now()
    # Fixed-width UTC times, so that the condition may compare them as strings.
    claim = f"{now.isoformat(timespec='microseconds')}#{random_tokens.token_hex(4)}"
    stale = (now - RECEIPT_CLAIM_LEASE).isoformat(timespec="microseconds")
    try:
        order.update(
            actions=[OnlinePayment.receipt_claimed_at.set(claim)],
            condition=OnlinePayment.receipt_sent_at.does_not_exist()
            & (
                OnlinePayment.receipt_claimed_at.does_not_exist()
                | (OnlinePayment.receipt_claimed_at < stale)
            ),
        )
    except UpdateError as exc:
        if is_condition_failure(exc):
            return True  # sent, or being sent by another delivery
        raise
    try:
        mailer.send("payment_receipt", order.email, _receipt(order))
    except Exception:
        logger.exception("payment receipt not sent", extra={"order_id": order.order_id})
        order.update(
            actions=[OnlinePayment.receipt_claimed_at.remove()],
            condition=OnlinePayment.receipt_claimed_at == claim,
        )
        return False
    _mark_receipt_sent(order)
    return True


def _mark_receipt_sent(order: OnlinePayment, attempts: int = 3) -> None:
    """Record that the receipt went out (unconditional, so repeating it is harmless). If
    every attempt fails the claim stays, keeping other deliveries from sending it again
    until RECEIPT_CLAIM_LEASE ends."""
    for attempt in range(1, attempts + 1):
        try:
            order.update(
                actions=[
                    OnlinePayment.receipt_sent_at.set(clock.now().isoformat()),
                    OnlinePayment.receipt_claimed_at.remove(),
                ]
            )
            return
        except UpdateError:
            if attempt == attempts:
                logger.exception(
                    "payment receipt not marked sent", extra={"order_id": order.order_id}
                )


def _receipt(order: OnlinePayment) -> dict[str, object]:
    """What the receipt e-mail shows."""
    paid_at = order.paid_at or order.updated_at
    return {
        "order_id": order.order_id,
        "amount": int(order.amount),  # grosze: the template's `money` filter shows them
        "description": order.description,
        "paid_at": local_time(datetime.fromisoformat(paid_at)),
        "parts": [{"invoice": p.invoice, "amount": int(p.amount)} for p in order.parts],
    }


def handle_notification(provider_name: str, body: bytes, content_type: str) -> bytes:
    """Verify and apply a notification of the provider `provider_name`; its answer
    (confirmed per applied transaction)."""
    gateway = provider(provider_name)
    try:
        notification = gateway.parse_notification(body, content_type)
    except InvalidNotification as exc:
        security_event(
            f"itn_{exc.reason}", detail=exc.detail, provider=gateway.name, orders=len(exc.order_ids)
        )
        if not exc.order_ids:
            raise InvalidInput("Nieprawidłowe powiadomienie.") from exc
        return gateway.acknowledge([(order_id, False) for order_id in exc.order_ids])
    confirmations = []
    for transaction in notification.transactions:
        try:
            confirmed = _apply(transaction)
        except Exception:
            logger.exception("itn transaction failed", extra={"order_id": transaction.order_id})
            confirmed = False
        confirmations.append((transaction.order_id, confirmed))
    return gateway.acknowledge(confirmations)


def return_status(provider_name: str, params: dict[str, str]) -> ReturnStatus:
    """What to show a customer coming back from the gateway (the ITN decides the state)."""
    try:
        order_id = provider(provider_name).verify_return(params)
    except InvalidNotification as exc:
        raise NotFound("Nie rozpoznajemy tej płatności.") from exc
    pointer = get_item_pointer(order_id)
    if pointer is None:
        raise NotFound("Nie rozpoznajemy tej płatności.")
    order = get_item(OnlinePayment, pointer.customer, OnlinePayment.sort_key(order_id))
    status = order.status if order else PaymentStatus.STARTED
    if status == PaymentStatus.STARTED:
        status = PaymentStatus.PENDING  # back from the gateway: the bank is still deciding
    return ReturnStatus(order_id=order_id, status=status, message=MESSAGES[status])
