"""Tickets: complaints (reklamacje) and operational reports (zgłoszenia eksploatacyjne),
their lifecycle, reference numbers, the complaint deadline and attachment rules. Plain
Python: no AWS, no pydantic."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from chalicelib.clock import to_warsaw


class TicketKind(StrEnum):
    """What a customer files."""

    COMPLAINT = "complaint"
    OPERATIONAL = "operational"


class TicketStatus(StrEnum):
    """Where a ticket stands (the value is what is stored and shown)."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING_FOR_CUSTOMER = "waiting_for_customer"
    RESOLVED = "resolved"
    REJECTED = "rejected"


class AttachmentState(StrEnum):
    """An attachment: waiting for its upload and check, served, or refused."""

    PENDING = "pending"
    READY = "ready"
    QUARANTINED = "quarantined"


COMPLAINT_CATEGORIES = ("invoice", "reading", "service", "other")
OPERATIONAL_CATEGORIES = (
    "no_water",
    "low_pressure",
    "leak_or_failure",
    "water_quality",
    "sewage",
    "meter_damage",
    "other",
)
CATEGORIES = {
    TicketKind.COMPLAINT: COMPLAINT_CATEGORIES,
    TicketKind.OPERATIONAL: OPERATIONAL_CATEGORIES,
}
REFERENCE_PREFIX = {TicketKind.COMPLAINT: "R", TicketKind.OPERATIONAL: "Z"}

OPEN = frozenset({TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_FOR_CUSTOMER})
CLOSED = frozenset({TicketStatus.RESOLVED, TicketStatus.REJECTED})

# Where staff may move a ticket from each status (a closed ticket only back to work).
TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.NEW: frozenset(
        {
            TicketStatus.IN_PROGRESS,
            TicketStatus.WAITING_FOR_CUSTOMER,
            TicketStatus.RESOLVED,
            TicketStatus.REJECTED,
        }
    ),
    TicketStatus.IN_PROGRESS: frozenset(
        {TicketStatus.WAITING_FOR_CUSTOMER, TicketStatus.RESOLVED, TicketStatus.REJECTED}
    ),
    TicketStatus.WAITING_FOR_CUSTOMER: frozenset(
        {TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED, TicketStatus.REJECTED}
    ),
    TicketStatus.RESOLVED: frozenset({TicketStatus.IN_PROGRESS}),
    TicketStatus.REJECTED: frozenset({TicketStatus.IN_PROGRESS}),
}

COMPLAINT_DAYS = 14  # the regulations: a complaint is answered within 14 calendar days
DIGEST_HORIZON_DAYS = 3  # the staff digest lists complaints due within this many days

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}

NEVER_DUE = "9999-12-31"


def reference(kind: TicketKind, year: int, number: int) -> str:
    """The number a customer quotes: "R/2026/000123" (complaint), "Z/2026/000456"."""
    return f"{REFERENCE_PREFIX[kind]}/{year}/{number:06d}"


def ticket_id(reference_number: str) -> str:
    """The ticket's id in URLs: its reference with dashes ("R-2026-000123")."""
    return reference_number.replace("/", "-")


def complaint_due(received_at: datetime) -> date:
    """The last day to answer a complaint received at `received_at` (UTC): 14 calendar
    days after the day of receipt in Poland."""
    return to_warsaw(received_at).date() + timedelta(days=COMPLAINT_DAYS)


def due_on(kind: TicketKind, received_at: datetime) -> date | None:
    """A complaint's deadline; operational reports have none (they are worked at once)."""
    return complaint_due(received_at) if kind == TicketKind.COMPLAINT else None


def due_order(due: date | None, received_at: datetime, ticket: str) -> str:
    """The staff queue's sort key: by due date (an operational report by its day of
    receipt, so it comes before complaints due later), then by receipt."""
    day = due.isoformat() if due else to_warsaw(received_at).date().isoformat()
    return f"{day}#{received_at.isoformat()}#{ticket}"


def scope(status: TicketStatus) -> str:
    """The queue a status belongs to: "open" or "closed"."""
    return "open" if status in OPEN else "closed"


def can_move(current: TicketStatus, to: TicketStatus) -> bool:
    """True when staff may move a ticket from `current` to `to`."""
    return to in TRANSITIONS[current]


def reopen_allowed(closed_at: datetime | None, now: datetime, days: int) -> bool:
    """True while a closed ticket may still be reopened by its customer."""
    return closed_at is not None and now <= closed_at + timedelta(days=days)


def days_left(due: date | None, today: date) -> int | None:
    """Days until the deadline (negative: overdue)."""
    return (due - today).days if due else None


@dataclass(frozen=True)
class Location:
    """Where an operational report is (defaults to the service address)."""

    street: str
    postal_code: str
    city: str


@dataclass(frozen=True)
class Ticket:
    """A complaint or an operational report."""

    id: str
    reference: str
    kind: TicketKind
    category: str
    status: TicketStatus
    customer: str
    description: str
    created_at: datetime
    updated_at: datetime
    due_on: date | None = None
    invoice: str | None = None
    meter: str | None = None
    location: Location | None = None
    phone: str | None = None
    assignee: str | None = None
    closed_at: datetime | None = None
    attachment_count: int = 0


@dataclass(frozen=True)
class Message:
    """A message on a ticket; `internal` notes are for staff only."""

    id: str
    author: str
    author_role: str  # customer | staff | admin
    body: str
    at: datetime
    internal: bool = False


@dataclass(frozen=True)
class Event:
    """Something that happened to a ticket: who, when, what."""

    id: str
    actor: str
    actor_role: str
    action: str  # created | message | note | status | assigned | reopened | attachment
    at: datetime
    from_status: str | None = None
    to_status: str | None = None
    detail: str | None = None
    customer_visible: bool = True


@dataclass(frozen=True)
class Attachment:
    """A file attached to a ticket."""

    id: str
    name: str
    content_type: str
    size: int
    state: AttachmentState
    created_at: datetime
    key: str | None = None  # where a checked file is, once READY


@dataclass(frozen=True)
class Thread:
    """A ticket with everything in its partition."""

    ticket: Ticket
    messages: list[Message] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


def pending_key(ticket: str, attachment: str) -> str:
    """Where a browser uploads an attachment (never served from there)."""
    return f"tickets-pending/{ticket}/{attachment}"


def stored_key(ticket: str, attachment: str, content_type: str) -> str:
    """Where a checked attachment is kept and served from."""
    return f"tickets/{ticket}/{attachment}.{ATTACHMENT_TYPES[content_type]}"


def quarantine_key(ticket: str, attachment: str) -> str:
    """Where a refused upload is kept (never served)."""
    return f"tickets-quarantine/{ticket}/{attachment}"


def upload_verdict(declared: str, detected: str | None, size: int) -> str | None:
    """Why an uploaded file is refused (None: it is accepted): its content must be of an
    allowed type, the type it was declared as, and not too big."""
    if size <= 0 or size > MAX_ATTACHMENT_BYTES:
        return "size"
    if detected not in ATTACHMENT_TYPES:
        return "type"
    if detected != declared:
        return "mismatch"
    return None


STATUS_LABELS = {
    TicketStatus.NEW: "nowe",
    TicketStatus.IN_PROGRESS: "w realizacji",
    TicketStatus.WAITING_FOR_CUSTOMER: "oczekuje na Twoją odpowiedź",
    TicketStatus.RESOLVED: "rozwiązane",
    TicketStatus.REJECTED: "odrzucone",
}
KIND_LABELS = {TicketKind.COMPLAINT: "reklamacja", TicketKind.OPERATIONAL: "zgłoszenie"}
CATEGORY_LABELS = {
    "invoice": "faktura",
    "reading": "odczyt",
    "service": "usługa",
    "other": "inne",
    "no_water": "brak wody",
    "low_pressure": "niskie ciśnienie",
    "leak_or_failure": "wyciek lub awaria",
    "water_quality": "jakość wody",
    "sewage": "kanalizacja",
    "meter_damage": "uszkodzenie wodomierza",
}
