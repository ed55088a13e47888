"""Online payments: start an order, take the gateway's notifications (each transaction
applied by services/payment_notifications.py: idempotent, forward only), tell the returning
customer what happened. What to pay is domain/payment_plan.py, the orders' writes
storage/payments.py, the receipt services/receipts.py; only the provider interface
(chalicelib/payments/provider.py) is used, so another gateway needs no change."""

from __future__ import annotations

import secrets as random_tokens
from datetime import date, timedelta

from chalicelib.domain import ledger as rules
from chalicelib.domain import payment_plan
from chalicelib.domain.errors import InternalError, InvalidInput, NotFound
from chalicelib.domain.ledger import OrderDetail, online_line
from chalicelib.domain.payments import (
    Order,
    OrderPart,
    PaymentStatus,
    ReturnState,
    Started,
)
from chalicelib.ids import decode_id
from chalicelib.logs import logger
from chalicelib.payments import gateways
from chalicelib.payments.provider import (
    InvalidNotification,
    Provider,
    ProviderUnavailable,
    StartRequest,
)
from chalicelib.schemas.fields import is_order_id
from chalicelib.schemas.payments import PaymentStart
from chalicelib.services import ledger as ledger_service
from chalicelib.services import payment_notifications
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.settings import get_settings
from chalicelib.storage import payments as orders
from chalicelib.storage.accounts import get_account
from chalicelib.telemetry import security_event

NO_PAYMENT = "Nie ma takiej płatności."
UNKNOWN_RETURN = "Nie rozpoznajemy tej płatności."


def provider(name: str = gateways.DEFAULT, deps: Collaborators | None = None) -> Provider:
    """The provider `name`; a clean 500 (logged, no stack trace) if it cannot work now."""
    try:
        return gateways.provider(name, (deps or current()).secrets)
    except ProviderUnavailable as exc:
        logger.error("payment provider unavailable", extra={"provider": name, "reason": str(exc)})
        raise InternalError() from exc


def new_order_id(now: date) -> str:
    """A unique order id: 24 characters, letters and digits only."""
    return f"{now:%Y%m%d}{random_tokens.token_hex(8).upper()}"


def start_payment(
    customer_number: str, body: PaymentStart, deps: Collaborators | None = None
) -> Started:
    """Create an order for an amount computed here and return the signed gateway form.
    Invoices are paid by one open order at a time: while one holds an invoice, another
    start for it is PaymentInProgress (409) naming that order."""
    deps, settings = deps or current(), get_settings()
    data = ledger_service.load(customer_number)
    # Decoded one by one as the plan takes them: the first bad id answers.
    numbers = (decode_id(i, payment_plan.NO_INVOICE) for i in body.invoices or [])
    plan = payment_plan.choose(
        customer_number,
        rules.document_states(data.documents, data.payments, deps.clock.today()),
        amount=body.amount,
        all_overdue=body.overdue,
        numbers=numbers,
        minimum=settings.payment_min_grosze,
        maximum=settings.payment_max_grosze,
    )
    gateway = provider(deps=deps)  # before anything is stored
    account = get_account(customer_number)
    email = account.email if account else None
    now = deps.clock.now()
    order_id, epoch = new_order_id(now.date()), int(now.timestamp())
    hold_time = timedelta(minutes=settings.payment_hold_minutes)
    statuses = {order.order_id: order.status for order in data.online}
    until = epoch + int(hold_time.total_seconds())
    holds, replaceable = payment_plan.holds(
        plan, order_id, data.holds, statuses, epoch, until, orders.MAX_HOLDS
    )
    description = payment_plan.gateway_description(plan.description, order_id)
    # Signed before anything is stored: a form that cannot be made leaves no order behind.
    # The gateway takes the payment only while the order may hold its invoices.
    request = StartRequest(order_id, plan.amount, description, email, now + hold_time)
    redirect = gateway.start(request)
    parts = tuple(OrderPart(number, amount) for number, amount in plan.parts)
    order = Order(
        customer_number, order_id, gateway.name, plan.amount, plan.purpose, description,
        PaymentStatus.STARTED, now, now, parts=parts, email=email,
    )  # fmt: skip
    orders.create_order(order, holds, epoch, replaceable)
    return Started(order_id, plan.amount, order.status, redirect.url, redirect.fields)


def get_payment(customer_number: str, order_id: str) -> OrderDetail:
    """One of the customer's online payments."""
    if not is_order_id(order_id):
        raise NotFound(NO_PAYMENT)
    data = ledger_service.load(customer_number)
    order = next((o for o in data.online if o.order_id == order_id), None)
    if order is None:
        raise NotFound(NO_PAYMENT)
    return OrderDetail(online_line(order, data.online_status(order)), order.remote_id)


def handle_notification(
    provider_name: str, body: bytes, content_type: str, deps: Collaborators | None = None
) -> bytes:
    """Verify and apply a notification of the provider `provider_name`; its answer
    (confirmed per applied transaction)."""
    deps = deps or current()
    gateway = provider(provider_name, deps)
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
            confirmed = payment_notifications.apply(transaction, deps)
        except Exception:
            logger.exception("itn transaction failed", extra={"order_id": transaction.order_id})
            confirmed = False
        confirmations.append((transaction.order_id, confirmed))
    return gateway.acknowledge(confirmations)


def return_status(
    provider_name: str, params: dict[str, str], deps: Collaborators | None = None
) -> ReturnState:
    """What to show a customer coming back from the gateway (the ITN decides the state)."""
    try:
        order_id = provider(provider_name, deps).verify_return(params)
    except InvalidNotification as exc:
        raise NotFound(UNKNOWN_RETURN) from exc
    pointer = payment_notifications.find_pointer(order_id)
    if pointer is None:
        raise NotFound(UNKNOWN_RETURN)
    order = orders.get_order(pointer.customer_number, order_id)
    status = order.status if order else PaymentStatus.STARTED
    if status == PaymentStatus.STARTED:
        status = PaymentStatus.PENDING  # back from the gateway: the bank is still deciding
    return ReturnState(order_id, status)
