"""`GET /summary`: the dashboard in one call — balance and overdue amount, unpaid invoices,
the last reading of every active meter, certification notices (announcements: in
test_announcements.py) — from the session and one Query (the budget: test_round_trips.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib import clock
from chalicelib.ids import encode_id
from scripts import demo_data
from tests.factories import (
    active_account,
    bearer,
    import_lines,
    invoice_line,
    meter_line,
    reading_line,
)
from tests.roundtrips import count_dynamodb_calls

CUSTOMER = "100200"


@pytest.fixture
def customer(client, outbox):
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    active_account(client, outbox, CUSTOMER)
    import_lines(
        [
            invoice_line(
                "FV/2026/09/1", CUSTOMER, "80.00", issue_date="2026-09-01", due_date="2026-09-15"
            ),
            invoice_line(
                "FV/2026/10/1", CUSTOMER, "50.00", issue_date="2026-10-01", due_date="2026-10-15"
            ),
            invoice_line(
                "FV/2026/11/1", CUSTOMER, "70.00", issue_date="2026-11-02", due_date="2026-11-30"
            ),
            {
                "type": "payment",
                "id": "P1",
                "customer_number": CUSTOMER,
                "paid_on": "2026-09-10",
                "amount": "80.00",
                "allocations": [{"invoice": "FV/2026/09/1", "amount": "80.00"}],
            },
            meter_line("WM-1", CUSTOMER, certified_until="2027-01-31"),
            meter_line("WM-G", CUSTOMER, kind="garden", certified_until="2030-01-01"),
            meter_line(
                "WM-OLD",
                CUSTOMER,
                installed_on="2019-01-01",
                status="removed",
                removed_on="2025-01-01",
                certified_until="2024-12-31",
            ),
            reading_line("WM-1", "2026-08-01", "95.5", CUSTOMER),
            reading_line("WM-1", "2026-11-01", "105.793", CUSTOMER),
            reading_line("WM-G", "2026-11-01", "12", CUSTOMER),
        ]
    )
    return bearer(client, CUSTOMER)


def test_summary_shows_the_dashboard(client, customer):
    answer = client.http.get("/summary", headers=customer)
    assert answer.status_code == 200, answer.body
    body = answer.json_body
    assert body["customer_number"] == CUSTOMER
    assert body["name"]  # the customer record, read by the same Query
    assert body["payment_limits"] == {"minimum": "10.00", "maximum": "100000.00"}
    assert body["balance"] == client.http.get("/balance", headers=customer).json_body
    assert body["balance"]["balance"] == "243.45"
    assert body["balance"]["overdue"] == "173.45"

    unpaid = body["unpaid_invoices"]  # the paid one left out, oldest due first
    assert [(i["number"], i["outstanding"], i["overdue"]) for i in unpaid] == [
        ("FV/2026/10/0001", "123.45", True),  # active_account's invoice
        ("FV/2026/10/1", "50.00", True),
        ("FV/2026/11/1", "70.00", False),
    ]
    listed = client.http.get("/invoices", headers=customer).json_body["items"]
    assert unpaid[1] == next(i for i in listed if i["id"] == encode_id("FV/2026/10/1"))

    meters = {m["serial"]: m for m in body["meters"]}
    assert set(meters) == {"WM-1", "WM-G"}  # active meters only
    assert meters["WM-1"]["last_reading"] == {
        "date": "2026-11-01",
        "value": "105.793",
        "source": "billing",
    }
    assert body["meters"][0] == client.http.get("/meters", headers=customer).json_body["items"][0]

    assert body["certification_notices"] == [
        {
            "meter_id": "WM-1",
            "serial": "WM-1",
            "valid_until": "2027-01-31",
            "state": "expiring",
            "days_left": 72,
            "message": "Legalizacja wodomierza WM-1 wygasa 31.01.2027. "
            "Skontaktujemy się, aby umówić wymianę wodomierza.",
        }
    ]
    assert body["announcements"] == []


def test_a_customer_without_meters_has_none_on_the_dashboard(client, outbox):
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    active_account(client, outbox, CUSTOMER)  # one invoice, nothing else
    body = client.http.get("/summary", headers=bearer(client, CUSTOMER)).json_body
    assert [i["number"] for i in body["unpaid_invoices"]] == ["FV/2026/10/0001"]
    assert (body["meters"], body["certification_notices"], body["announcements"]) == ([], [], [])
    assert body["customer_number"] == CUSTOMER


def test_the_demo_customers_partition_is_one_page(client, outbox):
    """The whole partition of the demo customer (two years of readings, a year of invoices)
    comes back in one Query page, far under DynamoDB's 1 MB."""
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    lines = [line for line in demo_data.batch_lines() if line.get("customer_number") == "100001"]
    import_lines(lines, key="imports/demo.jsonl")
    active_account(client, outbox, "100001")
    headers = bearer(client, "100001")
    with count_dynamodb_calls(this_thread=True) as calls:
        answer = client.http.get("/summary", headers=headers)
    assert answer.status_code == 200, answer.body
    assert calls == ["UpdateItem", "Query"]  # the announcements' Query runs beside
    assert answer.json_body["certification_notices"]


def test_summary_needs_a_session(client):
    assert client.http.get("/summary").status_code == 401


def test_summary_is_only_ever_the_sessions_customer(client, customer, outbox):
    other = "100201"
    active_account(client, outbox, other)
    import_lines(
        [
            invoice_line("FV/OTHER/1", other, "999.00", issue_date="2026-11-01"),
            meter_line("WM-OTHER", other, certified_until="2026-12-01"),
        ],
        key="imports/other.jsonl",
    )
    for path in (f"/summary?customer_number={other}", f"/summary?login={other}"):
        body = client.http.get(path, headers=customer).json_body
        assert body["customer_number"] == CUSTOMER
        assert "OTHER" not in str(body)
    theirs = client.http.get("/summary", headers=bearer(client, other)).json_body
    assert [m["serial"] for m in theirs["meters"]] == ["WM-OTHER"]
