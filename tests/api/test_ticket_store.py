"""The service table: reference counters and the ticket indexes (storage/tickets.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from chalicelib.domain.tickets import (
    Event,
    Ticket,
    TicketKind,
    TicketStatus,
    due_on,
    reference,
    ticket_id,
)
from chalicelib.storage import tickets as store

START = datetime(2026, 12, 20, 9, tzinfo=UTC)


def test_reference_numbers_are_unique_and_per_prefix_and_year(aws_env, serial_moto):
    with ThreadPoolExecutor(4) as pool:
        numbers = list(pool.map(lambda _: store.allocate_number("R", 2026), range(20)))
    assert sorted(numbers) == list(range(1, 21))
    assert store.allocate_number("Z", 2026) == 1
    assert store.allocate_number("R", 2027) == 1
    assert reference(TicketKind.COMPLAINT, 2026, 123) == "R/2026/000123"
    assert ticket_id("Z/2026/000456") == "Z-2026-000456"


def _ticket(n: int, kind=TicketKind.COMPLAINT, customer="100200", **extra) -> Ticket:
    created = START + timedelta(days=n)
    ref = reference(kind, 2026, n)
    category = "invoice" if kind == TicketKind.COMPLAINT else "no_water"
    return Ticket(
        id=ticket_id(ref),
        reference=ref,
        kind=kind,
        category=category,
        status=TicketStatus.NEW,
        customer=customer,
        description="Opis",
        created_at=created,
        updated_at=created,
        due_on=due_on(kind, created),
        **extra,
    )


def _event(at: datetime) -> Event:
    return Event(id="e", actor="100200", actor_role="customer", action="created", at=at)


def test_customer_list_is_newest_first_and_the_queue_by_due_date(aws_env):
    for n in (1, 3, 2):
        store.create(_ticket(n), _event(START))
    store.create(_ticket(4, kind=TicketKind.OPERATIONAL, customer="100300"), _event(START))
    page = store.customer_tickets("100200", limit=2)
    assert [t.id for t in page.items] == ["R-2026-000003", "R-2026-000002"]
    rest = store.customer_tickets("100200", limit=2, cursor=page.next_cursor)
    assert [t.id for t in rest.items] == ["R-2026-000001"]
    # The operational report (received Dec 24) is due before complaints due in January.
    everything = store.queue(store.QueueFilter(), limit=10)
    assert [t.id for t in everything.items] == [
        "Z-2026-000004",
        "R-2026-000001",
        "R-2026-000002",
        "R-2026-000003",
    ]
    complaints = store.queue(store.QueueFilter(kind=TicketKind.COMPLAINT), limit=10)
    assert complaints.items[0].id == "R-2026-000001"
    assert store.queue(store.QueueFilter(status=TicketStatus.RESOLVED), limit=10).items == []
    unassigned = store.queue(store.QueueFilter(assignee="-"), limit=10)
    assert len(unassigned.items) == 4
    due = store.open_complaints_due_by(START.date() + timedelta(days=15))
    assert [t.id for t in due] == ["R-2026-000001"]
