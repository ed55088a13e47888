"""Billing import rate against the moto server: N invoice lines (default 10,000) for
N/10 customers, through the same `run_import` the S3 event handler runs.

    python -m bench.bench_import [lines ...]
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from bench.stack import moto_stack, peak_rss_mb, report

DEFAULT_SIZES = [10_000]


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


def run(sizes: list[int]) -> dict[int, float]:
    """Import each size once into fresh keys; return seconds per size."""
    timings: dict[int, float] = {}
    with moto_stack():
        from chalicelib import aws
        from chalicelib.imports.service import run_import
        from chalicelib.settings import get_settings

        bucket = get_settings().data_bucket
        for size in sizes:
            key = f"imports/bench-{size}.jsonl"
            aws.client("s3").put_object(Bucket=bucket, Key=key, Body=invoice_batch(size))
            started = time.perf_counter()
            result = run_import(bucket, key)
            elapsed = time.perf_counter() - started
            assert result.valid == size and result.invalid == 0, result
            timings[size] = elapsed
            started = time.perf_counter()
            again = run_import(bucket, key)
            rerun = time.perf_counter() - started
            assert again.unchanged == size, again
            report(
                f"import of {size:,} invoice lines (moto server)",
                {
                    "time": f"{elapsed:.1f} s",
                    "rate": f"{size / elapsed:,.0f} lines/s",
                    "re-run (all unchanged)": f"{rerun:.1f} s, {size / rerun:,.0f} lines/s",
                    "peak RSS": f"{peak_rss_mb():.0f} MB",
                },
            )
    if len(timings) > 1:
        small, large = min(timings), max(timings)
        report(
            "import scaling",
            {f"{large:,} / {small:,} lines time ratio": f"{timings[large] / timings[small]:.1f}"},
        )
    return timings


if __name__ == "__main__":
    run([int(arg) for arg in sys.argv[1:]] or DEFAULT_SIZES)
