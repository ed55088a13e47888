"""Staff work on tickets: the queue by due date, replies, status changes, internal notes
and assignment. Every change is recorded as an event (who, when, what); a reply or a
status change is e-mailed to the customer (transactional) and left as a pending notice
for the notifications list."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.clock import to_warsaw
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.tickets import (
    STATUS_LABELS,
    Event,
    Message,
    Thread,
    Ticket,
    TicketStatus,
    can_move,
)
from chalicelib.logs import logger
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.services.tickets import NO_TICKET, TICKET_ID, new_id
from chalicelib.settings import get_settings
from chalicelib.storage import accounts
from chalicelib.storage import tickets as store
from chalicelib.storage.tickets import QueueFilter, TicketPage


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff or admin login and its role."""

    login: str
    role: str


def queue(filters: QueueFilter, limit: int, cursor: str | None = None) -> TicketPage:
    """The staff queue, by due date (one Query for the first page of any one filter)."""
    return store.queue(filters, limit, cursor)


def thread(identifier: str) -> Thread:
    """A ticket with everything in it, internal notes included."""
    if not TICKET_ID.fullmatch(identifier):
        raise NotFound(NO_TICKET)
    found = store.thread(identifier)
    if found is None:
        raise NotFound(NO_TICKET)
    return found


def _ticket(identifier: str) -> Ticket:
    if not TICKET_ID.fullmatch(identifier):
        raise NotFound(NO_TICKET)
    ticket = store.get(identifier)
    if ticket is None:
        raise NotFound(NO_TICKET)
    return ticket


def _tell_customer(ticket: Ticket, what: str, deps: Collaborators, text: str | None) -> None:
    """E-mail the customer that something happened to their ticket. The change is made
    already and its event waits for the notifications list, so a failed send is logged,
    not raised."""
    account = accounts.get_account(ticket.customer)
    if account is None or not account.email:
        return
    status = STATUS_LABELS[ticket.status]
    context = {
        "reference": ticket.reference,
        "what": what,
        "status": status,
        "message": text,
        "due_on": ticket.due_on.strftime("%d.%m.%Y") if ticket.due_on else None,
        "link": f"{get_settings().public_url}/",
        "at": to_warsaw(deps.clock.now()).strftime("%d.%m.%Y %H:%M"),
    }
    try:
        deps.mailer.send("ticket_update", account.email, context)
    except Exception:
        logger.exception("ticket e-mail not sent", extra={"ticket": ticket.id})


def reply(
    identifier: str,
    actor: Actor,
    body: str,
    status: TicketStatus | None = None,
    deps: Collaborators | None = None,
) -> Ticket:
    """Staff answer the customer (optionally moving the ticket on); the customer is
    e-mailed."""
    deps = deps or current()
    ticket = _ticket(identifier)
    if status is not None and status != ticket.status and not can_move(ticket.status, status):
        raise Conflict(_no_move(ticket.status, status))
    now = deps.clock.now()
    message = Message(new_id(), actor.login, actor.role, body, now)
    moved = status if status is not None and status != ticket.status else None
    event = Event(
        id=new_id(),
        actor=actor.login,
        actor_role=actor.role,
        action="message",
        at=now,
        from_status=str(ticket.status) if moved else None,
        to_status=str(moved) if moved else None,
    )
    store.record(ticket, event, now, message=message, status=moved)
    changed = _after(ticket, moved, now)
    _tell_customer(changed, "Biuro Obsługi Klienta odpowiedziało w sprawie zgłoszenia.", deps, body)
    return changed


def _no_move(current_status: TicketStatus, to: TicketStatus) -> str:
    return (
        f"Zgłoszenia o statusie „{STATUS_LABELS[current_status]}” nie można przenieść do "
        f"statusu „{STATUS_LABELS[to]}”."
    )


def _after(ticket: Ticket, status: TicketStatus | None, now: datetime) -> Ticket:
    if status is None:
        return replace(ticket, updated_at=now)
    closed = status in (TicketStatus.RESOLVED, TicketStatus.REJECTED)
    return replace(ticket, status=status, updated_at=now, closed_at=now if closed else None)


def change_status(
    identifier: str, actor: Actor, to: TicketStatus, deps: Collaborators | None = None
) -> Ticket:
    """Move a ticket along its lifecycle (domain/tickets.py TRANSITIONS); the customer is
    e-mailed."""
    deps = deps or current()
    ticket = _ticket(identifier)
    if to == ticket.status or not can_move(ticket.status, to):
        raise Conflict(_no_move(ticket.status, to))
    now = deps.clock.now()
    event = Event(
        id=new_id(),
        actor=actor.login,
        actor_role=actor.role,
        action="status",
        at=now,
        from_status=str(ticket.status),
        to_status=str(to),
    )
    store.record(ticket, event, now, status=to)
    changed = _after(ticket, to, now)
    _tell_customer(changed, f"Zmienił się status zgłoszenia: {STATUS_LABELS[to]}.", deps, None)
    return changed


def note(identifier: str, actor: Actor, body: str, deps: Collaborators | None = None) -> Ticket:
    """An internal note: staff only, never shown to or e-mailed to the customer."""
    deps = deps or current()
    ticket = _ticket(identifier)
    now = deps.clock.now()
    message = Message(new_id(), actor.login, actor.role, body, now, internal=True)
    event = Event(
        id=new_id(),
        actor=actor.login,
        actor_role=actor.role,
        action="note",
        at=now,
        customer_visible=False,
    )
    store.record(ticket, event, now, message=message)
    return _after(ticket, None, now)


def assign(
    identifier: str, actor: Actor, assignee: str, deps: Collaborators | None = None
) -> Ticket:
    """Give a ticket to a staff member (staff only; the customer is not told)."""
    deps = deps or current()
    if not assignee or assignee == store.UNASSIGNED:
        raise InvalidInput(fields={"assignee": "Podaj login pracownika."})
    ticket = _ticket(identifier)
    now = deps.clock.now()
    event = Event(
        id=new_id(),
        actor=actor.login,
        actor_role=actor.role,
        action="assigned",
        at=now,
        detail=assignee,
        customer_visible=False,
    )
    store.record(ticket, event, now, assignee=assignee)
    return replace(ticket, assignee=assignee, updated_at=now)
