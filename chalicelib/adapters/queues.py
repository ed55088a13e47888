"""SQS: hand work to a queue's consumer (a Lambda; locally, the local stack's poller)."""

from __future__ import annotations

from chalicelib import aws


def send(queue: str, body: str) -> None:
    """Put one message (a JSON body) on the queue named `queue`."""
    aws.client("sqs").send_message(QueueUrl=aws.queue_url(queue), MessageBody=body)
