"""The invoice-reminder job for N due invoices against the moto server: N customers with an
active account and e-mail notice consent, each with one unpaid invoice due in exactly the
reminder lead days from the bench's clock. Setup (timed apart): the accounts batch-written
as storage writes them, the customers and invoices through the import's writer (so the
items carry whatever the job's date index needs). Then the job as deployed: the scheduled
function (enumerate by the date index, enqueue batches), and the `job_work` handler over
the received messages until the queue is empty (in-process, as the local stack's poller
delivers them: scripts/local_queues.py), on `JOB_WORK_CONCURRENCY` threads. Then a re-run
the same day (listing and enqueueing all, delivering a sample of RERUN_SAMPLE messages),
which must send nothing. Each size runs in its own interpreter with its own moto server
(an empty table each).

Printed per size: setup time, the job's time (enumerate + fan-out, consume), customers a
second, SQS messages and calls and SES calls per 1,000 customers (botocore events on the
shared clients), DynamoDB calls per customer; and the ratio of the two job times (target:
linear, at most 11× for 10× the customers). Every customer must get exactly one reminder
(SES calls and the local outbox, by address).

    python -m bench.bench_reminders [customers ...]      (default: 10000 100000)

Pacing: the bench sets `JOB_SEND_RATE` to BENCH_SEND_RATE, so the consumers' `Pacer` never
waits and the figure measures the code, not the cap; what the production cap means for
500,000 customers is printed beside it. What the times measure: moto's in-memory services
on a shared two-core machine (the moto server is one process: its CPU is printed), not AWS;
the calls per customer are what carries over.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.stack import moto_stack, peak_rss_mb, report

DEFAULT_SIZES = [10_000, 100_000]
TARGET_RATIO = 11  # job time of 10× the customers
FIRST_CUSTOMER = 700_000
# The job's schedule time on the bench's clock (07:00 in Warsaw): invoices fall due in
# exactly the lead days from today.
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
BENCH_SEND_RATE = 1_000_000  # items a second: the Pacer never waits (production: 10)
PRODUCTION_CUSTOMERS = 500_000
PRODUCTION_RATE = 10  # JOB_SEND_RATE's default (chalicelib/settings.py)
WRITERS = 4  # setup threads
ACCOUNT_CHUNK = 1_000
IMPORT_CHUNK = 100  # lines (the import's chunk: one BatchGetItem of stored hashes)
RESULT_PREFIX = "RESULT "
RERUN_SAMPLE = 20  # messages of the re-run delivered (2,000 customers)


# --- setup ---------------------------------------------------------------------------------


def _number(index: int) -> str:
    return str(FIRST_CUSTOMER + index)


def _email(number: str) -> str:
    return f"odbiorca{number}@example.pl"


def _invoice_number(number: str) -> str:
    return f"FV/2026/11/{number}"


def _write_accounts(start: int, count: int, password_hash: str) -> None:
    """Active accounts with the current terms and e-mail notice consent (no phone, so no
    SMS), batch-written as `create_account` builds them."""
    from chalicelib.content.terms import CONSENT_TEXTS, CURRENT_TERMS_VERSION
    from chalicelib.domain.accounts import Account, AccountStatus, Consent
    from chalicelib.domain.terms import TermsAcceptance
    from chalicelib.models.accounts import Account as AccountItem
    from chalicelib.storage.accounts import _account_item

    registered = NOW - timedelta(days=200)
    consents = (
        Consent("email_notices", True, CONSENT_TEXTS["email_notices"][0], registered, "register"),
        Consent("sms_notices", False, CONSENT_TEXTS["sms_notices"][0], registered, "register"),
    )
    with AccountItem.batch_write() as batch:
        for index in range(start, start + count):
            number = _number(index)
            account = Account(
                login=number,
                email=_email(number),
                status=AccountStatus.ACTIVE,
                password_hash=password_hash,
                created_at=registered,
                activated_at=registered,
                terms_version=CURRENT_TERMS_VERSION,
                terms_accepted_at=registered,
                terms_history=(TermsAcceptance(CURRENT_TERMS_VERSION, registered),),
                consents=consents,
            )
            batch.save(_account_item(account))


def _billing_lines(index: int, due: str) -> list[dict[str, Any]]:
    """The customer and one unpaid invoice due on `due` (no payment, no balance)."""
    from tests.factories import customer_line, invoice_line

    number = _number(index)
    issued = (datetime.fromisoformat(due) - timedelta(days=14)).date().isoformat()
    return [
        customer_line(number, email=_email(number)),
        invoice_line(_invoice_number(number), number, "123.45", issue_date=issued, due_date=due),
    ]


def _write_billing(customers: int, due: str) -> None:
    """The customers and invoices through the import's writer (storage/imports.py): the
    items the import would write, with their index attributes."""
    from chalicelib.imports.parsing import encode, parse_line
    from chalicelib.storage.imports import ImportWriter

    writer = ImportWriter(workers=WRITERS)
    with writer.writing() as queue:
        chunk: dict[Any, Any] = {}
        for index in range(customers):
            for raw in _billing_lines(index, due):
                line = parse_line(json.dumps(raw))
                digest, body = encode(line)
                chunk[line.natural_key()] = (digest, body, line)
            if len(chunk) >= IMPORT_CHUNK:
                queue.submit(chunk)
                chunk = {}
        if chunk:
            queue.submit(chunk)
    assert queue.counts.created == 2 * customers, queue.counts


def _setup(customers: int, due: str) -> dict[str, float]:
    from chalicelib.adapters import secrets
    from chalicelib.domain.passwords import hash_password
    from chalicelib.settings import get_settings

    # One real hash for all (hashing 100,000 passwords would time the hash, not the job).
    password_hash = hash_password(
        "Benchmark-Haslo-2026!", secrets.password_pepper(), get_settings().bcrypt_cost
    )
    started = time.perf_counter()
    with ThreadPoolExecutor(WRITERS) as pool:
        starts = range(0, customers, ACCOUNT_CHUNK)
        sizes = [min(ACCOUNT_CHUNK, customers - s) for s in starts]
        list(pool.map(lambda s, n: _write_accounts(s, n, password_hash), starts, sizes))
    accounts = time.perf_counter() - started
    started = time.perf_counter()
    _write_billing(customers, due)
    billing = time.perf_counter() - started
    return {"accounts": accounts, "billing": billing}


# --- counting ------------------------------------------------------------------------------


class Calls:
    """AWS calls made through the shared clients and PynamoDB's connections, by operation,
    with the SQS messages sent and the SES recipients (thread-safe)."""

    def __init__(self) -> None:
        self.operations: Counter[str] = Counter()
        self.messages = 0
        self.recipients: Counter[str] = Counter()
        self._lock = threading.Lock()

    def record(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        """A `before-parameter-build` handler."""
        name = f"{model.service_model.service_name}:{model.name}"
        with self._lock:
            self.operations[name] += 1
            if name == "sqs:SendMessageBatch":
                self.messages += len(params.get("Entries", []))
            elif name == "sqs:SendMessage":
                self.messages += 1
            elif name in ("sesv2:SendEmail", "ses:SendEmail", "ses:SendRawEmail"):
                for address in params.get("Destination", {}).get("ToAddresses", []):
                    self.recipients[address] += 1

    def count(self, prefix: str) -> int:
        """Calls of the operations whose name starts with `prefix` (e.g. "sesv2:")."""
        return sum(n for name, n in self.operations.items() if name.startswith(prefix))

    def sends(self) -> int:
        """SQS send calls (SendMessage and SendMessageBatch)."""
        return self.operations["sqs:SendMessageBatch"] + self.operations["sqs:SendMessage"]

    def mails(self) -> int:
        """SES send calls (either API version)."""
        return sum(n for name, n in self.operations.items() if name.endswith("Email"))


@contextmanager
def _counting() -> Iterator[Calls]:
    from chalicelib import aws
    from tests.roundtrips import _dynamodb_clients

    calls = Calls()
    clients = _dynamodb_clients() + [aws.client(s) for s in ("sqs", "sesv2", "ses", "sns", "ssm")]
    for client in clients:
        client.meta.events.register("before-parameter-build", calls.record, unique_id="bench")
    try:
        yield calls
    finally:
        for client in clients:
            client.meta.events.unregister("before-parameter-build", unique_id="bench")


# --- the job -------------------------------------------------------------------------------


def _scheduled() -> Any:
    from chalicelib.jobs.invoice_reminders import invoice_reminders

    return invoice_reminders()


def _drain(app: Any, consumers: int, limit: int | None = None) -> int:
    """Deliver the job queue's messages to the `job_work` handler on `consumers` threads
    (as Lambda would, each one receive at a time) until no message is visible, or until
    `limit` deliveries; return the deliveries."""
    from scripts.local_queues import bindings, deliver_once

    binding = next(b for b in bindings(app) if b.handler == "job_work")
    delivered = [0] * consumers

    def consume(slot: int) -> None:
        while limit is None or sum(delivered) < limit:
            batch = deliver_once(app, binding)
            if not batch:
                return
            delivered[slot] += batch

    with ThreadPoolExecutor(consumers) as pool:
        list(pool.map(consume, range(consumers)))
    return sum(delivered)


def _purge() -> None:
    """Empty the job queue (what the re-run's sample left)."""
    from chalicelib import aws
    from chalicelib.settings import get_settings

    aws.client("sqs").purge_queue(QueueUrl=aws.queue_url(get_settings().job_queue))


def _queue_left() -> dict[str, int]:
    from chalicelib import aws
    from chalicelib.settings import get_settings

    sqs = aws.client("sqs")
    left = {}
    for name in (get_settings().job_queue, f"{get_settings().job_queue}-dlq"):
        attributes = sqs.get_queue_attributes(
            QueueUrl=aws.queue_url(name),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        left[name] = sum(int(v) for v in attributes.values())
    return left


def _children_cpu() -> float:
    """CPU seconds used so far by this process's live children (the moto server), from
    /proc (Linux); 0.0 where there is none."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for children in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
        for pid in children.read_text().split():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def _per_thousand(value: int, customers: int) -> str:
    return f"{value * 1000 / customers:,.1f}"


def _production_cap(measured: float) -> str:
    """What the production cap means for PRODUCTION_CUSTOMERS, beside the bench's rate."""
    rate = PRODUCTION_RATE
    return (
        f"production JOB_SEND_RATE {rate}/s: {PRODUCTION_CUSTOMERS:,} customers take "
        f"{PRODUCTION_CUSTOMERS / rate / 3600:.1f} h of paced work (at 50/s "
        f"{PRODUCTION_CUSTOMERS / 50 / 3600:.1f} h); unpaced, at this bench's "
        f"{measured:,.0f}/s, {PRODUCTION_CUSTOMERS / measured / 60:.0f} min"
    )


def _patient_connections() -> None:
    """The bench's table connections wait for moto (before they are made): moto answers an
    index Query by sorting its whole table, seconds at 100,000 invoices on a busy machine,
    past the app's own 5-second read timeout."""
    from chalicelib.models.base import TableModel

    pending = list(TableModel.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if hasattr(model, "Meta"):
            model.Meta.read_timeout_seconds = 120
            model._connection = None  # made already (the stack's provisioning): made anew


def run_one(customers: int) -> dict[str, Any]:
    """Set up `customers` due invoices on a fresh moto server and run the job on them."""
    with moto_stack(server="bench.moto_server", JOB_SEND_RATE=str(BENCH_SEND_RATE)):
        from app import app
        from chalicelib import clock
        from chalicelib.settings import get_settings

        _patient_connections()
        clock.travel_to(NOW)
        settings = get_settings()
        lead = settings.invoice_reminder_days
        due = (clock.today() + timedelta(days=lead)).isoformat()
        consumers = settings.job_work_concurrency
        setup = _setup(customers, due)
        report(
            f"setup: {customers:,} customers, accounts and invoices due {due} ({lead} days ahead)",
            {
                f"accounts (BatchWriteItem, {WRITERS} writers)": f"{setup['accounts']:.1f} s",
                "customers + invoices (the import's writer, "
                f"{WRITERS} writers)": f"{setup['billing']:.1f} s",
            },
        )
        outbox = Path(settings.local_outbox_dir or "")
        with _counting() as calls:
            started = time.perf_counter()
            enqueued = _scheduled()
            enumerated = time.perf_counter() - started
            fanout_calls = Calls()
            fanout_calls.operations = Counter(calls.operations)
            fanout_calls.messages = calls.messages
            from tests.roundtrips import count_dynamodb_calls

            with count_dynamodb_calls() as dynamodb:
                started, cpu, moto_cpu = time.perf_counter(), time.process_time(), _children_cpu()
                deliveries = _drain(app, consumers)
                consumed = time.perf_counter() - started
                cpu, moto_cpu = time.process_time() - cpu, _children_cpu() - moto_cpu
        # The checks are collected, and raised after the figures are printed: an hour's run
        # that fails one of them still shows what it measured.
        problems = []
        left = _queue_left()
        if any(left.values()):
            problems.append(f"messages left in the queues: {left}")
        expected = {_email(_number(i)) for i in range(customers)}
        twice = [a for a, n in calls.recipients.items() if n > 1]
        if twice:
            problems.append(f"{len(twice)} customers got more than one reminder: {twice[:5]}")
        missed = sorted(expected - set(calls.recipients))
        if missed:
            problems.append(f"{len(missed)} customers got no reminder: {missed[:5]}")
        written = len(list(outbox.glob("*.json"))) if outbox.is_dir() else None
        if written not in (None, customers):
            problems.append(f"outbox holds {written} messages")
        # The re-run: the whole listing again, and RERUN_SAMPLE messages of it delivered
        # (each item now costs its reads and a refused key claim: at 100,000 the whole
        # re-run would take longer than the job), the rest purged.
        with _counting() as again:
            started = time.perf_counter()
            _scheduled()
            rerun_deliveries = _drain(app, consumers, limit=RERUN_SAMPLE)
            rerun = time.perf_counter() - started
        _purge()
        if again.mails():
            problems.append(f"the re-run sent {again.mails()} e-mails")
        rerun_items = min(customers, rerun_deliveries * settings.job_items_per_message)
        job = enumerated + consumed
        dynamodb_ops = Counter(dynamodb)
        rows = {
            "job time": f"{job:.1f} s (enumerate + enqueue {enumerated:.1f} s, consume "
            f"{consumed:.1f} s on {consumers} consumer threads, {deliveries:,} deliveries)",
            "CPU while consuming (where the time goes)": f"bench process (IBOK's code, boto3, "
            f"PynamoDB) {cpu:.1f} s, moto server {moto_cpu:.1f} s, of {consumed:.1f} s wall on "
            f"a shared 2-core machine",
            "enqueued": str(enqueued),
            "customers per second": f"{customers / job:,.0f} (consume alone "
            f"{customers / consumed:,.0f})",
            "SQS messages per 1,000 customers": _per_thousand(calls.messages, customers),
            "SQS send calls per 1,000 customers": (
                f"{_per_thousand(calls.sends(), customers)} "
                f"(SendMessageBatch {calls.operations['sqs:SendMessageBatch']:,}, "
                f"SendMessage {calls.operations['sqs:SendMessage']:,}); all SQS calls "
                f"{_per_thousand(calls.count('sqs:'), customers)} (receive, delete, "
                f"queue attributes of the local poller)"
            ),
            "SES calls per 1,000 customers": _per_thousand(calls.mails(), customers),
            "SNS calls (no customer has SMS consent)": str(calls.count("sns:")),
            "enumerate + enqueue calls": ", ".join(
                f"{name} {n:,}" for name, n in sorted(fanout_calls.operations.items())
            ),
            "DynamoDB calls per customer while consuming": (
                f"{len(dynamodb) / customers:.2f} ("
                + ", ".join(
                    f"{name} {n / customers:.2f}" for name, n in sorted(dynamodb_ops.items())
                )
                + ")"
            ),
            "every customer reminded exactly once": f"{'no' if twice or missed else 'yes'} "
            f"({len(calls.recipients):,} addresses"
            + (f", {written:,} outbox messages)" if written is not None else ")"),
            "re-run the same day": f"listed and enqueued again ({again.messages:,} SQS "
            f"messages), {rerun_deliveries:,} of them delivered ({rerun_items:,} customers): "
            f"{again.mails()} e-mails, {rerun:.1f} s",
            "pacing": f"JOB_SEND_RATE {BENCH_SEND_RATE:,}/s for the bench (no waits); "
            + _production_cap(customers / consumed),
            "peak RSS": f"{peak_rss_mb():.0f} MB",
        }
        report(f"invoice reminders, {customers:,} due invoices (moto server)", rows)
        if problems:
            raise AssertionError("; ".join(problems))
        return {
            "customers": customers,
            "setup": sum(setup.values()),
            "job": job,
            "enumerated": enumerated,
            "consumed": consumed,
            "rerun": rerun,
            "cpu": cpu + moto_cpu,
        }


def run(sizes: list[int]) -> dict[int, dict[str, Any]]:
    """Each size in its own interpreter (a fresh moto server); then the ratio."""
    results: dict[int, dict[str, Any]] = {}
    for size in sizes:
        print(f"\n--- {size:,} customers", flush=True)
        command = [sys.executable, "-m", "bench.bench_reminders", "--one", str(size)]
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
            assert child.stdout is not None
            for line in child.stdout:
                if line.startswith(RESULT_PREFIX):
                    results[size] = json.loads(line.removeprefix(RESULT_PREFIX))
                else:
                    print(line, end="", flush=True)
        if child.returncode:
            raise RuntimeError(f"{size:,} customers: the bench failed ({child.returncode})")
    if len(results) > 1:
        small, large = min(results), max(results)
        ratio = results[large]["job"] / results[small]["job"]
        scale = large / small
        target = TARGET_RATIO * scale / 10
        over = "" if ratio <= target else "  ← over target"
        report(
            "invoice reminders: scaling",
            {
                f"job time {large:,} / {small:,} customers": (
                    f"{ratio:.1f}× for {scale:.0f}× the customers (target ≤ {target:.0f}×){over}"
                ),
                "consume alone": (
                    f"{results[large]['consumed'] / results[small]['consumed']:.1f}×; "
                    f"enumerate + enqueue "
                    f"{results[large]['enumerated'] / results[small]['enumerated']:.1f}×"
                ),
                "CPU while consuming (bench process + moto server)": (
                    f"{results[large]['cpu'] / results[small]['cpu']:.1f}× "
                    f"({results[small]['cpu']:,.0f} s → {results[large]['cpu']:,.0f} s): what "
                    f"the work costs, whatever else the machine ran meanwhile"
                ),
                "noise": "a two-core machine shared with other work: times vary between runs",
            },
        )
    return results


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        figures = run_one(int(sys.argv[2]))
        print(RESULT_PREFIX + json.dumps(figures), flush=True)
    else:
        run([int(arg) for arg in sys.argv[1:]] or DEFAULT_SIZES)
