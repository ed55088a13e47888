"""Many tickets for the staff queue's round-trip test and benchmark: every kind, category,
open and closed status, assigned and not, received five minutes apart; written straight
into the service table with BatchWriteItem (no events, no counters: the queue reads only
the ticket items)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.domain.tickets import (
    CATEGORIES,
    Ticket,
    TicketKind,
    TicketStatus,
    due_on,
    reference,
    ticket_id,
)

START = datetime(2026, 1, 1, 8, tzinfo=UTC)
ASSIGNEES = ("anna-nowak", "ewa-kowalska", "jan-lis")
# Nine in ten open (the queue's default partition holds nearly all tickets: its worst case).
STATUSES = (
    [TicketStatus.NEW] * 4
    + [TicketStatus.IN_PROGRESS] * 3
    + [TicketStatus.WAITING_FOR_CUSTOMER] * 2
    + [TicketStatus.RESOLVED]
)


def queue_tickets(start: int, count: int) -> list[Ticket]:
    """Tickets number `start` to `start + count - 1` (the same for the same numbers)."""
    made = []
    for n in range(start, start + count):
        kind = TicketKind.COMPLAINT if n % 3 else TicketKind.OPERATIONAL
        categories = CATEGORIES[kind]
        received = START + timedelta(minutes=5 * n)
        number = reference(kind, 2026, n + 1)
        made.append(
            Ticket(
                id=ticket_id(number),
                reference=number,
                kind=kind,
                category=categories[(n // 3) % len(categories)],
                status=STATUSES[n % len(STATUSES)],
                customer=f"{100000 + n % 5000}",
                description="Opis zgłoszenia.",
                created_at=received,
                updated_at=received,
                due_on=due_on(kind, received),
                assignee=ASSIGNEES[n % 7] if n % 7 < len(ASSIGNEES) else None,
            )
        )
    return made


def write_queue_tickets(start: int, count: int) -> None:
    """Write tickets `start`… in BatchWriteItem requests of 25."""
    from chalicelib.models.service import TicketItem
    from chalicelib.storage.tickets import _ticket_item

    with TicketItem.batch_write() as batch:
        for ticket in queue_tickets(start, count):
            batch.save(_ticket_item(ticket))
