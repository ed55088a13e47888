"""Billing import rate against the moto server, through the same `run_import` the S3 event
handler runs: N invoice lines (N/10 customers), and a mixed batch of every record type.
Targets: mixed ≥ 2,000 lines/s; 100,000 mixed lines in ≤ 12× the time of 10,000.

    python -m bench.bench_import [lines ...]      (default: 10000 100000)
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from bench.stack import moto_stack, peak_rss_mb, report

DEFAULT_SIZES = [10_000, 100_000]
MIXED_TARGET = 2_000
RERUN_UP_TO = 10_000  # sizes re-imported to time the all-unchanged path


def _customer_block(number: str, index: int) -> list[dict[str, Any]]:
    """Ten lines of one customer: profile, meter, readings, invoices, payments, balance."""
    meter = f"W{number}"
    return [
        {
            "type": "customer",
            "customer_number": number,
            "name": f"Odbiorca {number}",
            "service_address": {"street": "ul. Wodna 1", "postal_code": "41-709", "city": "Ruda"},
            "contract_status": "active",
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
    ]


def mixed_batch(lines: int) -> bytes:
    """`lines` lines of every common record type (blocks of ten per customer)."""
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
        figures["redelivered event (same object)"] = f"{redelivered * 1000:.0f} ms"
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
    """10,000 invoice lines, then each size of mixed lines; return mixed seconds per size."""
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
