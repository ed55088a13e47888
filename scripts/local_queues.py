"""Lambda's SQS event sources, stood in for on moto (local stack and tests).

Every `@app.on_sqs_message` handler of the Chalice app is bound to its queue, as Lambda's
event source mapping binds it: messages are received in batches of the handler's
`batch_size`, passed to the same handler the Lambda runs as an SQS event, and deleted when
it returns. When it raises, the batch stays in the queue and comes back after
`retry_delay` seconds (on AWS: the queue's visibility timeout); the queue's redrive policy
moves a message that keeps failing to its dead-letter queue. Any queue/handler pair the
app declares is drained, with nothing to add here: the reset-mail queue, and the FIFO
import queue the data bucket's object-created events reach through EventBridge (moto
delivers them as AWS does), so an upload under imports/ is imported as deployed. A FIFO
queue hands over the next message of a group only once the one before is deleted.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from chalice.app import SQSEventConfig

from chalicelib import aws
from chalicelib.logs import logger
from chalicelib.settings import get_settings


@dataclass(frozen=True)
class Binding:
    """One queue and the app handler that consumes it."""

    queue: str
    handler: str
    batch_size: int


def bindings(app: Any) -> list[Binding]:
    """The app's SQS handlers and their queues."""
    found = []
    for source in app.event_sources:
        if isinstance(source, SQSEventConfig):
            queue = source.queue or str(source.queue_arn).rsplit(":", 1)[-1]
            found.append(Binding(queue, source.name, min(10, source.batch_size)))
    return found


def _event(messages: list[dict[str, Any]], queue: str) -> dict[str, Any]:
    """The SQS event Lambda would pass for these received messages."""
    settings = get_settings()
    arn = aws.client("sqs").get_queue_attributes(
        QueueUrl=aws.queue_url(queue), AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": message.get("MessageAttributes", {}),
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": settings.region,
            }
            for message in messages
        ]
    }


def deliver_once(app: Any, binding: Binding, wait_seconds: int = 0, retry_delay: int = 0) -> int:
    """Receive one batch from `binding`'s queue and run its handler on it; return how many
    messages it held (0: the queue had none visible)."""
    sqs = aws.client("sqs")
    url = aws.queue_url(binding.queue)
    messages = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=binding.batch_size,
        WaitTimeSeconds=wait_seconds,
        AttributeNames=["All"],
    ).get("Messages", [])
    if not messages:
        return 0
    try:
        app.handler_map[binding.handler](_event(messages, binding.queue), None)
    except Exception:
        logger.exception("queue handler failed", extra={"handler": binding.handler})
        for message in messages:
            sqs.change_message_visibility(
                QueueUrl=url,
                ReceiptHandle=message["ReceiptHandle"],
                VisibilityTimeout=retry_delay,
            )
        return len(messages)
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return len(messages)


def drain(app: Any, max_batches: int = 1000, handlers: Collection[str] | None = None) -> int:
    """Run every handler (or those named in `handlers`) until its queue has no visible
    message (failed messages come back at once, so a message that keeps failing ends in
    its dead-letter queue); return the number of deliveries."""
    chosen = [b for b in bindings(app) if handlers is None or b.handler in handlers]
    delivered = 0
    for _ in range(max_batches):
        batch = sum(deliver_once(app, binding) for binding in chosen)
        if not batch:
            return delivered
        delivered += batch
    raise RuntimeError("the queues did not drain")


class Poller(threading.Thread):
    """The local stack's background consumer: long-polls every bound queue in turn."""

    def __init__(self, app: Any, wait_seconds: int = 1, retry_delay: int = 5) -> None:
        super().__init__(name="local-queues", daemon=True)
        self.app = app
        self.wait_seconds = wait_seconds
        self.retry_delay = retry_delay
        self._stopping = threading.Event()

    def run(self) -> None:
        """Poll until `stop`; a failing receive (moto stopping) waits a moment and goes on."""
        queues = bindings(self.app)
        while not self._stopping.is_set():
            for binding in queues:
                try:
                    deliver_once(self.app, binding, self.wait_seconds, self.retry_delay)
                except Exception:
                    if not self._stopping.is_set():
                        logger.exception("queue poll failed", extra={"queue": binding.queue})
                        self._stopping.wait(1)
            if not queues:
                self._stopping.wait(1)

    def stop(self) -> None:
        """Ask the thread to end after its current poll."""
        self._stopping.set()
