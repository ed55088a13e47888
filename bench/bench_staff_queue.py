"""The staff queue for 100,000 tickets: written straight into the service table on the
moto server (batch writes), then the first page of the due-date queue through the API as
staff (second factor given). Target: at most 2 DynamoDB round trips (the session and one
Query), and its p50 printed.

    python -m bench.bench_staff_queue [tickets]

Not yet in `make bench`: moto answers an index Query by reading every item of the table,
so at 100,000 tickets the API's first page outlasts its 5 s read timeout on the moto
server (a real DynamoDB reads one page of the index); issue 12 keeps this open.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

from bench.stack import BENCH_PASSWORD, moto_stack, report, summary

TICKETS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
WRITERS = 4
CHUNK = 2_500
REQUESTS = 20
TARGET = 2
STAFF = "bench-staff"


def _tickets(start: int, count: int) -> list:
    from chalicelib.domain.tickets import (
        CATEGORIES,
        Ticket,
        TicketKind,
        TicketStatus,
        due_on,
        reference,
        ticket_id,
    )

    base = datetime(2026, 1, 1, 8, tzinfo=UTC)
    made = []
    for n in range(start, start + count):
        kind = TicketKind.COMPLAINT if n % 3 else TicketKind.OPERATIONAL
        received = base + timedelta(minutes=5 * n)
        number = reference(kind, 2026, n + 1)
        made.append(
            Ticket(
                id=ticket_id(number),
                reference=number,
                kind=kind,
                category=CATEGORIES[kind][n % len(CATEGORIES[kind])],
                status=TicketStatus.NEW if n % 4 else TicketStatus.IN_PROGRESS,
                customer=f"{100000 + n % 5000}",
                description="Opis zgłoszenia.",
                created_at=received,
                updated_at=received,
                due_on=due_on(kind, received),
            )
        )
    return made


def _write(start: int) -> None:
    from chalicelib.models.service import TicketItem
    from chalicelib.storage.tickets import _ticket_item

    with TicketItem.batch_write() as batch:
        for ticket in _tickets(start, min(CHUNK, TICKETS - start)):
            batch.save(_ticket_item(ticket))


def _staff_headers(client) -> dict[str, str]:
    from chalicelib import clock
    from chalicelib.domain.totp import code_at
    from chalicelib.services.staff_accounts import create_staff_account

    created = create_staff_account(STAFF, "bench-staff@example.pl", BENCH_PASSWORD, "staff")
    answer = client.http.post(
        "/auth/login",
        headers={"Content-Type": "application/json"},
        body=json.dumps({"login": STAFF, "password": BENCH_PASSWORD, "session": "bearer"}),
    )
    headers = {"Authorization": f"Bearer {answer.json_body['token']}"}
    secret = parse_qs(urlparse(created.provisioning_uri).query)["secret"][0]
    code = code_at(secret, clock.now())
    second = client.http.post(
        "/auth/login/totp",
        headers={"Content-Type": "application/json", **headers},
        body=json.dumps({"code": code}),
    )
    assert second.status_code == 200, second.body
    return headers


def run() -> dict[str, object]:
    """Fill the table, then time the first page of the queue."""
    with moto_stack():
        from chalice.test import Client

        from app import app
        from tests.roundtrips import count_dynamodb_calls

        started = time.perf_counter()
        with ThreadPoolExecutor(WRITERS) as pool:
            list(pool.map(_write, range(0, TICKETS, CHUNK)))
        written = time.perf_counter() - started

        with tempfile.TemporaryDirectory() as empty, Client(app, project_dir=empty) as client:
            headers = _staff_headers(client)
            samples, calls = [], []
            for _ in range(REQUESTS):
                with count_dynamodb_calls() as made:
                    begun = time.perf_counter()
                    answer = client.http.get("/staff/tickets?limit=20", headers=headers)
                    samples.append((time.perf_counter() - begun) * 1000)
                assert answer.status_code == 200, answer.body
                calls = list(made)
            first = answer.json_body["items"]
        dues = [t["due_on"] or t["created_at"][:10] for t in first]
        report(
            f"Staff queue, first page by due date, {TICKETS:,} tickets (target ≤ {TARGET} "
            "round trips)",
            {
                "written (BatchWriteItem)": f"{written:.1f} s",
                "round trips": f"{len(calls)} ({', '.join(calls)})"
                + ("" if len(calls) <= TARGET and "Scan" not in calls else "  ← over target"),
                "GET /staff/tickets?limit=20": summary(samples),
                "first page": f"{len(first)} tickets, due {dues[0]} … {dues[-1]}",
            },
        )
        return {"calls": calls, "samples": samples}


if __name__ == "__main__":
    run()
