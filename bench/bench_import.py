"""Billing import rate against the moto server, through the same `run_import` the S3 event
handler runs: N invoice lines (N/10 customers); a month's readings of 10,000 meters already
imported (every line moves its meter's latest imported reading); and a mixed batch of every
record type (customers, meters, readings, invoices, corrections, duplicates, interest and
accounting notes, payments, balances, contracts, annexes, documents; about 12 lines a
customer).
Targets: mixed ≥ 2,000 lines/s; 100,000 mixed lines in ≤ 12× the time of 10,000.

    python -m bench.bench_import [lines ...]      (default: 10000 100000)
"""

from __future__ import annotations

import json
import sys
import time
from decimal import Decimal
from typing import Any

from bench.stack import moto_stack, peak_rss_mb, report

DEFAULT_SIZES = [10_000, 100_000]
MIXED_TARGET = 2_000
RERUN_UP_TO = 10_000  # sizes re-imported to time the all-unchanged path
READING_METERS = 10_000
CENT = Decimal("0.01")


def _document(number: str, customer: str, kind: str, gross: str, **extra: Any) -> dict[str, Any]:
    """An invoice-type line of September (net + 8% VAT = gross; an interest note: no VAT)."""
    total = Decimal(gross)
    net = total if kind == "interest_note" else (total / Decimal("1.08")).quantize(CENT)
    return {
        "type": "invoice",
        "number": number,
        "customer_number": customer,
        "kind": kind,
        "issue_date": "2026-09-25",
        "due_date": "2026-10-09",
        "net": str(net),
        "vat": str(total - net),
        "gross": gross,
        "pdf_key": f"invoices/{number.replace('/', '-')}.pdf",
        **extra,
    }


def _occasional_lines(number: str, index: int) -> list[dict[str, Any]]:
    """What only some customers have in a batch, in proportions a utility sees: an annex
    (1 in 4), a scanned document (1 in 3), a correction (1 in 10), a duplicate (1 in 20),
    an interest note (1 in 5) and an accounting note (1 in 10, every other one a credit)."""
    lines: list[dict[str, Any]] = []
    if index % 4 == 0:
        lines.append(
            {
                "type": "annex",
                "contract": f"U/{number}",
                "number": "1",
                "customer_number": number,
                "signed_on": "2025-06-01",
                "title": "Zmiana taryfy",
                "pdf_key": f"contracts/U-{number}-A1.pdf",
            }
        )
    if index % 3 == 0:
        lines.append(
            {
                "type": "document",
                "id": f"PROT-{number}",
                "customer_number": number,
                "title": "Protokół wymiany wodomierza",
                "date": "2026-03-14",
                "pdf_key": f"documents/prot-{number}.pdf",
            }
        )
    if index % 10 == 3:
        lines.append(
            _document(
                f"KOR/2026/09/{number}",
                number,
                "correction",
                "-10.80",
                corrects=f"FV/2026/08/{number}",
            )
        )
    if index % 20 == 7:
        lines.append(
            _document(
                f"DUP/2026/09/{number}",
                number,
                "duplicate",
                "108.00",
                duplicate_of=f"FV/2026/09/{number}",
            )
        )
    if index % 5 == 1:
        lines.append(_document(f"NO/2026/09/{number}", number, "interest_note", "3.27"))
    if index % 10 == 6:
        gross = "-21.60" if index % 20 == 6 else "54.00"
        lines.append(_document(f"NK/2026/09/{number}", number, "accounting_note", gross))
    return lines


def _customer_block(number: str, index: int) -> list[dict[str, Any]]:
    """One customer's lines: profile, contract, meter, three readings, two invoices, two
    payments and a balance (eleven), then the occasional ones (about one more on average)."""
    meter = f"W{number}"
    return [
        {
            "type": "customer",
            "customer_number": number,
            "name": f"Odbiorca {number}",
            "service_address": {"street": "ul. Wodna 1", "postal_code": "41-709", "city": "Ruda"},
            "contract_status": "active",
        },
        {
            "type": "contract",
            "number": f"U/{number}",
            "customer_number": number,
            "kind": "both",
            "signed_on": "2019-12-15",
            "valid_from": "2020-01-01",
            "pdf_key": f"contracts/U-{number}.pdf",
        },
        {"type": "meter", "serial": meter, "customer_number": number, "installed_on": "2020-01-01"},
        *[
            {
                "type": "reading",
                "customer_number": number,
                "meter": meter,
                "date": f"2026-{month:02d}-28",
                "value": f"{100 + month * 3 + index % 7},{month:03d}",
            }
            for month in (7, 8, 9)
        ],
        *[
            {
                "type": "invoice",
                "number": f"FV/2026/{month:02d}/{number}",
                "customer_number": number,
                "issue_date": f"2026-{month:02d}-05",
                "due_date": f"2026-{month:02d}-19",
                "net": "100.00",
                "vat": "8.00",
                "gross": "108.00",
                "pdf_key": f"invoices/FV-2026-{month:02d}-{number}.pdf",
            }
            for month in (8, 9)
        ],
        *[
            {
                "type": "payment",
                "id": f"P{month}-{number}",
                "customer_number": number,
                "paid_on": f"2026-{month:02d}-15",
                "amount": "108.00",
                "allocations": [{"invoice": f"FV/2026/{month:02d}/{number}", "amount": "108.00"}],
            }
            for month in (8, 9)
        ],
        {"type": "balance", "customer_number": number, "as_of": "2026-09-30", "amount": "0.00"},
        *_occasional_lines(number, index),
    ]


def mixed_batch(lines: int) -> bytes:
    """`lines` lines of every record type (one block per customer, about twelve lines)."""
    rows: list[dict[str, Any]] = []
    index = 0
    while len(rows) < lines:
        rows.extend(_customer_block(str(300000 + index), index))
        index += 1
    return "\n".join(json.dumps(row) for row in rows[:lines]).encode("utf-8")


def invoice_batch(lines: int) -> bytes:
    """`lines` invoice lines spread over lines/10 customers (customers imported first)."""
    customers = max(1, lines // 10)
    rows: list[dict[str, Any]] = []
    for index in range(lines):
        customer = str(200000 + index % customers)
        rows.append(
            {
                "type": "invoice",
                "number": f"FV/B/{index:07d}",
                "customer_number": customer,
                "issue_date": "2026-10-01",
                "due_date": "2026-10-15",
                "net": "100.00",
                "vat": "8.00",
                "gross": "108.00",
                "pdf_key": f"invoices/FV-B-{index:07d}.pdf",
            }
        )
    return "\n".join(json.dumps(row) for row in rows).encode("utf-8")


def meter_batch(meters: int) -> bytes:
    """`meters` meters (one a customer), each with its reading of the end of September."""
    rows: list[dict[str, Any]] = []
    for index in range(meters):
        customer, serial = str(500000 + index), f"WR{index:06d}"
        rows.append(
            {
                "type": "meter",
                "serial": serial,
                "customer_number": customer,
                "installed_on": "2020-01-01",
            }
        )
        rows.append(_reading(customer, serial, "2026-09-30", 100 + index % 50))
    return "\n".join(json.dumps(row) for row in rows).encode("utf-8")


def reading_batch(meters: int) -> bytes:
    """The next month's reading of each of the `meter_batch` meters: readings only, each a
    new latest reading of its meter."""
    rows = [
        _reading(str(500000 + index), f"WR{index:06d}", "2026-10-31", 103 + index % 50)
        for index in range(meters)
    ]
    return "\n".join(json.dumps(row) for row in rows).encode("utf-8")


def _reading(customer: str, serial: str, day: str, m3: int) -> dict[str, Any]:
    return {
        "type": "reading",
        "customer_number": customer,
        "meter": serial,
        "date": day,
        "value": f"{m3},250",
        "source": "collector",
    }


def _import_once(bucket: str, key: str, body: bytes, title: str) -> float:
    from chalicelib import aws
    from chalicelib.imports.service import run_import

    size = body.count(b"\n") + 1
    aws.client("s3").put_object(Bucket=bucket, Key=key, Body=body)
    started, cpu = time.perf_counter(), time.process_time()
    result = run_import(bucket, key)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert result.valid == size and result.invalid == 0, result
    figures = {
        "time": f"{elapsed:.1f} s",
        "rate": f"{size / elapsed:,.0f} lines/s",
        "importer CPU": f"{cpu:.1f} s",
    }
    if size <= RERUN_UP_TO:
        started = time.perf_counter()
        again = run_import(bucket, key)
        redelivered = time.perf_counter() - started
        assert again.already_imported_at and again.unchanged == size, again
        figures["redelivered event (same object version)"] = f"{redelivered * 1000:.0f} ms"
        copy = key.replace(".jsonl", "-copy.jsonl")
        from chalicelib import aws

        aws.client("s3").put_object(Bucket=bucket, Key=copy, Body=body)
        started = time.perf_counter()
        again = run_import(bucket, copy)
        rerun = time.perf_counter() - started
        assert again.unchanged == size and again.created == 0, again
        figures["same lines in another object (all unchanged)"] = (
            f"{rerun:.1f} s, {size / rerun:,.0f} lines/s"
        )
    figures["peak RSS"] = f"{peak_rss_mb():.0f} MB"
    report(title, figures)
    return elapsed


def run(sizes: list[int]) -> dict[int, float]:
    """10,000 invoice lines, 10,000 reading lines, then each size of mixed lines; return
    mixed seconds per size."""
    timings: dict[int, float] = {}
    with moto_stack():
        from chalicelib.settings import get_settings

        bucket = get_settings().data_bucket
        _import_once(
            bucket,
            "imports/bench-invoices.jsonl",
            invoice_batch(10_000),
            "import of 10,000 invoice lines (moto server)",
        )
        from chalicelib import aws
        from chalicelib.imports.service import run_import

        setup = "imports/bench-meters.jsonl"
        aws.client("s3").put_object(Bucket=bucket, Key=setup, Body=meter_batch(READING_METERS))
        run_import(bucket, setup)  # the meters and their previous readings, not timed
        _import_once(
            bucket,
            "imports/bench-readings.jsonl",
            reading_batch(READING_METERS),
            f"import of {READING_METERS:,} reading lines, each a meter's new latest reading "
            "(moto server)",
        )
        for size in sizes:
            timings[size] = _import_once(
                bucket,
                f"imports/bench-mixed-{size}.jsonl",
                mixed_batch(size),
                f"import of {size:,} mixed lines (moto server; target ≥ {MIXED_TARGET:,} lines/s)",
            )
    if len(timings) > 1:
        small, large = min(timings), max(timings)
        report(
            "import scaling (mixed)",
            {
                f"{large:,} / {small:,} lines time ratio": (
                    f"{timings[large] / timings[small]:.1f} (target ≤ {large // small * 1.2:.0f})"
                )
            },
        )
    return timings


if __name__ == "__main__":
    run([int(arg) for arg in sys.argv[1:]] or DEFAULT_SIZES)
