"""Every customer read endpoint costs at most two DynamoDB round trips (the session and the
data) and never a Scan; counted with botocore events. A guard test keeps READS complete."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib import aws, clock
from chalicelib.ids import encode_id
from chalicelib.settings import get_settings
from tests.api.test_isolation import (
    MINE,
    TICKETS,
    customer_routes,
    data_of,
    route_of,
    start_order,
)
from tests.factories import active_account, bearer, import_lines, post
from tests.roundtrips import count_dynamodb_calls

READS = [
    "/me",
    "/me/logins",
    "/balance",
    "/settlements",
    "/invoices",
    "/invoices?status=unpaid&kind=invoice",
    f"/invoices/{encode_id(f'FV/{MINE}')}",
    f"/invoices/{encode_id(f'FV/{MINE}')}/pdf",
    "/payments",
    "/payments/{order}",  # the order the fixture starts
    "/contracts",
    f"/contracts/{encode_id(f'U/{MINE}')}/file",
    f"/contracts/{encode_id(f'U/{MINE}')}/annexes/{encode_id('1')}/file",
    "/documents",
    f"/documents/D{MINE}/file",
    "/meters",
    f"/meters/W{MINE}/readings",
    "/consumption",
    "/consumption?period=billing&from=2020-01-01",
    "/summary",
    "/tickets",
    f"/tickets/{TICKETS[MINE]}",
    "/notifications",  # the complaint the fixture files
]

# Reads outside the budget, each with where its own cost is counted: not on a hot path.
OUTSIDE_THE_BUDGET = {
    "/me/export": "tests/api/test_export.py: 4 + one per ticket, no Scan",
}


@pytest.fixture
def customer(client, outbox):
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    active_account(client, outbox, MINE)
    import_lines(data_of(MINE), key="imports/mine.jsonl")
    for key in (
        f"invoices/FV-{MINE}.pdf",
        f"contracts/U-{MINE}.pdf",
        f"contracts/U-{MINE}-1.pdf",
        f"documents/D{MINE}.pdf",
    ):
        aws.client("s3").put_object(Bucket=get_settings().data_bucket, Key=key, Body=b"%PDF")
    headers = bearer(client, MINE)
    complaint = {
        "kind": "complaint",
        "category": "invoice",
        "invoice": encode_id(f"FV/{MINE}"),
        "description": "Za wysokie zużycie.",
    }
    assert post(client, "/tickets", complaint, headers).status_code == 201
    return headers


@pytest.fixture
def order(client, customer):
    """An online payment the customer started (POST /payments)."""
    return start_order(client, customer, MINE)


def test_reads_cover_every_customer_get_route(app):
    missing = [
        template
        for method, template in customer_routes(app)
        if method == "GET"
        and template not in OUTSIDE_THE_BUDGET
        and not any(route_of(template).match(path) for path in READS)
    ]
    assert missing == []


def test_the_counter_counts(client, customer):
    with count_dynamodb_calls() as calls:
        client.http.post("/auth/logout", headers=customer)
    assert "DeleteItem" in calls or "UpdateItem" in calls


@pytest.mark.parametrize("path", READS)
def test_read_costs_at_most_two_round_trips_and_no_scan(client, customer, order, path):
    path = path.format(order=order)
    with count_dynamodb_calls() as every_call, count_dynamodb_calls(this_thread=True) as calls:
        answer = client.http.get(path, headers=customer)
    assert answer.status_code == 200, (path, answer.body)
    # Beside them, only the dashboard refreshes its copy of the announcements (one Query on
    # another thread, while the request reads its data: test_announcements.py).
    beside = ["Query"] if path == "/summary" else []
    assert sorted(every_call) == sorted(calls + beside), (path, every_call)
    # The session (checked and extended in one conditional write), then one read.
    assert calls[0] == "UpdateItem", calls
    assert len(calls) == 2, (path, calls)
    assert calls[1] in ("Query", "GetItem", "BatchGetItem"), calls
