"""The staff's ticket work (roles `staff` and `admin`, second factor given): the queue by
due date, a ticket with its internal notes (reading it is audited), assignment, replies
and internal notes, status changes (each audited, services/ticket_work.py)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.domain.roles import STAFF_ROLES
from chalicelib.http.endpoint import ApiRequest, endpoint
from chalicelib.lazy import lazy_module

bp = Blueprint(__name__)
work = lazy_module("chalicelib.services.ticket_work")
schemas = lazy_module("chalicelib.schemas.staff_tickets")


def _actor(req: ApiRequest) -> Any:
    return work.Actor(req.user.login, req.user.role)


@endpoint(
    bp,
    "/staff/tickets",
    summary="Kolejka zgłoszeń i reklamacji według terminu (filtry: rodzaj, status, kategoria, "
    "przydział, termin do)",
    query="staff_tickets:StaffTicketQuery",
    returns="staff_tickets:StaffTicketList",
    errors=(400, 401, 403),
    roles=STAFF_ROLES,
)
def queue(req: ApiRequest) -> Any:
    q = req.query
    page = work.queue_page(
        kind=q.kind,
        status=q.status,
        category=q.category,
        assignee=q.assignee,
        due_by=q.due_by,
        limit=q.limit,
        cursor=q.cursor,
    )
    return schemas.StaffTicketList.from_result(page)


@endpoint(
    bp,
    "/staff/tickets/{ticket_id}",
    summary="Zgłoszenie z wiadomościami, notatkami wewnętrznymi, historią i załącznikami",
    returns="staff_tickets:StaffTicketDetail",
    errors=(401, 403, 404),
    roles=STAFF_ROLES,
)
def ticket(req: ApiRequest, ticket_id: str) -> Any:
    return schemas.StaffTicketDetail.from_view(work.view(ticket_id, _actor(req)))


@endpoint(
    bp,
    "/staff/tickets/{ticket_id}/assign",
    "POST",
    summary="Przydzielenie zgłoszenia pracownikowi",
    body="staff_tickets:AssignRequest",
    returns="staff_tickets:StaffTicketSummary",
    errors=(400, 401, 403, 404, 409),
    roles=STAFF_ROLES,
)
def assign(req: ApiRequest, ticket_id: str) -> Any:
    changed = work.assign(ticket_id, _actor(req), req.body.assignee)
    return schemas.StaffTicketSummary.from_ticket(changed)


@endpoint(
    bp,
    "/staff/tickets/{ticket_id}/messages",
    "POST",
    summary="Odpowiedź dla klienta (wysyłana e-mailem) lub notatka wewnętrzna",
    body="staff_tickets:StaffMessageCreate",
    returns="staff_tickets:StaffTicketDetail",
    status=201,
    errors=(400, 401, 403, 404, 409),
    roles=STAFF_ROLES,
)
def message(req: ApiRequest, ticket_id: str) -> Any:
    b = req.body
    view = work.write(ticket_id, _actor(req), b.body, internal=b.internal, status=b.status)
    return schemas.StaffTicketDetail.from_view(view)


@endpoint(
    bp,
    "/staff/tickets/{ticket_id}/status",
    "POST",
    summary="Zmiana statusu zgłoszenia (klient dostaje e-mail)",
    body="staff_tickets:StatusChange",
    returns="staff_tickets:StaffTicketSummary",
    errors=(400, 401, 403, 404, 409),
    roles=STAFF_ROLES,
)
def status(req: ApiRequest, ticket_id: str) -> Any:
    changed = work.change_status(ticket_id, _actor(req), req.body.status)
    return schemas.StaffTicketSummary.from_ticket(changed)
