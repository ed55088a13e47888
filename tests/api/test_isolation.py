"""Access: every customer path given another customer's ids answers 404, and lists never
show another's data (the unauthenticated walk of every route is in test_errors.py). Guard
tests keep the walk complete: every customer route with a path parameter is in it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib import aws, clock
from chalicelib.ids import encode_id
from chalicelib.settings import get_settings
from tests.factories import active_account, bearer, import_lines, invoice_line

MINE, THEIRS = "100200", "100300"
# Each customer's complaint, filed by `two_customers` (MINE first: numbers are sequential).
TICKETS = {MINE: "R-2026-000001", THEIRS: "R-2026-000002"}


def data_of(customer: str) -> list[dict]:
    """One object of every kind, with the customer's number in its ids."""
    return [
        invoice_line(
            f"FV/{customer}", customer, "50.00", issue_date="2026-11-02", due_date="2026-11-16"
        ),
        {
            "type": "payment",
            "id": f"P{customer}",
            "customer_number": customer,
            "paid_on": "2026-11-03",
            "amount": "10.00",
        },
        {
            "type": "meter",
            "serial": f"W{customer}",
            "customer_number": customer,
            "installed_on": "2025-01-01",
        },
        {
            "type": "reading",
            "customer_number": customer,
            "meter": f"W{customer}",
            "date": "2026-10-01",
            "value": "10",
        },
        {
            "type": "contract",
            "number": f"U/{customer}",
            "customer_number": customer,
            "signed_on": "2025-01-01",
            "valid_from": "2025-01-01",
            "pdf_key": f"contracts/U-{customer}.pdf",
        },
        {
            "type": "annex",
            "contract": f"U/{customer}",
            "number": "1",
            "customer_number": customer,
            "signed_on": "2025-06-01",
            "pdf_key": f"contracts/U-{customer}-1.pdf",
        },
        {
            "type": "document",
            "id": f"D{customer}",
            "customer_number": customer,
            "title": "Skan",
            "date": "2026-01-01",
            "pdf_key": f"documents/D{customer}.pdf",
        },
    ]


def customer_routes(app: Any) -> Iterator[tuple[str, str]]:
    """(method, path template) of every route a customer's session opens: not public, not
    for other roles only (integration, staff), not a local-stage page."""
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            operation = getattr(entry.view_function, "__openapi__", None)
            if operation is not None and "customer" in operation.roles:
                yield method, path


def route_of(template: str) -> re.Pattern[str]:
    """A pattern matching the concrete paths of a route template ("/invoices/{id}")."""
    return re.compile("^" + re.sub(r"\\{[^/]+?\\}", "[^/?]+", re.escape(template)) + r"(\?.*)?$")


def test_customer_routes_leave_out_public_and_role_routes(app):
    routes = set(customer_routes(app))
    assert ("GET", "/invoices") in routes and ("POST", "/meters/{meter_id}/readings") in routes
    assert "GET" in app.routes["/integration/readings"]  # a role route exists, and is left out
    assert ("GET", "/integration/readings") not in routes
    assert ("POST", "/auth/login") not in routes and ("GET", "/health") not in routes
    assert route_of("/payments/{order_id}").match("/payments/ABC123")
    assert not route_of("/payments/{order_id}").match("/payments/notify/bluemedia")


def order_body(customer: str) -> dict[str, Any]:
    """Start a payment of the customer's invoice."""
    return {"invoices": [encode_id(f"FV/{customer}")]}


def object_paths(customer: str, order_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every customer call that names an object of `customer` (method, path, body);
    `order_id` is one of the customer's online payments."""
    return [
        ("GET", f"/invoices/{encode_id(f'FV/{customer}')}", None),
        ("GET", f"/invoices/{encode_id(f'FV/{customer}')}/pdf", None),
        ("GET", f"/contracts/{encode_id(f'U/{customer}')}/file", None),
        ("GET", f"/contracts/{encode_id(f'U/{customer}')}/annexes/{encode_id('1')}/file", None),
        ("GET", f"/documents/D{customer}/file", None),
        ("GET", f"/meters/W{customer}/readings", None),
        ("POST", f"/meters/W{customer}/readings", {"value": "11"}),
        ("GET", f"/payments/{order_id}", None),
        ("POST", "/payments", order_body(customer)),
        ("GET", f"/tickets/{TICKETS[customer]}", None),
        ("POST", f"/tickets/{TICKETS[customer]}/messages", {"body": "Dzień dobry."}),
        (
            "POST",
            f"/tickets/{TICKETS[customer]}/attachments",
            {"name": "licznik.jpg", "content_type": "image/jpeg", "size": 1000},
        ),
    ]


LIST_PATHS = [
    "/me",
    "/me/logins",
    "/balance",
    "/settlements",
    "/invoices",
    "/payments",
    "/contracts",
    "/documents",
    "/meters",
    "/consumption",
    "/summary",
    "/tickets",
]


def start_order(client: Any, headers: dict[str, str], customer: str) -> str:
    """Start an online payment of the customer's invoice; its order id."""
    answer = call(client, "POST", "/payments", headers, order_body(customer))
    assert answer.status_code == 201, answer.body
    return answer.json_body["order_id"]


@pytest.fixture
def orders() -> dict[str, str]:
    """Each customer's online payment (filled by `two_customers`)."""
    return {}


@pytest.fixture
def two_customers(client, outbox, orders):
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    headers = {}
    for customer in (MINE, THEIRS):
        active_account(client, outbox, customer)
        report = import_lines(data_of(customer), key=f"imports/{customer}.jsonl")
        assert report.invalid == 0, report.errors
        headers[customer] = bearer(client, customer)
        orders[customer] = start_order(client, headers[customer], customer)
        complaint = {
            "kind": "complaint",
            "category": "invoice",
            "invoice": encode_id(f"FV/{customer}"),
            "description": "Za wysokie zużycie.",
        }
        filed = call(client, "POST", "/tickets", headers[customer], complaint)
        assert filed.status_code == 201 and filed.json_body["id"] == TICKETS[customer]
    s3 = aws.client("s3")
    for customer in (MINE, THEIRS):
        for key in (
            f"invoices/FV-{customer}.pdf",
            f"contracts/U-{customer}.pdf",
            f"contracts/U-{customer}-1.pdf",
            f"documents/D{customer}.pdf",
        ):
            s3.put_object(Bucket=get_settings().data_bucket, Key=key, Body=b"%PDF-1.4")
    return headers


def call(client, method, path, headers, body=None):
    if method == "POST":
        return client.http.post(
            path,
            headers={"Content-Type": "application/json", **headers},
            body=json.dumps(body),
        )
    return client.http.get(path, headers=headers)


def test_own_objects_answer(client, two_customers, orders):
    for method, path, body in object_paths(MINE, orders[MINE]):
        answer = call(client, method, path, two_customers[MINE], body)
        if (method, path) == ("POST", "/payments"):
            # The fixture's open order holds the invoice: found, and not payable twice.
            assert answer.status_code == 409, answer.body
            assert answer.json_body["error"]["fields"] == {"order_id": orders[MINE]}
            continue
        assert answer.status_code in (200, 201), (path, answer.body)


def test_another_customers_objects_are_404(client, two_customers, orders):
    for method, path, body in object_paths(THEIRS, orders[THEIRS]):
        answer = call(client, method, path, two_customers[MINE], body)
        assert answer.status_code == 404, (method, path, answer.status_code)
        assert answer.json_body["error"]["code"] == "not_found"


def test_the_walk_covers_every_customer_route_with_a_path_parameter(app):
    walked = object_paths(THEIRS, "20261120ABCDEF0123456789")
    missing = [
        (method, template)
        for method, template in customer_routes(app)
        if "{" in template
        and not any(m == method and route_of(template).match(p) for m, p, _ in walked)
    ]
    assert missing == []


def test_lists_never_show_another_customers_data(client, two_customers):
    for path in LIST_PATHS:
        answer = client.http.get(path, headers=two_customers[MINE])
        assert answer.status_code == 200, (path, answer.body)
        assert THEIRS not in answer.body.decode("utf-8"), path
