"""A customer's tickets: filing a complaint or an operational report, reading it, writing
to it (which reopens a closed one within `TICKET_REOPEN_DAYS`), and attaching files.
Another customer's ticket is a 404. Internal notes and staff-only events never reach the
customer."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from math import ceil

from chalicelib.adapters import files, uploads
from chalicelib.clock import to_warsaw
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound, Throttled
from chalicelib.domain.tickets import (
    ATTACHMENT_TYPES,
    CATEGORIES,
    CATEGORY_LABELS,
    CLOSED,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    REFERENCE_PREFIX,
    Attachment,
    AttachmentState,
    Event,
    Location,
    Message,
    Thread,
    Ticket,
    TicketKind,
    TicketStatus,
    due_on,
    pending_key,
    reference,
    reopen_allowed,
    ticket_id,
)
from chalicelib.ids import decode_id
from chalicelib.paging import DEFAULT_LIMIT
from chalicelib.schemas.tickets import AttachmentCreate, MessageCreate, TicketCreate
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.settings import get_settings
from chalicelib.storage import billing, throttle
from chalicelib.storage import tickets as store
from chalicelib.storage.tickets import TicketPage

NO_TICKET = "Nie ma takiego zgłoszenia."
TICKET_ID = re.compile(r"[RZ]-\d{4}-\d{6}")
UPLOAD_SECONDS = 300
CUSTOMER = "customer"
TOO_MANY_TODAY = (
    "Wykorzystano dzienny limit zgłoszeń (dziś: {cap}). Kolejne zgłoszenie złożysz jutro; "
    "do zgłoszenia, które już trwa, możesz dopisać wiadomość."
)


def new_id() -> str:
    """A random id for a message, event or attachment (unique within its ticket)."""
    return secrets.token_hex(6)


@dataclass(frozen=True)
class CustomerThread:
    """A ticket as its customer sees it: no internal notes, no staff-only events, links to
    the checked attachments."""

    thread: Thread
    reopen_until: datetime | None
    links: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Upload:
    """A reserved attachment and the form its file is POSTed with."""

    attachment: str
    url: str
    fields: dict[str, str]
    expires_at: datetime


def list_tickets(
    customer: str, limit: int = DEFAULT_LIMIT, cursor: str | None = None
) -> TicketPage:
    """The customer's tickets, newest first (one Query)."""
    return store.customer_tickets(customer, limit, cursor)


def _choices(kind: TicketKind) -> str:
    return ", ".join(f"{c} ({CATEGORY_LABELS[c]})" for c in CATEGORIES[kind])


def _location(customer: str, body: TicketCreate) -> Location | None:
    if body.location is not None:
        return Location(body.location.street, body.location.postal_code, body.location.city)
    record = billing.customer(customer)
    if record is None:
        return None
    address = record.service_address
    return Location(address.street, address.postal_code, address.city)


def _invoice(customer: str, body: TicketCreate) -> str | None:
    if body.invoice is None:
        if body.category == "invoice":
            raise InvalidInput(fields={"invoice": "Wskaż fakturę, której dotyczy reklamacja."})
        return None
    missing = "Nie znaleziono takiej faktury na Twoim koncie."
    try:
        number = decode_id(body.invoice, missing)
    except NotFound as exc:
        raise InvalidInput(fields={"invoice": missing}) from exc
    if not billing.has_invoice(customer, number):
        raise InvalidInput(fields={"invoice": missing})
    return number


def _check(body: TicketCreate, kind: TicketKind) -> None:
    if body.category not in CATEGORIES[kind]:
        raise InvalidInput(fields={"category": f"Wybierz jedną z kategorii: {_choices(kind)}."})
    if kind == TicketKind.COMPLAINT:
        only = "Podaje się tylko w zgłoszeniu eksploatacyjnym."
        wrong = {name: only for name in ("location", "phone") if getattr(body, name) is not None}
        if wrong:
            raise InvalidInput(fields=wrong)
    elif body.invoice is not None or body.meter is not None:
        only = "Podaje się tylko w reklamacji."
        wrong = {name: only for name in ("invoice", "meter") if getattr(body, name) is not None}
        raise InvalidInput(fields=wrong)


def open_ticket(customer: str, body: TicketCreate, deps: Collaborators | None = None) -> Thread:
    """File a complaint or an operational report: checked (a cited invoice must be the
    customer's), numbered by the counter, stored with its deadline and first event."""
    deps = deps or current()
    kind = TicketKind(body.kind)
    _check(body, kind)
    invoice = _invoice(customer, body) if kind == TicketKind.COMPLAINT else None
    location = _location(customer, body) if kind == TicketKind.OPERATIONAL else None
    now = deps.clock.now()
    _count_filed_today(customer, now)
    year = to_warsaw(now).year
    number = reference(kind, year, store.allocate_number(REFERENCE_PREFIX[kind], year))
    ticket = Ticket(
        id=ticket_id(number),
        reference=number,
        kind=kind,
        category=body.category,
        status=TicketStatus.NEW,
        customer=customer,
        description=body.description.strip() or body.description,
        created_at=now,
        updated_at=now,
        due_on=due_on(kind, now),
        invoice=invoice,
        meter=body.meter,
        location=location,
        phone=body.phone,
    )
    event = Event(
        id=new_id(),
        actor=customer,
        actor_role=CUSTOMER,
        action="created",
        at=now,
        to_status=str(TicketStatus.NEW),
    )
    store.create(ticket, event)
    return Thread(ticket=ticket, events=[event])


def _count_filed_today(customer: str, now: datetime) -> None:
    """Count a ticket in the customer's day (Europe/Warsaw) before it is numbered; Throttled
    at `TICKETS_PER_CUSTOMER_PER_DAY`, until midnight. One conditional update, no Scan."""
    cap = get_settings().tickets_per_customer_per_day
    local = to_warsaw(now)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=local.tzinfo)
    expires = midnight + timedelta(days=1)
    key = f"tickets-filed#{customer}"
    if not throttle.reserve_daily(
        key, local.date().isoformat(), cap, int(now.timestamp()), expires
    ):
        raise Throttled(ceil((midnight - now).total_seconds()), TOO_MANY_TODAY.format(cap=cap))


def own_ticket(customer: str, identifier: str) -> Thread:
    """The customer's own ticket with everything in it; NotFound for any other."""
    if not TICKET_ID.fullmatch(identifier):
        raise NotFound(NO_TICKET)
    thread = store.thread(identifier)
    if thread is None or thread.ticket.customer != customer:
        raise NotFound(NO_TICKET)
    return thread


def reopen_until(ticket: Ticket) -> datetime | None:
    """Until when a closed ticket may be reopened by its customer (None: it is open)."""
    if ticket.closed_at is None or ticket.status not in CLOSED:
        return None
    return ticket.closed_at + timedelta(days=get_settings().ticket_reopen_days)


def customer_view(thread: Thread) -> CustomerThread:
    """What the customer may see of a ticket, with links to its checked attachments."""
    visible = replace(
        thread,
        messages=[m for m in thread.messages if not m.internal],
        events=[e for e in thread.events if e.customer_visible],
    )
    links = {
        a.id: files.attachment_link(a.key, a.name, a.content_type)
        for a in thread.attachments
        if a.state == AttachmentState.READY and a.key
    }
    return CustomerThread(visible, reopen_until(thread.ticket), links)


def get_ticket(customer: str, identifier: str) -> CustomerThread:
    """The customer's ticket (one Query)."""
    return customer_view(own_ticket(customer, identifier))


def write_message(
    customer: str, identifier: str, body: MessageCreate, deps: Collaborators | None = None
) -> CustomerThread:
    """The customer writes to their ticket: an answer moves a ticket waiting for them back
    to work; a closed ticket is reopened within `TICKET_REOPEN_DAYS` of closing, and after
    that the message is refused (file a new ticket)."""
    deps = deps or current()
    thread = own_ticket(customer, identifier)
    ticket = thread.ticket
    now = deps.clock.now()
    status: TicketStatus | None = None
    action = "message"
    if ticket.status in CLOSED:
        days = get_settings().ticket_reopen_days
        if not reopen_allowed(ticket.closed_at, now, days):
            raise Conflict(
                f"Zgłoszenie zamknięto ponad {days} dni temu i nie można go wznowić. "
                "Złóż nowe zgłoszenie."
            )
        status, action = TicketStatus.IN_PROGRESS, "reopened"
    elif ticket.status == TicketStatus.WAITING_FOR_CUSTOMER:
        status = TicketStatus.IN_PROGRESS
    message = Message(new_id(), customer, CUSTOMER, body.body.strip() or body.body, now)
    event = Event(
        id=new_id(),
        actor=customer,
        actor_role=CUSTOMER,
        action=action,
        at=now,
        from_status=str(ticket.status) if status else None,
        to_status=str(status) if status else None,
    )
    store.record(ticket, event, now, message=message, status=status)
    return get_ticket(customer, identifier)


def request_attachment(
    customer: str, identifier: str, body: AttachmentCreate, deps: Collaborators | None = None
) -> Upload:
    """Take one of the ticket's five attachment slots and give the browser a form to POST
    the file with, limited to its key, declared type and size. The file is served only once
    the upload check (services/ticket_uploads.py) found its content to be what it claims."""
    deps = deps or current()
    if body.size > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(fields={"size": "Plik może mieć najwyżej 10 MB."})
    if body.content_type not in ATTACHMENT_TYPES:  # the schema's Literal says the same
        raise InvalidInput(fields={"content_type": "Dozwolone są pliki JPEG, PNG i PDF."})
    thread = own_ticket(customer, identifier)
    ticket = thread.ticket
    if ticket.status in CLOSED:
        raise Conflict("Do zamkniętego zgłoszenia nie można dołączać plików.")
    if ticket.attachment_count >= MAX_ATTACHMENTS:
        raise Conflict(store.TOO_MANY_ATTACHMENTS)
    now = deps.clock.now()
    attachment = Attachment(
        id=new_id(),
        name=body.name,
        content_type=body.content_type,
        size=body.size,
        state=AttachmentState.PENDING,
        created_at=now,
    )
    store.reserve_attachment(ticket, attachment, customer)
    url, form = uploads.presigned_post(
        pending_key(ticket.id, attachment.id), body.content_type, body.size, UPLOAD_SECONDS
    )
    return Upload(attachment.id, url, form, now + timedelta(seconds=UPLOAD_SECONDS))
