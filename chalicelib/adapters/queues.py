"""SQS: hand work to a queue's consumer (a Lambda; locally, the local stack's poller)."""

from __future__ import annotations

from chalicelib import aws


def send(queue: str, body: str) -> None:
    """Put one message (a JSON body) on the queue named `queue`."""
    aws.client("sqs").send_message(QueueUrl=aws.queue_url(queue), MessageBody=body)


SEND_BATCH_ENTRIES = 10  # SQS SendMessageBatch: at most 10 messages, 256 KB in all


def send_batch(queue: str, bodies: list[str]) -> None:
    """Put up to 10 messages on the queue named `queue` in one SendMessageBatch; raises if
    SQS refused any of them (the caller's run is then retried as a whole: idempotent)."""
    if not bodies:
        return
    answer = aws.client("sqs").send_message_batch(
        QueueUrl=aws.queue_url(queue),
        Entries=[{"Id": str(n), "MessageBody": body} for n, body in enumerate(bodies)],
    )
    if answer.get("Failed"):
        raise RuntimeError(f"SQS refused {len(answer['Failed'])} of {len(bodies)} messages")
