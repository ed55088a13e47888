"""The DynamoDB calls the cost estimate charges for (scripts/cost_measured.json) are what the
requests make today, for the requests no benchmark prints; counted with botocore events."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from chalicelib import aws, clock
from chalicelib.ids import encode_id
from chalicelib.settings import get_settings
from scripts.cost_estimate import MEASURED
from tests.api.test_isolation import MINE, data_of, order_body
from tests.factories import active_account, bearer, import_lines, post
from tests.roundtrips import count_dynamodb_requests

CHECKED_HERE = "tests/api/test_cost_inputs.py"


@pytest.fixture
def customer(client, outbox):
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    active_account(client, outbox, MINE)
    import_lines(data_of(MINE), key="imports/mine.jsonl")
    bucket = get_settings().data_bucket
    aws.client("s3").put_object(Bucket=bucket, Key=f"invoices/FV-{MINE}.pdf", Body=b"%PDF")
    headers = bearer(client, MINE)
    # A container's copy of the terms versions is read once per TERMS_COPY_SECONDS, not per
    # request (services/terms.py): warm it, as a running container has it.
    assert client.http.get("/balance", headers=headers).status_code == 200
    return headers


def test_the_calls_charged_for_are_the_calls_made(client, customer):
    measured = json.loads(MEASURED.read_text("utf-8"))["requests"]
    invoice = encode_id(f"FV/{MINE}")
    made = {}
    with count_dynamodb_requests() as made["POST /auth/login"]:
        headers = bearer(client, MINE)
    with count_dynamodb_requests() as made["GET /invoices/{id}/pdf"]:
        assert client.http.get(f"/invoices/{invoice}/pdf", headers=headers).status_code == 200
    with count_dynamodb_requests() as made["POST /payments"]:
        assert post(client, "/payments", order_body(MINE), headers).status_code == 201
    with count_dynamodb_requests() as made["POST /meters/{id}/readings"]:
        answer = post(client, f"/meters/W{MINE}/readings", {"value": "12"}, headers)
        assert answer.status_code == 201, answer.body
    with count_dynamodb_requests() as made["POST /auth/password/forgot"]:
        assert post(client, "/auth/password/forgot", {"login": MINE}).status_code == 202
    with count_dynamodb_requests() as made["POST /auth/logout"]:
        assert client.http.post("/auth/logout", headers=headers).status_code == 204
    checked = {name for name, entry in measured.items() if entry.get("calls_from") == CHECKED_HERE}
    assert checked == set(made)
    assert {name: measured[name]["calls"] for name in checked} == made
