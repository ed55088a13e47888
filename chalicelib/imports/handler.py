"""The event adapters of the billing import: the import queue's messages (the data bucket's
object-created events, queued by EventBridge) and the batch each one names.

The queue is FIFO with one message group, so Lambda hands over one batch at a time in the
order they arrived, and retries a failing one before any later batch. A failed run asks
SQS to deliver it again after a growing delay (`RETRY_DELAYS`); the queue's last attempt
(its redrive policy's `maxReceiveCount`) that fails writes `<batch>.failed.json` beside the
batch, and SQS then moves the message to the dead-letter queue.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from chalicelib import aws, clock
from chalicelib.imports.service import ProgressCallback, run_import
from chalicelib.logs import logger

# Seconds before the 2nd, 3rd… attempt of a failed batch (set on the message by the run
# that failed; a run that died waits the queue's visibility timeout instead).
RETRY_DELAYS = (60, 300, 900)

_observers: list[ProgressCallback] = []


@contextmanager
def observe_progress(callback: ProgressCallback) -> Iterator[None]:
    """Let an operator command watch an import run through the event handler."""
    _observers.append(callback)
    try:
        yield
    finally:
        _observers.remove(callback)


def _notify(done: int) -> None:
    for callback in _observers:
        callback(done)


def import_batch_event(
    bucket: str,
    key: str,
    run: Callable[..., object] = run_import,
    *,
    version_id: str | None = None,
) -> None:
    """Import the batch an S3 event announced (the version it names, when it names one)."""
    if not key.startswith("imports/") or not key.endswith(".jsonl"):
        logger.info("ignored object", extra={"key": key})
        return
    pinned = {"version_id": version_id} if version_id else {}
    report = run(bucket, key, progress=_notify if _observers else None, **pinned)
    logger.info(
        "import finished",
        # Nested: "created" and friends are reserved LogRecord attribute names.
        extra={
            "import_report": {
                k: getattr(report, k)
                for k in ("batch", "lines", "created", "updated", "unchanged", "invalid")
            }
        },
    )


@dataclass(frozen=True)
class QueuedBatch:
    """The batch object an import-queue message names."""

    bucket: str
    key: str
    version_id: str | None


class MalformedImportMessage(ValueError):
    """An import-queue message that is not an S3 object-created event."""


class ImportFailed(Exception):
    """A queued batch could not be imported this time (the cause is chained). Raising it
    hands the message back to SQS."""


def failure_report_key(batch_key: str) -> str:
    """Where the report of a dead-lettered batch is written: next to it."""
    return f"{batch_key}.failed.json"


def queued_batch(body: str) -> QueuedBatch:
    """The batch an import-queue message names (an EventBridge "Object Created" event)."""
    try:
        detail = json.loads(body)["detail"]
        bucket, obj = detail["bucket"]["name"], detail["object"]
        return QueuedBatch(str(bucket), str(obj["key"]), obj.get("version-id") or None)
    except (ValueError, TypeError, KeyError) as exc:
        raise MalformedImportMessage("not an S3 object-created event") from exc


def import_queued_batch(record: dict[str, Any]) -> None:
    """Import the batch one import-queue message (a Lambda SQS record) names. A failure is
    raised after asking for a later retry, or, on the queue's last attempt, after writing
    the failure report; a redelivered message of a batch version already imported is
    answered from the import marker (`run_import`)."""
    queue = str(record["eventSourceARN"]).rsplit(":", 1)[-1]
    try:
        batch = queued_batch(record["body"])
    except MalformedImportMessage:
        # It can never succeed, and every later batch of the FIFO group waits behind it:
        # back at once, so its retries end in the dead-letter queue (and its alarm) within
        # seconds, not after four visibility timeouts.
        logger.error("malformed import message", extra={"queue": queue})
        _redeliver(queue, record["receiptHandle"], 0)
        raise
    attempt = int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))
    try:
        import_batch_event(batch.bucket, batch.key, version_id=batch.version_id)
    except Exception as exc:
        attempts, dead_letters = _redrive(queue)
        if attempts is not None and attempt >= attempts:
            _report_dead_lettered(batch, attempt, exc, dead_letters)
        else:
            _retry_later(queue, record["receiptHandle"], attempt)
        raise ImportFailed(
            f"import of {batch.key} failed (attempt {attempt} of {attempts or '?'})"
        ) from exc


def _redrive(queue: str) -> tuple[int | None, str | None]:
    """The queue's attempts before dead-lettering and its dead-letter queue's name."""
    found = aws.client("sqs").get_queue_attributes(
        QueueUrl=aws.queue_url(queue), AttributeNames=["RedrivePolicy"]
    )
    policy = found.get("Attributes", {}).get("RedrivePolicy")
    if not policy:
        return None, None
    redrive = json.loads(policy)
    return int(redrive["maxReceiveCount"]), str(redrive["deadLetterTargetArn"]).rsplit(":", 1)[-1]


def _retry_later(queue: str, receipt_handle: str, attempt: int) -> None:
    """Ask SQS to deliver the message again after this attempt's delay (if that fails, it
    comes back after the queue's visibility timeout)."""
    _redeliver(queue, receipt_handle, RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1])


def _redeliver(queue: str, receipt_handle: str, delay: int) -> None:
    """Make a received message visible again in `delay` seconds (best effort)."""
    try:
        aws.client("sqs").change_message_visibility(
            QueueUrl=aws.queue_url(queue), ReceiptHandle=receipt_handle, VisibilityTimeout=delay
        )
    except Exception:
        logger.exception("cannot delay the import's retry", extra={"queue": queue})


def _report_dead_lettered(
    batch: QueuedBatch, attempt: int, exc: Exception, dead_letters: str | None
) -> None:
    """Write `<batch>.failed.json`: the batch failed its last attempt and goes to the
    dead-letter queue. A failure to write it is logged; the message is dead-lettered all
    the same (the queue's depth alarm tells the operator)."""
    report = {
        "batch": batch.key,
        "version_id": batch.version_id,
        "failed_at": clock.now().isoformat(),
        "attempts": attempt,
        "error": type(exc).__name__,
        "dead_letter_queue": dead_letters,
        "message": (
            f"Importu nie udało się wykonać w {attempt} próbach; komunikat trafił do kolejki "
            f"{dead_letters}. Po usunięciu przyczyny przenieś go z powrotem do kolejki "
            "importu albo wyślij plik ponownie."
        ),
    }
    try:
        aws.client("s3").put_object(
            Bucket=batch.bucket,
            Key=failure_report_key(batch.key),
            Body=json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8"),
            ContentType="application/json",
        )
    except Exception:
        logger.exception("cannot write the failure report", extra={"key": batch.key})
    logger.error("import dead-lettered", extra={"key": batch.key, "attempts": attempt})
