"""The staff queue for 100,000 tickets: written straight into the service table on the
moto server (BatchWriteItem, setup timed apart), then the first page of the due-date queue
through the API as staff (second factor given), without filters and with each filter the
queue offers. Target: at most 2 DynamoDB round trips (the session and one Query of an
index), counted with botocore events; p50 and p95 printed with the item count.

    python -m bench.bench_staff_queue [tickets]

What the times measure: moto's in-memory DynamoDB, not DynamoDB. Moto answers a Query of a
global secondary index by sorting every item of the table and then the matching partition
(Python comparisons, O(n log n) in the table's size), so at 100,000 items a first page
costs seconds there, where DynamoDB reads one page of one index partition. The round trips
are what carries over; the times say how moto scales. The bench's own DynamoDB connection
therefore waits QUERY_TIMEOUT seconds for a reply (the API's production setting is 5 s), and
every HTTP attempt is counted as well, so a hidden retry would show.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from bench.stack import moto_stack, percentile, report

DEFAULT_TICKETS = 100_000
WRITERS = 4
CHUNK = 2_500
REQUESTS = 10  # of the first page without filters
FILTERED_REQUESTS = 3  # of each filtered first page
TARGET = 2
QUERY_TIMEOUT = 120  # seconds: moto's Query of 100,000 items, on a busy machine


def _queues() -> list[str]:
    from tests.queue_tickets import ASSIGNEES

    return [
        "",
        "?kind=complaint",
        "?category=invoice",
        "?status=in_progress",
        "?status=resolved",
        f"?assignee={ASSIGNEES[0]}",
        "?assignee=-",
        "?assignee=-&kind=complaint",  # two filters: the assignee index, a filter expression
    ]


def _patient_connection() -> None:
    """The bench's connection to the service table waits for moto (before it is made)."""
    from chalicelib.models.service import ServiceItem

    ServiceItem.Meta.read_timeout_seconds = QUERY_TIMEOUT


def _fill(tickets: int) -> float:
    from tests.queue_tickets import write_queue_tickets

    started = time.perf_counter()
    with ThreadPoolExecutor(WRITERS) as pool:
        starts = range(0, tickets, CHUNK)
        list(pool.map(lambda s: write_queue_tickets(s, min(CHUNK, tickets - s)), starts))
    return time.perf_counter() - started


def _staff_headers(client: Any) -> dict[str, str]:
    from tests.factories import staff_account, staff_bearer

    return staff_bearer(client, "bench-staff", staff_account("bench-staff"))


@contextmanager
def _http_attempts() -> Iterator[list[str]]:
    """Every HTTP request sent to DynamoDB inside (a retry is one more)."""
    from tests.roundtrips import _dynamodb_clients

    sent: list[str] = []

    def record(**_: Any) -> None:
        sent.append("sent")

    clients = _dynamodb_clients()
    for client in clients:
        client.meta.events.register("before-send.dynamodb", record, unique_id="bench-sends")
    try:
        yield sent
    finally:
        for client in clients:
            client.meta.events.unregister("before-send.dynamodb", unique_id="bench-sends")


def _measure(client: Any, headers: dict[str, str], query: str, times: int) -> dict[str, Any]:
    from tests.roundtrips import count_dynamodb_calls

    samples, calls = [], []
    for _ in range(times):
        with count_dynamodb_calls() as made, _http_attempts() as sent:
            begun = time.perf_counter()
            answer = client.http.get(f"/staff/tickets{query}", headers=headers)
            samples.append((time.perf_counter() - begun) * 1000)
        assert answer.status_code == 200, (query, answer.body)
        calls = list(made)
        assert len(sent) == len(calls), (query, calls, len(sent))  # no hidden retry
    return {"calls": calls, "samples": samples, "items": answer.json_body["items"]}


def _line(measured: dict[str, Any]) -> str:
    calls, samples = measured["calls"], sorted(measured["samples"])
    over = "" if len(calls) <= TARGET and "Scan" not in calls else "  ← over target"
    return (
        f"{len(calls)} round trips ({', '.join(calls)}){over}; "
        f"p50 {statistics.median(samples):,.0f} ms, p95 {percentile(samples, 0.95):,.0f} ms "
        f"(n={len(samples)}); {len(measured['items'])} tickets"
    )


def run(tickets: int = DEFAULT_TICKETS) -> dict[str, dict[str, Any]]:
    """Fill the table with `tickets` tickets, then time the queue's first pages."""
    with moto_stack():
        from chalice.test import Client

        from app import app
        from chalicelib.storage.tickets import FILTERED_READ

        _patient_connection()
        written = _fill(tickets)
        measured: dict[str, dict[str, Any]] = {}
        with tempfile.TemporaryDirectory() as empty, Client(app, project_dir=empty) as client:
            headers = _staff_headers(client)
            for query in _queues():
                times = REQUESTS if not query else FILTERED_REQUESTS
                measured[query] = _measure(client, headers, query, times)
        first = measured[""]["items"]
        dues = [t["due_on"] or t["created_at"][:10] for t in first]
        rows = {
            "setup: tickets written (BatchWriteItem, "
            f"{WRITERS} writers)": f"{tickets:,} in {written:.1f} s",
            "what the times measure": "moto's in-memory DynamoDB (each index Query sorts the "
            "whole table), not DynamoDB",
        }
        rows |= {f"GET /staff/tickets{q}": _line(m) for q, m in measured.items()}
        rows["two filters at once"] = (
            f"one Query of {FILTERED_READ} index items, filtered: the page may be short"
        )
        rows["first page"] = f"{len(first)} tickets, due {dues[0]} … {dues[-1]}"
        report(
            f"Staff queue, first page by due date, {tickets:,} tickets in the table "
            f"(target ≤ {TARGET} round trips)",
            rows,
        )
        over = [q for q, m in measured.items() if len(m["calls"]) > TARGET]
        assert not over, f"over {TARGET} round trips: {over}"
        return measured


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TICKETS)
