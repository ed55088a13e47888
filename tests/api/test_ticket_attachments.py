"""Ticket attachments: a presigned POST per file limited to its key, type and size; the
upload check (EventBridge → SQS → `ticket_upload`) by magic bytes; quarantine; downloads
only of checked files, for the ticket's customer."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from chalicelib import aws, clock
from chalicelib.ids import encode_id
from chalicelib.settings import get_settings
from tests.factories import active_account, bearer, post

CUSTOMER, OTHER = "100200", "100300"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 300
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 300
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + b" " * 300
JPEG_SIZE = len(JPEG)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 300


@pytest.fixture
def ticket(client, outbox, bucket_events, drain_queues):
    clock.travel_to(datetime(2026, 12, 28, 10, tzinfo=UTC))
    active_account(client, outbox, CUSTOMER)
    headers = bearer(client, CUSTOMER)
    body = {
        "kind": "complaint",
        "category": "invoice",
        "invoice": encode_id("FV/2026/10/0001"),
        "description": "Błędne zużycie.",
    }
    answer = post(client, "/tickets", body, headers)
    assert answer.status_code == 201
    drain_queues()  # the seeded batch's import (its upload was queued too)
    return answer.json_body["id"], headers


def ask(client, ticket, name="licznik.jpg", content_type="image/jpeg", size=JPEG_SIZE):
    ticket_id, headers = ticket
    body = {"name": name, "content_type": content_type, "size": size}
    return post(client, f"/tickets/{ticket_id}/attachments", body, headers)


def upload(answer, content: bytes) -> None:
    """What the browser's POST with the form does: put the file under the form's key."""
    fields = answer.json_body["upload"]["fields"]
    aws.client("s3").put_object(
        Bucket=get_settings().data_bucket,
        Key=fields["key"],
        Body=content,
        ContentType=fields["Content-Type"],
    )


def keys(prefix: str) -> list[str]:
    listed = aws.client("s3").list_objects_v2(Bucket=get_settings().data_bucket, Prefix=prefix)
    return [o["Key"] for o in listed.get("Contents", [])]


def detail(client, ticket):
    ticket_id, headers = ticket
    return client.http.get(f"/tickets/{ticket_id}", headers=headers).json_body


def test_the_form_is_limited_to_its_key_type_and_size(client, ticket):
    answer = ask(client, ticket, size=12345)
    assert answer.status_code == 201, answer.body
    fields = answer.json_body["upload"]["fields"]
    assert fields["key"] == f"tickets-pending/{ticket[0]}/{answer.json_body['id']}"
    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    assert {"Content-Type": "image/jpeg"} in conditions
    assert ["content-length-range", 1, 12345] in conditions
    assert {"key": fields["key"]} in conditions


@pytest.mark.parametrize(
    ("content_type", "content"),
    [("image/jpeg", JPEG), ("image/png", PNG), ("application/pdf", PDF)],
)
def test_a_good_file_is_checked_moved_and_served_to_its_customer_only(
    client, ticket, drain_queues, outbox, content_type, content
):
    answer = ask(
        client, ticket, name="Zdjęcie licznika", content_type=content_type, size=len(content)
    )
    upload(answer, content)
    assert detail(client, ticket)["attachments"][0]["state"] == "pending"
    assert detail(client, ticket)["attachments"][0]["download_url"] is None
    assert drain_queues() == 1
    (attachment,) = detail(client, ticket)["attachments"]
    assert attachment["state"] == "ready"
    assert attachment["download_url"] and attachment["download_expires_at"]
    assert keys("tickets-pending/") == []
    (stored,) = keys(f"tickets/{ticket[0]}/")
    assert attachment["download_url"].split("?")[0].endswith(stored)
    active_account(client, outbox, OTHER)
    other = bearer(client, OTHER)
    assert client.http.get(f"/tickets/{ticket[0]}", headers=other).status_code == 404


@pytest.mark.parametrize(
    ("name", "declared", "content", "reason"),
    [
        ("licznik.jpg", "image/jpeg", EXE, "type"),  # a renamed executable
        ("skan.pdf", "application/pdf", PNG, "mismatch"),  # not what it claims
        ("notatka.png", "image/png", b"just some text" * 30, "type"),
    ],
)
def test_a_file_whose_content_is_not_what_it_claims_is_quarantined_and_never_served(
    client, ticket, drain_queues, name, declared, content, reason
):
    answer = ask(client, ticket, name=name, content_type=declared, size=len(content))
    upload(answer, content)
    drain_queues()
    (attachment,) = detail(client, ticket)["attachments"]
    assert attachment["state"] == "quarantined"
    assert attachment["download_url"] is None
    assert keys(f"tickets/{ticket[0]}/") == [] and keys("tickets-pending/") == []
    assert keys(f"tickets-quarantine/{ticket[0]}/") == [
        f"tickets-quarantine/{ticket[0]}/{answer.json_body['id']}"
    ]
    from chalicelib.models.service import AttachmentItem, ServiceItem

    (item,) = [i for i in ServiceItem.query(f"TICKET#{ticket[0]}") if isinstance(i, AttachmentItem)]
    assert item.refusal == reason


def test_a_file_bigger_than_declared_is_quarantined(client, ticket, drain_queues):
    answer = ask(client, ticket, size=100)
    upload(answer, JPEG)  # 320 bytes: the form would refuse it; the check does too
    drain_queues()
    assert detail(client, ticket)["attachments"][0]["state"] == "quarantined"


@pytest.mark.parametrize(
    ("content_type", "size", "field"),
    [
        ("text/plain", 100, "content_type"),  # wrong type
        ("application/x-msdownload", 100, "content_type"),
        ("image/jpeg", 10 * 1024 * 1024 + 1, "size"),  # too big
        ("image/jpeg", 0, "size"),
    ],
)
def test_a_wrong_type_or_size_is_refused_before_any_upload(
    client, ticket, content_type, size, field
):
    answer = ask(client, ticket, content_type=content_type, size=size)
    assert answer.status_code == 400
    message = answer.json_body["error"]["fields"][field]
    assert message[0].isupper() and message.endswith(".")
    assert detail(client, ticket)["attachments"] == []


def test_a_sixth_file_is_refused_and_a_quarantined_one_frees_its_place(
    client, ticket, drain_queues
):
    answers = [ask(client, ticket) for _ in range(5)]
    assert all(a.status_code == 201 for a in answers)
    sixth = ask(client, ticket)
    assert sixth.status_code == 409
    assert "5" in sixth.json_body["error"]["message"]
    upload(answers[0], EXE)
    drain_queues()
    assert ask(client, ticket).status_code == 201  # the quarantined file gave its place back
    assert ask(client, ticket).status_code == 409


def test_cleanup_removes_the_attachments_whose_upload_never_came_and_frees_their_slots(
    client, ticket, drain_queues
):
    from chalicelib.jobs.cleanup import cleanup

    answers = [ask(client, ticket, name=f"skan-{n}.jpg") for n in range(5)]
    upload(answers[0], JPEG)
    drain_queues()  # the one uploaded is checked; four never come
    assert [a["state"] for a in detail(client, ticket)["attachments"]].count("pending") == 4
    clock.travel(14 * 86400)  # a failed check may still be redriven from the DLQ
    assert cleanup().items["upload"] == 0
    clock.travel(86400 + 60)  # past the bucket's 15 days: no pending file is left
    assert cleanup().items["upload"] == 4
    drain_queues()
    ticket = (ticket[0], bearer(client, CUSTOMER))  # the first session has ended
    (kept,) = detail(client, ticket)["attachments"]
    assert kept["state"] == "ready" and kept["id"] == answers[0].json_body["id"]
    assert cleanup().items["upload"] == 0  # a second run: nothing listed
    assert all(ask(client, ticket).status_code == 201 for _ in range(4))  # slots given back
    assert ask(client, ticket).status_code == 409


def test_cleanup_leaves_an_attachment_checked_after_it_was_listed(client, ticket, drain_queues):
    from chalicelib.jobs.cleanup import cleanup
    from chalicelib.services.ticket_uploads import check_upload

    answer = ask(client, ticket)
    clock.travel(15 * 86400 + 60)
    assert cleanup().items["upload"] == 1
    upload(answer, JPEG)  # a late check (a redrive) runs before the job's work
    assert check_upload(answer.json_body["upload"]["fields"]["key"]) is None
    drain_queues()
    ticket = (ticket[0], bearer(client, CUSTOMER))  # the first session has ended
    (attachment,) = detail(client, ticket)["attachments"]
    assert attachment["state"] == "ready"
