"""Bodies of the staff's ticket routes (/staff/tickets…): the queue, a ticket with its
internal notes, assignment, replies and notes, status changes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from chalicelib.domain.tickets import TRANSITIONS, TicketStatus
from chalicelib.schemas.base import Schema, Strict
from chalicelib.schemas.ledger import PageQuery
from chalicelib.schemas.tickets import EventOut, Kind, Status, TicketDetail, TicketSummary

if TYPE_CHECKING:
    from chalicelib.domain import tickets
    from chalicelib.services.ticket_work import StaffThread
    from chalicelib.storage.tickets import TicketPage

Category = Literal[
    "invoice",
    "reading",
    "service",
    "other",
    "no_water",
    "low_pressure",
    "leak_or_failure",
    "water_quality",
    "sewage",
    "meter_damage",
]
STAFF_LOGIN = r"^[a-z][a-z0-9.-]{2,39}$"


class StaffTicketQuery(PageQuery):
    """The queue's filters (each optional), sorted by due date; open tickets unless a
    status says otherwise. `assignee=-`: not assigned; `due_by`: due on or before that day."""

    kind: Kind | None = None
    status: Status | None = None
    category: Category | None = None
    assignee: str | None = Field(
        None, pattern=r"^(-|[a-z][a-z0-9.-]{2,39})$", description="Login pracownika lub -."
    )
    due_by: dt.date | None = Field(
        None, description="Termin do (włącznie); zgłoszenie eksploatacyjne: dzień przyjęcia."
    )


class StaffTicketSummary(TicketSummary):
    """A ticket in the staff queue."""

    customer: str

    @classmethod
    def from_ticket(cls, ticket: tickets.Ticket) -> StaffTicketSummary:
        """The body of one ticket in the queue."""
        return cls(
            **TicketSummary.from_result(ticket).model_dump(exclude={"assignee"}),
            assignee=ticket.assignee,
            customer=ticket.customer,
        )


class StaffTicketList(Schema):
    """A page of the queue, earliest due first."""

    items: list[StaffTicketSummary]
    next_cursor: str | None

    @classmethod
    def from_result(cls, page: TicketPage) -> StaffTicketList:
        """The body of a page of the queue."""
        return cls(
            items=[StaffTicketSummary.from_ticket(t) for t in page.items],
            next_cursor=page.next_cursor,
        )


class StaffEventOut(EventOut):
    """Who (by login) did what when; `customer_visible` false: staff only."""

    actor: str
    detail: str | None
    customer_visible: bool


class StaffTicketDetail(TicketDetail):
    """A ticket as staff see it: internal notes (`internal`) and staff-only events
    included, attachments with short-lived download links once checked."""

    customer: str
    events: list[StaffEventOut]  # type: ignore[assignment]
    next_statuses: list[Status] = Field(
        description="Statusy, na które można teraz zmienić zgłoszenie (w kolejności cyklu)."
    )

    @classmethod
    def from_view(cls, view: StaffThread) -> StaffTicketDetail:
        """The body of a ticket as staff see it."""
        body = TicketDetail.from_thread(view).model_dump(exclude={"events", "assignee"})  # type: ignore[arg-type]
        ticket = view.thread.ticket
        return cls(
            **body,
            assignee=ticket.assignee,
            customer=ticket.customer,
            next_statuses=[
                s for s in TicketStatus if s in TRANSITIONS[TicketStatus(ticket.status)]
            ],
            events=[
                StaffEventOut(
                    action=e.action,
                    by="customer" if e.actor_role == "customer" else "staff",
                    at=e.at,
                    from_status=e.from_status,
                    to_status=e.to_status,
                    actor=e.actor,
                    detail=e.detail,
                    customer_visible=e.customer_visible,
                )
                for e in view.thread.events
            ],
        )


class AssignRequest(Strict):
    """Give the ticket to a staff member."""

    assignee: str = Field(pattern=STAFF_LOGIN, description="Login pracownika.")


class StaffMessageCreate(Strict):
    """A reply to the customer (e-mailed to them; optionally moving the ticket on), or an
    internal note (`internal: true`: never shown or sent to the customer)."""

    body: str = Field(min_length=1, max_length=4000)
    internal: bool = False
    status: Status | None = Field(None, description="Nowy status wraz z odpowiedzią.")


class StatusChange(Strict):
    """Move the ticket along its lifecycle (the customer is e-mailed)."""

    status: Status
