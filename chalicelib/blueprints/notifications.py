"""What the portal has told the customer, and the unsubscribe link of notices (public:
the link in a notice withdraws its consent without logging in)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.http.endpoint import ApiRequest, Reply, endpoint
from chalicelib.lazy import lazy_module

bp = Blueprint(__name__)
notifications = lazy_module("chalicelib.services.notifications")
schemas = lazy_module("chalicelib.schemas.notifications")

FORM = "application/x-www-form-urlencoded"


@endpoint(
    bp,
    "/notifications",
    summary="Powiadomienia wysłane klientowi, od najnowszych",
    query="ledger:PageQuery",
    returns="notifications:NotificationList",
    errors=(400, 401),
)
def notification_list(req: ApiRequest) -> Any:
    page = notifications.page(req.user.login, req.query.limit, req.query.cursor)
    return schemas.NotificationList.from_result(page)


@endpoint(
    bp,
    "/unsubscribe",
    summary="Co wycofa link do wypisania się, token w parametrze token (nic nie zmienia)",
    returns="notifications:UnsubscribeState",
    public=True,
    errors=(400,),
)
def unsubscribe_check(req: ApiRequest) -> Any:
    found = notifications.check_unsubscribe(_token(req.raw))
    return schemas.UnsubscribeState.from_result(found)


@endpoint(
    bp,
    "/unsubscribe",
    "POST",
    summary="Wypisanie się z powiadomień linkiem z wiadomości (RFC 8058: jedno kliknięcie)",
    returns="notifications:UnsubscribeState",
    public=True,
    errors=(400,),
    content_types=("application/json", FORM),
    form_fields=(("List-Unsubscribe", "One-Click (RFC 8058); token w parametrze token"),),
)
def unsubscribe(req: ApiRequest) -> Any:
    found = notifications.unsubscribe(_token(req.raw))
    return Reply(schemas.UnsubscribeState.from_result(found))


def _token(request: Any) -> str | None:
    """The token of a one-click POST (in the List-Unsubscribe URL's query: the body is
    `List-Unsubscribe=One-Click`) or of the portal's page (a JSON body `{"token": …}`)."""
    token = (request.query_params or {}).get("token")
    if token:
        return token
    if (request.headers.get("content-type") or "").startswith("application/json"):
        return schemas.token_in(request.raw_body or b"")
    return None
