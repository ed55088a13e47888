"""Count DynamoDB round trips with botocore events: every client that can reach DynamoDB
(PynamoDB's per-model connections and our boto3 client) reports each call it makes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from chalicelib import aws
from chalicelib.models.base import TableModel


def _models(base: type) -> Iterator[type]:
    for sub in base.__subclasses__():
        yield sub
        yield from _models(sub)


def _dynamodb_clients() -> list[Any]:
    clients: dict[int, Any] = {}
    for model in _models(TableModel):
        if getattr(model.Meta, "abstract", False) or not hasattr(model.Meta, "table_name"):
            continue
        client = model._get_connection().connection.client
        clients[id(client)] = client
    boto_client = aws.client("dynamodb")
    clients[id(boto_client)] = boto_client
    return list(clients.values())


@contextmanager
def count_dynamodb_calls(*, this_thread: bool = False) -> Iterator[list[str]]:
    """Yield a list that fills with the operation name of every DynamoDB call made inside;
    with `this_thread`, only of the calls the calling thread waits for in turn (a read run
    beside them on another thread, as the dashboard's announcements, is not a round trip
    more for the request)."""
    calls: list[str] = []
    caller = threading.get_ident()

    def record(model: Any, **_: Any) -> None:
        if not this_thread or threading.get_ident() == caller:
            calls.append(model.name)

    clients = _dynamodb_clients()
    for client in clients:
        client.meta.events.register(
            "before-call.dynamodb", record, unique_id=f"roundtrips-{id(calls)}"
        )
    try:
        yield calls
    finally:
        for client in clients:
            client.meta.events.unregister(
                "before-call.dynamodb", unique_id=f"roundtrips-{id(calls)}"
            )


@contextmanager
def count_aws_calls(services: tuple[str, ...] = ("sqs", "ses", "s3", "ssm")) -> Iterator[list[str]]:
    """Yield a list that fills with `service:Operation` for every AWS call made inside:
    DynamoDB through every client that can reach it, and the other `services` through
    their shared boto3 clients."""
    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        calls.append(f"{model.service_model.service_name}:{model.name}")

    clients = _dynamodb_clients() + [aws.client(service) for service in services]
    for client in clients:
        client.meta.events.register("before-call", record, unique_id="aws-calls")
    try:
        yield calls
    finally:
        for client in clients:
            client.meta.events.unregister("before-call", unique_id="aws-calls")


@contextmanager
def count_dynamodb_requests() -> Iterator[list[str]]:
    """Like count_dynamodb_calls, with the number of items of a transaction or batch:
    `TransactWriteItems:3`, `BatchGetItem:2` (what capacity units are charged on)."""
    calls: list[str] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        body = json.loads(params.get("body") or b"{}")
        items = len(body.get("TransactItems", [])) + sum(
            len(table["Keys"]) if isinstance(table, dict) else len(table)
            for table in body.get("RequestItems", {}).values()
        )
        calls.append(f"{model.name}:{items}" if items else model.name)

    clients = _dynamodb_clients()
    for client in clients:
        client.meta.events.register("before-call.dynamodb", record, unique_id="requests")
    try:
        yield calls
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb", unique_id="requests")
