"""Password reset through the queue: the route does the same work for every request (no
account lookup, so its time tells nothing), is throttled per source, and the consumer sends
each request's e-mail effectively once, retrying failures until the dead-letter queue."""

from __future__ import annotations

import json
import traceback

import pytest

from chalicelib import aws, clock
from chalicelib.adapters import mailer
from chalicelib.models.accounts import Account
from chalicelib.services.collaborators import using
from chalicelib.services.sessions import RESET_CLAIM_LEASE, RESET_REQUEST_MAX_AGE
from chalicelib.settings import get_settings
from chalicelib.storage import reset_mail as reset_marks
from infra.local import queue_names
from tests.factories import active_account, post, register_body, seed_customer
from tests.roundtrips import count_aws_calls

ROUTE = "/auth/password/forgot"


def reset_mails(outbox):
    return [m for m in outbox.messages() if m["template"] == "password_reset"]


def queue_url(logical="ResetMailQueue"):
    return aws.queue_url(queue_names(get_settings())[logical])


def waiting(logical="ResetMailQueue"):
    """Bodies of the messages in a queue, left in it."""
    sqs = aws.client("sqs")
    got = sqs.receive_message(QueueUrl=queue_url(logical), MaxNumberOfMessages=10)
    messages = got.get("Messages", [])
    for message in messages:
        sqs.change_message_visibility(
            QueueUrl=queue_url(logical),
            ReceiptHandle=message["ReceiptHandle"],
            VisibilityTimeout=0,
        )
    return [m["Body"] for m in messages]


def redeliver(body):
    """The queue hands the same request over once more (SQS delivers at least once)."""
    aws.client("sqs").send_message(QueueUrl=queue_url(), MessageBody=body)


def test_the_route_does_the_same_calls_whatever_it_is_asked(client, outbox, aws_env):
    body = active_account(client, outbox)
    seed_customer("100300")
    assert post(client, "/auth/register", register_body("100300")).status_code == 201
    active_account(client, outbox, "100400")
    Account(*Account.key("100400")).update(actions=[Account.status.set("disabled")])
    asked = {
        "unknown login": "999999",
        "active login": "100200",
        "pending login": "100300",
        "disabled login": "100400",
        "known e-mail": body["email"],
        "unknown e-mail": "nikt@example.pl",
    }
    assert post(client, ROUTE, {"login": "100999"}).status_code == 202  # warm: queue URL
    calls = {}
    for name, login in asked.items():
        with count_aws_calls() as made:
            assert post(client, ROUTE, {"login": login}).status_code == 202
        calls[name] = made
    expected = ["dynamodb:TransactWriteItems", "sqs:SendMessage"]
    assert calls == dict.fromkeys(asked, expected)
    assert reset_mails(outbox) == []  # nothing is sent before the consumer runs


def test_requests_are_throttled_per_source(client, outbox, aws_env, monkeypatch):
    monkeypatch.setenv("RESET_MAX_PER_SOURCE", "3")
    get_settings.cache_clear()
    for login in ("100200", "999999", "nikt@example.pl"):
        assert post(client, ROUTE, {"login": login}).status_code == 202
    refused = post(client, ROUTE, {"login": "100201"})
    assert refused.status_code == 429
    assert refused.json_body["error"]["code"] == "too_many_requests"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert len(waiting()) == 3  # the refused request queued nothing
    clock.travel(3600)
    assert post(client, ROUTE, {"login": "100200"}).status_code == 202


def test_whatever_is_typed_is_queued_as_characters_sqs_accepts(client, outbox, aws_env):
    # SQS refuses U+FFFE and U+FFFF (moto does not check); a 500 would follow.
    typed = ["x\ufffe\uffff", "a\u0000b", "\U0001f600@example.pl", "Łódź@example.pl"]
    for login in typed:
        assert post(client, ROUTE, {"login": login}).status_code == 202
    bodies = waiting()
    assert all(body.isascii() for body in bodies)
    assert sorted(json.loads(body)["login"] for body in bodies) == sorted(typed)


def test_a_redelivered_request_sends_no_second_mail(client, outbox, aws_env, drain_queues):
    active_account(client, outbox)
    post(client, ROUTE, {"login": "100200"})
    (body,) = waiting()
    drain_queues()
    assert len(reset_mails(outbox)) == 1
    redeliver(body)
    assert drain_queues() == 1
    assert len(reset_mails(outbox)) == 1
    assert waiting() == [] and waiting("ResetMailDeadLetters") == []


def test_a_request_claimed_by_a_run_that_died_is_sent_after_the_lease(
    client, outbox, aws_env, drain_queues
):
    active_account(client, outbox)
    post(client, ROUTE, {"login": "100200"})
    (body,) = waiting()
    request_id = json.loads(body)["id"]
    now = int(clock.now().timestamp())
    assert reset_marks.claim(request_id, "100200", now, RESET_CLAIM_LEASE, now + 7200)
    drain_queues()  # a delivery while the other run may still be sending: nothing
    assert reset_mails(outbox) == []
    clock.travel(RESET_CLAIM_LEASE + 1)
    redeliver(body)
    drain_queues()
    assert len(reset_mails(outbox)) == 1


class FailingMailer:
    """The real mailer, except that the next `left` reset e-mails fail to send (SES
    refusing them)."""

    def __init__(self) -> None:
        self.left = 0

    def send(self, template, to, context):
        if template == "password_reset" and self.left > 0:
            self.left -= 1
            raise RuntimeError(f"MessageRejected: {to} is not verified")  # as SES says
        return mailer.send(template, to, context)


@pytest.fixture
def failing_mail():
    """Make the next `times` reset e-mails fail to send."""
    fake = FailingMailer()

    def fail(times):
        fake.left = times

    with using(mailer=fake):
        yield fail


def test_a_failed_send_is_retried_by_the_queue(client, outbox, aws_env, drain_queues, failing_mail):
    body = active_account(client, outbox)
    failing_mail(2)
    post(client, ROUTE, {"login": "100200"})
    assert drain_queues() == 3  # two failures, then the e-mail went out
    (sent,) = reset_mails(outbox)
    assert sent["to"] == body["email"]
    assert waiting() == [] and waiting("ResetMailDeadLetters") == []


def test_a_send_that_keeps_failing_ends_in_the_dead_letter_queue(
    client, outbox, aws_env, drain_queues, failing_mail
):
    active_account(client, outbox)
    failing_mail(1000)
    post(client, ROUTE, {"login": "100200"})
    assert drain_queues() == 5  # maxReceiveCount in infra/stateful.yaml
    assert reset_mails(outbox) == []
    assert waiting() == []
    assert len(waiting("ResetMailDeadLetters")) == 1
    failing_mail(0)
    # The failed tries gave back their places in the hourly limit of three e-mails.
    for _ in range(3):
        post(client, ROUTE, {"login": "100200"})
    drain_queues()
    assert len(reset_mails(outbox)) == 3


def test_a_request_that_waited_too_long_is_dropped(client, outbox, aws_env, drain_queues):
    active_account(client, outbox)
    post(client, ROUTE, {"login": "100200"})
    clock.travel(RESET_REQUEST_MAX_AGE + 1)
    assert drain_queues() == 1
    assert reset_mails(outbox) == []


def test_a_malformed_message_goes_to_the_dead_letter_queue(client, aws_env, drain_queues):
    redeliver('{"id": "x", "login": "100200"}')
    drain_queues()
    assert waiting() == []
    assert waiting("ResetMailDeadLetters") == ['{"id": "x", "login": "100200"}']


def test_neither_route_nor_consumer_logs_what_was_typed(
    client, outbox, aws_env, drain_queues, captured_logs, failing_mail
):
    body = active_account(client, outbox)
    failing_mail(1)
    post(client, ROUTE, {"login": body["email"]})
    post(client, ROUTE, {"login": "nieznany.adres@example.pl"})
    drain_queues()
    logged = captured_logs.getvalue()
    assert "queue handler failed" in logged  # the failure was logged, without the address
    assert body["email"] not in logged
    assert "nieznany.adres" not in logged


def test_what_the_lambda_runtime_would_print_names_nobody(client, outbox, aws_env, failing_mail):
    from chalicelib.domain.errors import QueuedWorkFailed
    from chalicelib.services.sessions import send_reset_mail

    body = active_account(client, outbox)
    post(client, ROUTE, {"login": body["email"]})
    (message,) = waiting()
    failing_mail(1)
    with pytest.raises(QueuedWorkFailed) as failed:  # the runtime logs it unmasked
        send_reset_mail(message)
    printed = "".join(traceback.format_exception(failed.value))
    assert body["email"] not in printed
    assert "100200" not in printed
    with pytest.raises(QueuedWorkFailed) as malformed:
        send_reset_mail(json.dumps({"login": body["email"], "id": "?"}))
    assert body["email"] not in "".join(traceback.format_exception(malformed.value))
