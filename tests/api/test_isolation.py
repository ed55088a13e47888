"""Access: every customer path given another customer's ids answers 404, and lists never
show another's data (the unauthenticated walk of every route is in test_errors.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from chalicelib import aws, clock
from chalicelib.http.ids import encode_id
from chalicelib.settings import get_settings
from tests.factories import active_account, bearer, import_lines, invoice_line

MINE, THEIRS = "100200", "100300"


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


def object_paths(customer: str) -> list[tuple[str, str]]:
    """Every customer path that names an object of `customer`."""
    return [
        ("GET", f"/invoices/{encode_id(f'FV/{customer}')}"),
        ("GET", f"/invoices/{encode_id(f'FV/{customer}')}/pdf"),
        ("GET", f"/contracts/{encode_id(f'U/{customer}')}/file"),
        ("GET", f"/contracts/{encode_id(f'U/{customer}')}/annexes/{encode_id('1')}/file"),
        ("GET", f"/documents/D{customer}/file"),
        ("GET", f"/meters/W{customer}/readings"),
        ("POST", f"/meters/W{customer}/readings"),
    ]


LIST_PATHS = [
    "/me",
    "/balance",
    "/settlements",
    "/invoices",
    "/payments",
    "/contracts",
    "/documents",
    "/meters",
    "/consumption",
]


@pytest.fixture
def two_customers(client, outbox):
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    headers = {}
    for customer in (MINE, THEIRS):
        active_account(client, outbox, customer)
        report = import_lines(data_of(customer), key=f"imports/{customer}.jsonl")
        assert report.invalid == 0, report.errors
        headers[customer] = bearer(client, customer)
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


def call(client, method, path, headers):
    if method == "POST":
        return client.http.post(
            path,
            headers={"Content-Type": "application/json", **headers},
            body=json.dumps({"value": "11"}),
        )
    return client.http.get(path, headers=headers)


def test_own_objects_answer(client, two_customers):
    for method, path in object_paths(MINE):
        answer = call(client, method, path, two_customers[MINE])
        assert answer.status_code in (200, 201), (path, answer.body)


def test_another_customers_objects_are_404(client, two_customers):
    for method, path in object_paths(THEIRS):
        answer = call(client, method, path, two_customers[MINE])
        assert answer.status_code == 404, (method, path, answer.status_code)
        assert answer.json_body["error"]["code"] == "not_found"


def test_lists_never_show_another_customers_data(client, two_customers):
    for path in LIST_PATHS:
        answer = client.http.get(path, headers=two_customers[MINE])
        assert answer.status_code == 200, (path, answer.body)
        assert THEIRS not in answer.body.decode("utf-8"), path
