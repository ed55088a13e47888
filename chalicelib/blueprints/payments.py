"""Online payments: start, details, the gateway's notification and the browser's return."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.http.endpoint import ApiRequest, endpoint
from chalicelib.lazy import lazy_module

bp = Blueprint(__name__)
payments = lazy_module("chalicelib.services.payments")
schemas = lazy_module("chalicelib.schemas.payments")

FORM = "application/x-www-form-urlencoded"


@endpoint(
    bp,
    "/payments",
    "POST",
    summary="Rozpoczęcie płatności online (faktury, zaległość lub własna kwota)",
    body="payments:PaymentStart",
    returns="payments:StartedPayment",
    status=201,
    errors=(400, 401, 403, 404, 409),
)
def start(req: ApiRequest) -> Any:
    return schemas.StartedPayment.from_result(payments.start_payment(req.user.login, req.body))


@endpoint(
    bp,
    "/payments/{order_id}",
    summary="Płatność online: stan i co pokazać klientowi",
    returns="payments:PaymentDetail",
    errors=(401, 404),
)
def detail(req: ApiRequest, order_id: str) -> Any:
    return schemas.PaymentDetail.from_result(payments.get_payment(req.user.login, order_id))


@endpoint(
    bp,
    "/payments/notify/bluemedia",
    "POST",
    summary="Powiadomienie ITN bramki Blue Media (podpisane; odpowiedź XML)",
    public=True,
    content_types=(FORM,),
    form_fields=(("transactions", "base64 dokumentu XML transactionList (podpisanego)"),),
    produces="text/xml",
    errors=(400,),
)
def notify(req: ApiRequest) -> Response:
    answer = payments.handle_notification(
        "bluemedia", req.raw.raw_body or b"", req.raw.headers.get("content-type", "")
    )
    return Response(
        body=answer.decode("utf-8"), status_code=200, headers={"Content-Type": "text/xml"}
    )


@endpoint(
    bp,
    "/payments/return/bluemedia",
    summary="Powrót klienta z bramki: ServiceID, OrderID, Hash → co pokazać",
    returns="payments:ReturnStatus",
    public=True,
    errors=(404,),
)
def back(req: ApiRequest) -> Any:
    state = payments.return_status("bluemedia", dict(req.raw.query_params or {}))
    return schemas.ReturnStatus.from_result(state)
