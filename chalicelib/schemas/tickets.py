"""Bodies of tickets: complaints and operational reports, their messages and attachments."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from chalicelib.schemas.base import Schema, Strict
from chalicelib.schemas.fields import Phone

if TYPE_CHECKING:
    from chalicelib.domain import tickets
    from chalicelib.services.tickets import CustomerThread, Upload
    from chalicelib.storage.tickets import TicketPage

Kind = Literal["complaint", "operational"]
Status = Literal["new", "in_progress", "waiting_for_customer", "resolved", "rejected"]
AttachmentType = Literal["image/jpeg", "image/png", "application/pdf"]


class LocationIn(Strict):
    """Where an operational report is (the service address if not given)."""

    street: str = Field(min_length=1, max_length=200)
    postal_code: str = Field(pattern=r"^\d{2}-\d{3}$")
    city: str = Field(min_length=1, max_length=100)


class TicketCreate(Strict):
    """A new complaint or operational report. Categories: complaint — invoice, reading,
    service, other; operational — no_water, low_pressure, leak_or_failure, water_quality,
    sewage, meter_damage, other."""

    kind: Kind
    category: str = Field(max_length=40)
    description: str = Field(min_length=1, max_length=4000)
    invoice: str | None = Field(
        None, max_length=300, description="Id faktury z GET /invoices (reklamacja faktury)."
    )
    meter: str | None = Field(None, max_length=64, description="Numer wodomierza (odczyt).")
    location: LocationIn | None = None
    phone: Phone | None = Field(None, description="Telefon dla ekipy (zgłoszenie).")


class MessageCreate(Strict):
    """A customer's message (to a closed ticket within the reopen window: reopens it)."""

    body: str = Field(min_length=1, max_length=4000)


class AttachmentCreate(Strict):
    """An attachment to upload: JPEG, PNG or PDF, at most 10 MB."""

    name: str = Field(min_length=1, max_length=200)
    content_type: AttachmentType
    size: int = Field(ge=1, description="Bajty.")


class LocationOut(Schema):
    """Where an operational report is."""

    street: str
    postal_code: str
    city: str


class TicketSummary(Schema):
    """A ticket in a list."""

    id: str
    reference: str
    kind: Kind
    category: str
    status: Status
    created_at: dt.datetime
    updated_at: dt.datetime
    due_on: dt.date | None = Field(description="Termin odpowiedzi na reklamację.")
    assignee: str | None = None

    @classmethod
    def from_result(cls, ticket: tickets.Ticket) -> TicketSummary:
        """The body of one ticket in a list."""
        return cls(
            id=ticket.id,
            reference=ticket.reference,
            kind=ticket.kind,
            category=ticket.category,
            status=ticket.status,
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
            due_on=ticket.due_on,
        )


class TicketList(Schema):
    """A page of tickets."""

    items: list[TicketSummary]
    next_cursor: str | None

    @classmethod
    def from_result(cls, page: TicketPage) -> TicketList:
        """The body of a page of tickets."""
        return cls(
            items=[TicketSummary.from_result(t) for t in page.items],
            next_cursor=page.next_cursor,
        )


class MessageOut(Schema):
    """A message on a ticket."""

    id: str
    author_role: Literal["customer", "staff"]
    body: str
    at: dt.datetime
    internal: bool = False


class EventOut(Schema):
    """Who did what when."""

    action: str
    by: Literal["customer", "staff"]
    at: dt.datetime
    from_status: str | None
    to_status: str | None


class AttachmentOut(Schema):
    """An attachment; a download link only once its content was checked."""

    id: str
    name: str
    content_type: str
    size: int
    state: Literal["pending", "ready", "quarantined"]
    download_url: str | None = None
    download_expires_at: str | None = None


class TicketDetail(TicketSummary):
    """A ticket with its messages, history and attachments."""

    description: str
    invoice: str | None
    meter: str | None
    location: LocationOut | None
    phone: str | None
    closed_at: dt.datetime | None
    reopen_until: dt.datetime | None = Field(description="Do kiedy można wznowić zgłoszenie.")
    messages: list[MessageOut]
    events: list[EventOut]
    attachments: list[AttachmentOut]

    @classmethod
    def from_thread(cls, view: CustomerThread) -> TicketDetail:
        """The body of a ticket as its customer sees it."""
        ticket = view.thread.ticket
        location = ticket.location
        return cls(
            **TicketSummary.from_result(ticket).model_dump(),
            description=ticket.description,
            invoice=ticket.invoice,
            meter=ticket.meter,
            location=LocationOut(
                street=location.street, postal_code=location.postal_code, city=location.city
            )
            if location
            else None,
            phone=ticket.phone,
            closed_at=ticket.closed_at,
            reopen_until=view.reopen_until,
            messages=[
                MessageOut(
                    id=m.id,
                    author_role="customer" if m.author_role == "customer" else "staff",
                    body=m.body,
                    at=m.at,
                    internal=m.internal,
                )
                for m in view.thread.messages
            ],
            events=[
                EventOut(
                    action=e.action,
                    by="customer" if e.actor_role == "customer" else "staff",
                    at=e.at,
                    from_status=e.from_status,
                    to_status=e.to_status,
                )
                for e in view.thread.events
            ],
            attachments=[
                AttachmentOut(
                    id=a.id,
                    name=a.name,
                    content_type=a.content_type,
                    size=a.size,
                    state=a.state,
                    download_url=view.links.get(a.id, (None, None))[0],
                    download_expires_at=view.links.get(a.id, (None, None))[1],
                )
                for a in view.thread.attachments
            ],
        )


class UploadForm(Schema):
    """Where and how the browser POSTs the file (multipart form: the fields, then `file`)."""

    url: str
    fields: dict[str, str]
    expires_at: dt.datetime


class AttachmentCreated(Schema):
    """An attachment slot taken: upload the file with the form; it is served once checked."""

    id: str
    state: Literal["pending"]
    upload: UploadForm

    @classmethod
    def from_result(cls, upload: Upload) -> AttachmentCreated:
        """The body of a new attachment."""
        return cls(
            id=upload.attachment,
            state="pending",
            upload=UploadForm(url=upload.url, fields=upload.fields, expires_at=upload.expires_at),
        )
