"""The staff queue's first page costs at most two DynamoDB round trips (the session and one
Query of an index), for every filter it offers, with 300 tickets in the table (counted with
botocore events); a page of two filters at once may be short, and its cursors still lead
through every matching ticket exactly once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib import clock
from tests.factories import active_account, staff_account, staff_bearer
from tests.queue_tickets import ASSIGNEES, queue_tickets, write_queue_tickets
from tests.roundtrips import count_dynamodb_calls

TICKETS = 300
# Every filter of GET /staff/tickets: those an index serves alone, then those that add a
# filter expression ("other" is a category of both kinds).
INDEXED = [
    "",
    "?kind=complaint",
    "?kind=operational",
    "?kind=operational&category=no_water",
    "?category=invoice",
    "?status=new",
    "?status=in_progress",
    "?status=resolved",
    "?assignee=-",
    f"?assignee={ASSIGNEES[0]}",
]
FILTERED = [
    "?category=other",
    "?assignee=-&kind=complaint",
    f"?assignee={ASSIGNEES[1]}&category=no_water",
    "?status=waiting_for_customer&kind=operational",
]


@pytest.fixture
def staff(client, outbox):
    clock.travel_to(datetime(2026, 12, 28, 10, tzinfo=UTC))
    active_account(client, outbox, "100200")
    write_queue_tickets(0, TICKETS)
    return staff_bearer(client, ASSIGNEES[0], staff_account(ASSIGNEES[0]))


def _page(client, staff, path):
    with count_dynamodb_calls() as calls:
        answer = client.http.get(path, headers=staff)
    assert answer.status_code == 200, (path, answer.body)
    return answer.json_body, calls


@pytest.mark.parametrize("query", INDEXED + FILTERED)
def test_the_first_page_is_the_session_and_one_query(client, staff, query):
    page, calls = _page(client, staff, f"/staff/tickets{query}")
    assert len(calls) <= 2 and calls[-1] == "Query" and "Scan" not in calls, (query, calls)
    assert len(page["items"]) <= 20
    if query in INDEXED:  # a full page of its index's partition, or all of it
        assert len(page["items"]) == 20 or not page["next_cursor"], query
        assert page["items"], query


def test_the_queue_without_filters_pages_through_the_open_tickets_by_due_date(client, staff):
    expected = sorted(
        (t for t in queue_tickets(0, TICKETS) if t.status != "resolved"),
        key=lambda t: (t.due_on or t.created_at.date(), t.created_at),
    )
    seen, cursor = [], ""
    while True:
        page, calls = _page(client, staff, f"/staff/tickets?limit=100{cursor}")
        assert len(calls) <= 2, calls
        seen += [t["id"] for t in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == [t.id for t in expected]


def test_two_filters_page_through_every_match_once(client, staff):
    expected = [
        t.id
        for t in sorted(
            queue_tickets(0, TICKETS),
            key=lambda t: (t.due_on or t.created_at.date(), t.created_at),
        )
        if t.status != "resolved" and t.assignee is None and t.kind == "complaint"
    ]
    seen, cursor, pages = [], "", 0
    while pages < 50:
        page, calls = _page(client, staff, f"/staff/tickets?assignee=-&kind=complaint{cursor}")
        pages += 1
        assert len(calls) <= 2, calls
        assert len(page["items"]) <= 20
        seen += [t["id"] for t in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == expected
