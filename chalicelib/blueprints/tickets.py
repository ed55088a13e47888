"""The customer's tickets: complaints and operational reports, messages, attachments."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.http.endpoint import ApiRequest, endpoint
from chalicelib.lazy import lazy_module

bp = Blueprint(__name__)
tickets = lazy_module("chalicelib.services.tickets")
schemas = lazy_module("chalicelib.schemas.tickets")


@endpoint(
    bp,
    "/tickets",
    summary="Reklamacje i zgłoszenia klienta, od najnowszych",
    query="ledger:PageQuery",
    returns="tickets:TicketList",
    errors=(400, 401),
)
def ticket_list(req: ApiRequest) -> Any:
    page = tickets.list_tickets(req.user.login, req.query.limit, req.query.cursor)
    return schemas.TicketList.from_result(page)


@endpoint(
    bp,
    "/tickets",
    "POST",
    summary="Złożenie reklamacji lub zgłoszenia eksploatacyjnego",
    body="tickets:TicketCreate",
    returns="tickets:TicketDetail",
    status=201,
    errors=(400, 401, 403, 429),
)
def ticket_create(req: ApiRequest) -> Any:
    thread = tickets.open_ticket(req.user.login, req.body)
    return schemas.TicketDetail.from_thread(tickets.customer_view(thread))


@endpoint(
    bp,
    "/tickets/{ticket_id}",
    summary="Zgłoszenie z wiadomościami, historią i załącznikami",
    returns="tickets:TicketDetail",
    errors=(401, 404),
)
def ticket_detail(req: ApiRequest, ticket_id: str) -> Any:
    return schemas.TicketDetail.from_thread(tickets.get_ticket(req.user.login, ticket_id))


@endpoint(
    bp,
    "/tickets/{ticket_id}/messages",
    "POST",
    summary="Wiadomość do zgłoszenia (wznawia zamknięte w dozwolonym czasie)",
    body="tickets:MessageCreate",
    returns="tickets:TicketDetail",
    status=201,
    errors=(400, 401, 403, 404, 409),
)
def ticket_message(req: ApiRequest, ticket_id: str) -> Any:
    view = tickets.write_message(req.user.login, ticket_id, req.body)
    return schemas.TicketDetail.from_thread(view)


@endpoint(
    bp,
    "/tickets/{ticket_id}/attachments",
    "POST",
    summary="Załącznik do zgłoszenia: formularz przesłania pliku (JPEG, PNG, PDF do 10 MB)",
    body="tickets:AttachmentCreate",
    returns="tickets:AttachmentCreated",
    status=201,
    errors=(400, 401, 403, 404, 409),
)
def ticket_attachment(req: ApiRequest, ticket_id: str) -> Any:
    upload = tickets.request_attachment(req.user.login, ticket_id, req.body)
    return schemas.AttachmentCreated.from_result(upload)
