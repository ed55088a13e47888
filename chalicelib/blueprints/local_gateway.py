"""Local stage only: a fake Blue Media gateway. It takes the signed start form, shows the
order with "Zapłać" / "Odrzuć", then sends a correctly signed ITN to the local callback
exactly as the gateway would, and sends the browser back with a signed return — so the
whole payment journey works offline in the demo."""

from __future__ import annotations

import html
import secrets
import urllib.request
from urllib.parse import parse_qs, urlencode, urlsplit

from chalice import Blueprint, Response

from chalicelib import clock
from chalicelib.blueprints.local_pages import PAGE_HEADERS, page
from chalicelib.domain.formatting import money_pl
from chalicelib.http.local_only import local_route
from chalicelib.money import parse_grosze
from chalicelib.payments.bluemedia import (
    ORDER_ID,
    SEPARATOR,
    START_FIELDS,
    same_hash,
    signature,
    validity_time,
)
from chalicelib.payments.gateways import bluemedia
from chalicelib.settings import get_settings

bp = Blueprint(__name__)
FORM = "application/x-www-form-urlencoded"


def _form(request: object) -> dict[str, str]:
    raw = (getattr(request, "raw_body", b"") or b"").decode("utf-8", "replace")
    return {name: values[0] for name, values in parse_qs(raw).items()}


def _return_url() -> str:
    settings = get_settings()
    return settings.payment_return_url or f"{settings.public_url}/platnosc/powrot"


def _gateway_page(title: str, body: str, status: int = 200) -> Response:
    """A page of the fake gateway. Its forms post here and are answered with a redirect to
    the portal's return page, on another origin: a browser applies `form-action` to that
    redirect too, so the return page's origin is allowed besides 'self'."""
    response = page(title, body)
    parts = urlsplit(_return_url())
    policy = PAGE_HEADERS["Content-Security-Policy"].replace(
        "form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}"
    )
    response.headers = {**response.headers, "Content-Security-Policy": policy}
    response.status_code = status
    return response


def _error(message: str) -> Response:
    return _gateway_page("Bramka testowa: błąd", f"<p>{html.escape(message)}</p>", 400)


@local_route(bp, "/_local/bluemedia/payment", methods=["POST"], content_types=[FORM])
def payment_page() -> Response:
    fields = _form(bp.current_request)
    if any(SEPARATOR in value for value in fields.values()):
        return _error("Nieprawidłowy podpis formularza płatności.")  # never signed so
    gateway = bluemedia()
    sent = [fields[name] for name in START_FIELDS if fields.get(name)]
    if fields.get("ServiceID") != gateway.service_id or not same_hash(
        fields.get("Hash", ""), signature(sent, gateway.shared_key)
    ):
        return _error("Nieprawidłowy podpis formularza płatności.")
    validity = fields.get("ValidityTime")
    if validity and validity < validity_time(clock.now()):  # same fixed-width local format
        return _error("Czas na dokonanie tej płatności minął.")
    hidden = "".join(
        f"<input type='hidden' name='{name}' value='{html.escape(fields.get(name, ''))}'>"
        for name in ("OrderID", "Amount", "Currency")
    )
    shown = {**fields, "Amount": _amount(fields.get("Amount", ""))}
    rows = "".join(
        f"<tr><th>{label}</th><td>{html.escape(shown.get(name, ''))}</td></tr>"
        for label, name in (
            ("Zamówienie", "OrderID"),
            ("Kwota", "Amount"),
            ("Tytuł", "Description"),
            ("E-mail", "CustomerEmail"),
        )
    )
    buttons = "".join(
        f"<form method='post' action='/_local/bluemedia/decide' style='display:inline'>"
        f"{hidden}<input type='hidden' name='Status' value='{status}'>"
        f"<button type='submit'>{label}</button></form> "
        for status, label in (("SUCCESS", "Zapłać"), ("FAILURE", "Odrzuć"))
    )
    return _gateway_page(
        "Bramka płatności (lokalna, testowa)",
        f"<table border='1' cellpadding='4'>{rows}</table><p>{buttons}</p>",
    )


def _amount(text: str) -> str:
    """The signed amount ("123.45") as a person reads it; as sent if it is not one."""
    try:
        return money_pl(parse_grosze(text))
    except ValueError:
        return text


@local_route(bp, "/_local/bluemedia/decide", methods=["POST"], content_types=[FORM])
def decide() -> Response:
    fields = _form(bp.current_request)
    status = fields.get("Status")
    order_id = fields.get("OrderID", "")
    if status not in ("SUCCESS", "FAILURE") or not ORDER_ID.fullmatch(order_id):
        return _error("Nieprawidłowa decyzja.")
    if any(SEPARATOR in value for value in fields.values()):
        return _error("Nieprawidłowa decyzja.")
    gateway = bluemedia()
    settings = get_settings()
    body = gateway.notification_body(
        [
            {
                "orderID": order_id,
                "remoteID": secrets.token_hex(5).upper(),
                "amount": fields.get("Amount", ""),
                "currency": fields.get("Currency", "PLN"),
                "gatewayID": "106",
                "paymentDate": clock.now().strftime("%Y%m%d%H%M%S"),
                "paymentStatus": status,
                "paymentStatusDetails": "AUTHORIZED" if status == "SUCCESS" else "REJECTED",
            }
        ]
    )
    # The provider calls the notification URL on the portal's origin, as CloudFront's
    # `/api/*` in production; locally the portal forwards it to the API the same way.
    notify = urllib.request.Request(  # noqa: S310 - our own local API
        f"{settings.public_url}/api/payments/notify/bluemedia",
        data=body,
        headers={"Content-Type": FORM},
        method="POST",
    )
    with urllib.request.urlopen(notify, timeout=10) as answer:  # noqa: S310
        answer.read()
    back = _return_url()
    query = urlencode(
        {
            "ServiceID": gateway.service_id,
            "OrderID": order_id,
            "Hash": gateway.return_hash(order_id),
        }
    )
    return Response(body="", status_code=303, headers={"Location": f"{back}?{query}"})
