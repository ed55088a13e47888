"""The import path as deployed: an upload under imports/ reaches the FIFO import queue
through EventBridge, the `billing_import` handler imports it, a failure is retried and a
batch that fails every time ends in the dead-letter queue with its failure report."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.imports.handler import RETRY_DELAYS
from chalicelib.models.billing import BillingItem, CustomerRecord
from chalicelib.settings import get_settings
from infra.local import queue_definitions, queue_names
from tests.factories import customer_line, invoice_line
from tests.roundtrips import count_dynamodb_calls

pytestmark = pytest.mark.usefixtures("bucket_events")

BATCH = [customer_line("100200"), invoice_line("FV/1", "100200", "123,45")]
ATTEMPTS = queue_definitions()["ImportQueue"]["RedrivePolicy"]["maxReceiveCount"]


def upload(key: str, lines: list[dict[str, Any]] = BATCH) -> dict[str, Any]:
    body = "\n".join(json.dumps(line) for line in lines).encode()
    return aws.client("s3").put_object(Bucket=get_settings().data_bucket, Key=key, Body=body)


def queue_url(logical: str = "ImportQueue") -> str:
    return aws.queue_url(queue_names(get_settings())[logical])


def waiting(logical: str = "ImportQueue") -> list[str]:
    """Bodies of the messages in a queue, left in it."""
    sqs = aws.client("sqs")
    messages = sqs.receive_message(QueueUrl=queue_url(logical), MaxNumberOfMessages=10).get(
        "Messages", []
    )
    for message in messages:
        sqs.change_message_visibility(
            QueueUrl=queue_url(logical), ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )
    return [m["Body"] for m in messages]


def s3_json(key: str) -> dict[str, Any] | None:
    try:
        body = aws.client("s3").get_object(Bucket=get_settings().data_bucket, Key=key)["Body"]
    except ClientError:
        return None
    return json.loads(body.read())


@pytest.fixture
def failing_reads() -> Iterator[Callable[[int], list[str]]]:
    """S3 refuses the next `n` reads of a batch (`SlowDown`); yields a function setting `n`
    and returning the list of batch keys read, refused or not."""
    state = {"left": 0}
    reads: list[str] = []

    def refuse(params: dict[str, Any], **_: Any) -> None:
        if not params["Key"].endswith(".jsonl"):
            return
        reads.append(params["Key"])
        if state["left"]:
            state["left"] -= 1
            raise ClientError({"Error": {"Code": "SlowDown", "Message": "x"}}, "GetObject")

    events = aws.client("s3").meta.events
    events.register("provide-client-params.s3.GetObject", refuse, unique_id="failing-reads")

    def arm(n: int) -> list[str]:
        state["left"] = n
        return reads

    try:
        yield arm
    finally:
        events.unregister("provide-client-params.s3.GetObject", unique_id="failing-reads")


def test_an_upload_under_imports_reaches_the_queue_and_nothing_else_does(aws_env):
    uploaded = upload("imports/2026/a.jsonl")
    upload("imports/2026/a.jsonl.report.json")  # the import's own report
    upload("imports/readme.txt")
    upload("exports/readings/x.jsonl")
    (body,) = waiting()
    event = json.loads(body)
    assert event["detail-type"] == "Object Created"
    assert event["detail"]["bucket"]["name"] == get_settings().data_bucket
    assert event["detail"]["object"]["key"] == "imports/2026/a.jsonl"
    assert event["detail"]["object"]["version-id"] == uploaded["VersionId"]


def test_an_upload_is_imported_by_the_queue_consumer(aws_env, drain_queues):
    upload("imports/a.jsonl")
    assert drain_queues() == 1
    assert CustomerRecord.count(BillingItem.partition("100200")) == 1
    report = s3_json("imports/a.jsonl.report.json")
    assert (report["lines"], report["created"], report["failed"]) == (2, 2, None)
    assert waiting() == [] and waiting("ImportDeadLetters") == []


def test_a_redelivered_message_is_answered_from_the_marker(aws_env, drain_queues):
    upload("imports/a.jsonl")
    drain_queues()
    report = s3_json("imports/a.jsonl.report.json")
    # SQS delivers at least once: the same event once more (a new deduplication id).
    sqs = aws.client("sqs")
    event = {
        "detail-type": "Object Created",
        "source": "aws.s3",
        "detail": {
            "bucket": {"name": get_settings().data_bucket},
            "object": {"key": "imports/a.jsonl"},
        },
    }
    sqs.send_message(
        QueueUrl=queue_url(),
        MessageBody=json.dumps(event),
        MessageGroupId="imports",
        MessageDeduplicationId="again",
    )
    with count_dynamodb_calls() as calls:
        assert drain_queues() == 1
    assert calls == ["GetItem"]  # the marker only
    assert s3_json("imports/a.jsonl.report.json") == report  # the report stands


def test_a_failed_import_is_retried_later_and_then_succeeds(
    aws_env, drain_queues, failing_reads, captured_logs
):
    reads = failing_reads(1)
    delays = []
    aws.client("sqs").meta.events.register(
        "provide-client-params.sqs.ChangeMessageVisibility",
        lambda params, **_: delays.append(params["VisibilityTimeout"]),
        unique_id="delays",
    )
    try:
        upload("imports/a.jsonl")
        assert drain_queues() == 2  # refused once, then imported
    finally:
        aws.client("sqs").meta.events.unregister(
            "provide-client-params.sqs.ChangeMessageVisibility", unique_id="delays"
        )
    assert reads == ["imports/a.jsonl"] * 2
    # The failed run asked for its retry in a minute (the drain then retried at once).
    assert delays[0] == RETRY_DELAYS[0]
    assert CustomerRecord.count(BillingItem.partition("100200")) == 1
    assert s3_json("imports/a.jsonl.failed.json") is None
    assert waiting() == [] and waiting("ImportDeadLetters") == []


def test_a_batch_failing_every_time_is_dead_lettered_with_its_report_and_the_next_goes_on(
    aws_env, drain_queues, failing_reads
):
    reads = failing_reads(ATTEMPTS)
    first = upload("imports/a.jsonl")
    upload("imports/b.jsonl", [customer_line("100201")])
    assert drain_queues() == ATTEMPTS + 1
    # One batch at a time, in arrival order: b waited until a was dead-lettered.
    assert reads == ["imports/a.jsonl"] * ATTEMPTS + ["imports/b.jsonl"]
    (dead,) = waiting("ImportDeadLetters")
    assert json.loads(dead)["detail"]["object"]["key"] == "imports/a.jsonl"
    assert waiting() == []
    failed = s3_json("imports/a.jsonl.failed.json")
    assert failed["batch"] == "imports/a.jsonl"
    assert failed["version_id"] == first["VersionId"]
    assert (failed["attempts"], failed["error"]) == (ATTEMPTS, "ClientError")
    assert failed["dead_letter_queue"] == queue_names(get_settings())["ImportDeadLetters"]
    assert failed["message"].startswith("Importu nie udało się wykonać w 4 próbach")
    assert CustomerRecord.count(BillingItem.partition("100200")) == 0
    assert CustomerRecord.count(BillingItem.partition("100201")) == 1


def test_a_malformed_message_is_dead_lettered(aws_env, drain_queues):
    aws.client("sqs").send_message(
        QueueUrl=queue_url(),
        MessageBody='{"detail": {}}',
        MessageGroupId="imports",
        MessageDeduplicationId="bad",
    )
    assert drain_queues() == ATTEMPTS
    assert waiting("ImportDeadLetters") == ['{"detail": {}}']


def test_a_malformed_message_comes_back_at_once_not_after_the_visibility_timeout(aws_env):
    """It can never be imported, and in a FIFO group every later batch waits behind it: the
    handler asks for its redelivery at once, so it reaches the dead-letter queue (and its
    alarm) in seconds instead of holding the imports for four visibility timeouts."""
    from chalicelib.imports.handler import import_queued_batch

    sqs = aws.client("sqs")
    sqs.send_message(
        QueueUrl=queue_url(),
        MessageBody='{"detail": {}}',
        MessageGroupId="imports",
        MessageDeduplicationId="bad",
    )
    (message,) = sqs.receive_message(QueueUrl=queue_url(), AttributeNames=["All"])["Messages"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url(), AttributeNames=["QueueArn"])
    record = {
        "body": message["Body"],
        "receiptHandle": message["ReceiptHandle"],
        "attributes": message["Attributes"],
        "eventSourceARN": arn["Attributes"]["QueueArn"],
    }
    with pytest.raises(ValueError, match="not an S3 object-created event"):
        import_queued_batch(record)
    assert waiting() == ['{"detail": {}}']


def test_each_upload_imports_the_version_its_event_names(aws_env, drain_queues):
    """Two uploads of one key before the queue is drained: each message imports its own
    version, not the newest twice (the first version's lines are not lost)."""
    upload("imports/same.jsonl", [customer_line("100200")])
    upload("imports/same.jsonl", [customer_line("100201")])
    assert drain_queues() == 2
    assert CustomerRecord.count(BillingItem.partition("100200")) == 1
    assert CustomerRecord.count(BillingItem.partition("100201")) == 1
