"""A ticket e-mail that fails is retried (issue 12): when SES fails as staff reply or move
a ticket on, the change is made and answered 2xx, and the e-mail is queued for the
`ticket-updates` job (chalicelib/jobs/ticket_updates.py) with ids only; its retry, run
by `job_work`, rebuilds the e-mail from the stored ticket and sends it once under the
event's key - a second delivery sends nothing. An internal note is never e-mailed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from chalicelib import aws, clock
from chalicelib.jobs import fanout
from chalicelib.services import ticket_work
from chalicelib.services.collaborators import current, using
from chalicelib.settings import get_settings
from chalicelib.storage import tickets as store
from tests.api.test_staff_tickets import ANNA, CUSTOMER, EMAIL, complaint, file_ticket
from tests.factories import active_account, bearer, post, staff_account, staff_bearer
from tests.iam_calls import as_function

REPLY = "Sprawdziliśmy odczyt, korekta faktury w drodze."


class SesDown:
    """The real mailer, except for ticket e-mails, whose send fails."""

    def __init__(self, mailer):
        self.mailer = mailer

    def send(self, template, to, *args, **kwargs):
        if template == "ticket_update":
            raise RuntimeError("SES unavailable")
        return self.mailer.send(template, to, *args, **kwargs)


class QueueDown:
    def send_batch(self, queue, bodies):
        raise RuntimeError("SQS unavailable")


@pytest.fixture
def customer(client, outbox):
    clock.travel_to(datetime(2026, 12, 28, 10, tzinfo=UTC))
    active_account(client, outbox, CUSTOMER)
    return bearer(client, CUSTOMER)


@pytest.fixture
def anna(client, customer):
    return staff_bearer(client, ANNA, staff_account(ANNA))


def ticket_mails(outbox) -> list[dict]:
    return [m for m in outbox.messages() if m["template"] == "ticket_update"]


def queued() -> list[str]:
    """The job queue's message bodies, left on the queue (not received for good)."""
    answer = aws.client("sqs").receive_message(
        QueueUrl=aws.queue_url(get_settings().job_queue),
        MaxNumberOfMessages=10,
        VisibilityTimeout=0,
    )
    return [m["Body"] for m in answer.get("Messages", [])]


def last_event(ticket_id: str, action: str) -> str:
    found = store.thread(ticket_id)
    return [e for e in found.events if e.action == action][-1].id


@pytest.mark.parametrize(
    ("route", "body", "action", "says"),
    [
        ("messages", {"body": REPLY}, "message", REPLY),
        ("status", {"status": "in_progress"}, "status", "Zmienił się status zgłoszenia"),
    ],
)
def test_a_failed_ticket_email_is_retried_through_the_job_queue_once(
    client, customer, anna, outbox, drain_queues, route, body, action, says
):
    ticket_id = file_ticket(client, customer)
    with using(mailer=SesDown(current().mailer)):
        answer = post(client, f"/staff/tickets/{ticket_id}/{route}", body, anna)
    assert answer.status_code in (200, 201), answer.body
    assert ticket_mails(outbox) == []

    event_id = last_event(ticket_id, action)
    (message,) = queued()
    batch = json.loads(message)
    assert (batch["job"], batch["task"]) == ("ticket-updates", "retry")
    assert batch["items"] == [f"{ticket_id}:{event_id}"]  # ids only: no address, no text
    assert CUSTOMER not in message and "@" not in message

    assert drain_queues() == 1
    (mail,) = ticket_mails(outbox)
    assert mail["to"] == EMAIL
    assert ticket_id in mail["text"] and says in mail["text"]
    assert queued() == []

    with as_function("job_work"):  # SQS delivers the batch again: its key is taken
        assert fanout.consume([message]).done == 1
    assert len(ticket_mails(outbox)) == 1


def test_an_email_that_went_out_is_not_sent_again_by_a_retry(client, customer, anna, outbox):
    ticket_id = file_ticket(client, customer)
    assert (
        post(client, f"/staff/tickets/{ticket_id}/messages", {"body": REPLY}, anna).status_code
        == 201
    )
    assert len(ticket_mails(outbox)) == 1 and queued() == []
    with as_function("job_work"):
        ticket_work.resend_update(ticket_id, last_event(ticket_id, "message"))
    assert len(ticket_mails(outbox)) == 1


def test_when_the_retry_cannot_be_queued_either_the_reply_still_answers(
    client, customer, anna, outbox, captured_logs
):
    ticket_id = file_ticket(client, customer)
    with using(mailer=SesDown(current().mailer), queues=QueueDown()):
        answer = post(client, f"/staff/tickets/{ticket_id}/messages", {"body": REPLY}, anna)
    assert answer.status_code == 201, answer.body
    assert [m["body"] for m in answer.json_body["messages"]] == [REPLY]
    assert "ticket e-mail retry not queued" in captured_logs.getvalue()


def test_an_internal_note_never_triggers_an_email(client, customer, anna, outbox, drain_queues):
    ticket_id = file_ticket(client, customer, complaint())
    note = {"body": "Sprawdzić licznik u klienta.", "internal": True}
    assert post(client, f"/staff/tickets/{ticket_id}/messages", note, anna).status_code == 201
    with using(mailer=SesDown(current().mailer)):
        assert post(client, f"/staff/tickets/{ticket_id}/messages", note, anna).status_code == 201
    assert queued() == [] and drain_queues() == 0
    with as_function("job_work"):  # a forged retry of the note's event sends nothing either
        ticket_work.resend_update(ticket_id, last_event(ticket_id, "note"))
    assert ticket_mails(outbox) == []


def test_a_retry_after_closure_and_a_new_registration_tells_the_new_account_nothing(
    client, customer, anna, outbox, drain_queues
):
    """Closure erases the e-mail's key marks; a retry redriven after the number registered
    again must not send the closed account's ticket to the new account."""
    from chalicelib.services import termination
    from tests.api.test_terminations import delete_me

    ticket_id = file_ticket(client, customer)
    with using(mailer=SesDown(current().mailer)):
        answer = post(client, f"/staff/tickets/{ticket_id}/messages", {"body": REPLY}, anna)
    assert answer.status_code in (200, 201)
    (body,) = queued()
    assert delete_me(client, customer).status_code == 202
    clock.travel_to(datetime(2027, 1, 12, 4, tzinfo=UTC))
    assert termination.close(CUSTOMER)
    before = len(ticket_mails(outbox))
    active_account(client, outbox, CUSTOMER)  # the number registered again
    fanout.consume([body])  # the retry, redriven from the dead-letter queue
    assert ticket_mails(outbox)[before:] == []
