"""Review of issue 12: a page cursor is a DynamoDB start key in base64, so a caller can
write one. One naming another partition than the list's (another customer's tickets,
another queue, another list) is refused with a 400 here: DynamoDB itself answers such a
Query with a ValidationException ("The provided starting key is invalid"), a 500 on AWS
(moto is lenient and answers an empty page)."""

from __future__ import annotations

import json

import pytest

from chalicelib.paging import decode_cursor, encode_cursor
from tests.api.test_staff_tickets import anna, customer, file_ticket
from tests.factories import active_account, bearer

__all__ = ["anna", "customer"]  # the fixtures, used below

OTHER = "100300"


def forged(cursor: str, **changes: str) -> str:
    return encode_cursor(json.dumps({**json.loads(decode_cursor(cursor)), **changes}))


def refused(answer) -> bool:
    return answer.status_code == 400 and "cursor" in answer.json_body["error"]["fields"]


def test_a_cursor_of_another_customers_list_is_refused(client, outbox, customer):
    for _ in range(2):
        file_ticket(client, customer)
    cursor = client.http.get("/tickets?limit=1", headers=customer).json_body["next_cursor"]
    active_account(client, outbox, OTHER)
    other = bearer(client, OTHER)
    assert refused(client.http.get(f"/tickets?cursor={cursor}", headers=other))
    # Its own partition with the other's ticket keys is no better.
    assert client.http.get(f"/tickets?cursor={cursor}", headers=customer).status_code == 200


@pytest.mark.parametrize(
    ("query", "changes"),
    [
        ("", {"queue_scope": "closed"}),  # the closed queue's cursor on the open queue
        ("kind=complaint&", {"queue_kind": "open#operational"}),
    ],
)
def test_a_cursor_of_another_queue_is_refused(client, customer, anna, query, changes):
    for _ in range(2):
        file_ticket(client, customer)
    first = client.http.get(f"/staff/tickets?{query}limit=1", headers=anna).json_body
    cursor = forged(first["next_cursor"], **changes)
    assert refused(client.http.get(f"/staff/tickets?{query}cursor={cursor}", headers=anna))


def test_a_cursor_of_another_announcement_list_is_refused(client, customer, anna):
    cursor = encode_cursor(
        json.dumps({"pk": "ANN#x", "sk": "ANN", "list_name": "broadcasts", "list_order": "x"})
    )
    assert refused(client.http.get(f"/staff/announcements?cursor={cursor}", headers=anna))
