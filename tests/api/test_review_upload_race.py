"""Review of issue 12: the upload check serves exactly the bytes it checked. The upload
form stays valid for minutes, so the customer can POST another file to the same key
while the check runs; what is moved to the ticket (and served) must be the version whose
magic bytes were read, never whatever the key holds by the time of the copy."""

from __future__ import annotations

from chalicelib import aws
from chalicelib.adapters import uploads
from chalicelib.settings import get_settings
from tests.api.test_ticket_attachments import EXE, JPEG, ask, detail, keys, upload
from tests.api.test_ticket_attachments import ticket as attached_ticket

__all__ = ["attached_ticket"]  # the fixture, used below


def test_a_file_replaced_during_its_check_is_not_served(
    client, attached_ticket, drain_queues, monkeypatch
):
    answer = ask(client, attached_ticket)
    upload(answer, JPEG)
    checked = uploads.read_head

    def read_then_replace(key: str):
        found = checked(key)
        # The customer's second POST with the same form lands after the check read.
        aws.client("s3").put_object(
            Bucket=get_settings().data_bucket, Key=key, Body=EXE, ContentType="image/jpeg"
        )
        monkeypatch.setattr(uploads, "read_head", checked)
        return found

    monkeypatch.setattr(uploads, "read_head", read_then_replace)
    drain_queues()
    (stored,) = keys(f"tickets/{attached_ticket[0]}/")
    body = aws.client("s3").get_object(Bucket=get_settings().data_bucket, Key=stored)["Body"]
    assert body.read() == JPEG  # the bytes that were checked, not the executable
    (attachment,) = detail(client, attached_ticket)["attachments"]
    assert attachment["state"] == "ready"
