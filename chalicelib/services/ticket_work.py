"""Staff work on tickets: the queue by due date, reading a ticket, replies, status
changes, internal notes and assignment. Every change is recorded as an event (who, when,
what) and, like reading a ticket, in the audit log (before and after); a reply or a
status change is e-mailed to the customer (transactional, under the event's natural key
`ticket_update:<ticket>:<event>`, so it shows in their notifications list once). An e-mail
that fails is handed to the `ticket-updates` job's retry (jobs/ticket_updates.py), which
rebuilds it from the stored ticket and event."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from chalicelib.adapters import files
from chalicelib.clock import to_warsaw
from chalicelib.domain.accounts import AccountStatus
from chalicelib.domain.audit import AuditAction
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.notifications import NotificationKind
from chalicelib.domain.roles import STAFF_ROLES
from chalicelib.domain.tickets import (
    CATEGORIES,
    STATUS_LABELS,
    AttachmentState,
    Event,
    Message,
    Thread,
    Ticket,
    TicketKind,
    TicketStatus,
    can_move,
)
from chalicelib.logs import logger
from chalicelib.paging import DEFAULT_LIMIT
from chalicelib.services import audit, notifications
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.services.tickets import NO_TICKET, TICKET_ID, new_id, reopen_until
from chalicelib.settings import get_settings
from chalicelib.storage import accounts
from chalicelib.storage import tickets as store
from chalicelib.storage.tickets import QueueFilter, TicketPage

NO_SUCH_STAFF = "Nie ma aktywnego konta pracownika o tym loginie. Sprawdź login."


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff or admin login and its role."""

    login: str
    role: str


@dataclass(frozen=True)
class StaffThread:
    """A ticket as staff see it: everything in it, internal notes and staff-only events
    included, with short-lived links to the checked attachments."""

    thread: Thread
    reopen_until: datetime | None
    links: dict[str, tuple[str, str]] = field(default_factory=dict)


def target(identifier: str) -> str:
    """The audit log's name of a ticket."""
    return f"ticket:{identifier}"


def queue(
    filters: QueueFilter, limit: int, cursor: str | None = None, due_by: date | None = None
) -> TicketPage:
    """The staff queue, by due date (one Query for the first page of any one filter). A
    category that belongs to one kind only names its kind, so that its own index serves it.
    `due_by`: only tickets due on or before that day (a key condition of the same Query)."""
    if filters.category is not None and filters.kind is None:
        kinds = [kind for kind, names in CATEGORIES.items() if filters.category in names]
        if len(kinds) == 1:
            filters = replace(filters, kind=kinds[0])
    until = due_by.isoformat() if due_by else None
    return store.queue(filters, limit, cursor, until)


def queue_page(
    *,
    kind: str | None = None,
    status: str | None = None,
    category: str | None = None,
    assignee: str | None = None,
    due_by: date | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> TicketPage:
    """The queue filtered by the values a request gives (each optional)."""
    filters = QueueFilter(
        status=TicketStatus(status) if status else None,
        kind=TicketKind(kind) if kind else None,
        category=category,
        assignee=assignee,
    )
    return queue(filters, limit, cursor, due_by)


def view(identifier: str, actor: Actor, deps: Collaborators | None = None) -> StaffThread:
    """A ticket with everything in it and links to its checked attachments (one Query).
    Audited: a ticket holds the customer's personal data."""
    found, until, links = _fresh(identifier)
    ticket = found.ticket
    audit.record(
        actor.login,
        AuditAction.TICKET_VIEWED,
        target(ticket.id),
        after={"customer": ticket.customer, "status": ticket.status},
        deps=deps,
    )
    return StaffThread(found, until, links)


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


REPLIED = "Biuro Obsługi Klienta odpowiedziało w sprawie zgłoszenia."
MOVED = "Zmienił się status zgłoszenia: {status}."


def update_key(ticket_id: str, event_id: str) -> str:
    """The natural key of the e-mail telling the customer of one staff event: the first
    send and any retry share it, so the customer is told once."""
    return f"ticket_update:{ticket_id}:{event_id}"


def _tell_customer(
    ticket: Ticket, event: Event, what: str, deps: Collaborators, text: str | None
) -> None:
    """E-mail the customer that something happened to their ticket. The change is made
    already, so a failed send is not raised: it is queued for a retry (the `ticket-updates`
    job), and if even that fails, logged."""
    try:
        _send_update(ticket, event, what, text, deps)
    except Exception:
        logger.exception("ticket e-mail not sent", extra={"ticket": ticket.id})
        _retry_later(ticket.id, event.id, deps)


def _send_update(
    ticket: Ticket, event: Event, what: str, text: str | None, deps: Collaborators
) -> None:
    """Send the e-mail of `event` under its key (nothing if it went out before); raises
    what the mailer raised."""
    account = accounts.get_account(ticket.customer)
    if account is None or not account.email or account.created_at > event.at:
        return  # none, or one registered after the event (the number's earlier one closed)
    context = {
        "reference": ticket.reference,
        "what": what,
        "status": STATUS_LABELS[ticket.status],
        "message": text,
        "due_on": ticket.due_on.strftime("%d.%m.%Y") if ticket.due_on else None,
        "link": f"{get_settings().public_url}/zgloszenie?id={ticket.id}",
        "at": to_warsaw(event.at).strftime("%d.%m.%Y %H:%M"),
    }
    notifications.notify(
        ticket.customer,
        NotificationKind.TICKET_UPDATE,
        context,
        key=update_key(ticket.id, event.id),
        account=account,
        deps=deps,
    )


def _retry_later(ticket_id: str, event_id: str, deps: Collaborators) -> None:
    # Imported here: the job module registers its task and imports this module.
    from chalicelib.jobs import ticket_updates

    try:
        ticket_updates.queue_retry(ticket_id, event_id, deps)
    except Exception:
        logger.exception("ticket e-mail retry not queued", extra={"ticket": ticket_id})


def resend_update(ticket_id: str, event_id: str, deps: Collaborators | None = None) -> None:
    """Send the e-mail of one staff event again (the `ticket-updates` job's retry), rebuilt
    from the stored ticket, event and reply (one Query); its key makes it once, so nothing
    goes out if it was sent meanwhile. Nothing for a ticket or event not found, or an
    event the customer is not told of. Raises what the mailer raised (the job retries)."""
    deps = deps or current()
    found = store.thread(ticket_id) if TICKET_ID.fullmatch(ticket_id) else None
    event = next((e for e in found.events if e.id == event_id), None) if found else None
    if found is None or event is None:
        logger.warning("ticket e-mail retry: no such event", extra={"ticket": ticket_id})
        return
    if not event.customer_visible or event.actor_role not in STAFF_ROLES:
        return
    if event.action == "message":
        replies = [
            m.body
            for m in found.messages
            if m.at == event.at and m.author == event.actor and not m.internal
        ]
        _send_update(found.ticket, event, REPLIED, replies[0] if replies else None, deps)
    elif event.action == "status" and event.to_status:
        moved = MOVED.format(status=STATUS_LABELS[TicketStatus(event.to_status)])
        _send_update(found.ticket, event, moved, None, deps)


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
    status = TicketStatus(status) if status is not None else None
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
    audit.record(
        actor.login,
        AuditAction.TICKET_REPLIED,
        target(ticket.id),
        before={"status": ticket.status},
        after={"status": changed.status, "message": message.id},
        deps=deps,
    )
    _tell_customer(changed, event, REPLIED, deps, body)
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
    to = TicketStatus(to)
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
    audit.record(
        actor.login,
        AuditAction.TICKET_STATUS_CHANGED,
        target(ticket.id),
        before={"status": ticket.status},
        after={"status": to},
        deps=deps,
    )
    _tell_customer(changed, event, MOVED.format(status=STATUS_LABELS[to]), deps, None)
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
    audit.record(
        actor.login,
        AuditAction.TICKET_NOTED,
        target(ticket.id),
        after={"message": message.id, "internal": True},
        deps=deps,
    )
    return _after(ticket, None, now)


def write(
    identifier: str,
    actor: Actor,
    body: str,
    *,
    internal: bool = False,
    status: TicketStatus | None = None,
    deps: Collaborators | None = None,
) -> StaffThread:
    """Staff write on a ticket: a reply to the customer (optionally moving the ticket on),
    or an internal note; the ticket as staff see it after."""
    if internal:
        if status is not None:
            raise InvalidInput(fields={"status": "Notatka wewnętrzna nie zmienia statusu."})
        note(identifier, actor, body, deps)
    else:
        reply(identifier, actor, body, status, deps)
    return StaffThread(*_fresh(identifier))


def _fresh(identifier: str) -> tuple[Thread, datetime | None, dict[str, tuple[str, str]]]:
    found = thread(identifier)
    links = {
        a.id: files.attachment_link(a.key, a.name, a.content_type)
        for a in found.attachments
        if a.state == AttachmentState.READY and a.key
    }
    return found, reopen_until(found.ticket), links


def assign(
    identifier: str, actor: Actor, assignee: str, deps: Collaborators | None = None
) -> Ticket:
    """Give a ticket to a staff member - an active staff or admin account, else
    InvalidInput (staff only; the customer is not told)."""
    deps = deps or current()
    if not assignee or assignee == store.UNASSIGNED:
        raise InvalidInput(fields={"assignee": "Podaj login pracownika."})
    ticket = _ticket(identifier)
    account = accounts.get_account(assignee)
    if account is None or account.role not in STAFF_ROLES or account.status != AccountStatus.ACTIVE:
        raise InvalidInput(fields={"assignee": NO_SUCH_STAFF})
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
    audit.record(
        actor.login,
        AuditAction.TICKET_ASSIGNED,
        target(ticket.id),
        before={"assignee": ticket.assignee},
        after={"assignee": assignee},
        deps=deps,
    )
    return replace(ticket, assignee=assignee, updated_at=now)
