"""`make bench`: every benchmark, one after another, printing its figures."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = [
    "bench.bench_fresh_start",
    "bench.bench_cold_import",
    "bench.bench_import",
    "bench.bench_login",
    "bench.bench_forgot",
    "bench.bench_round_trips",
    "bench.bench_requests",
    "bench.bench_itn",
    "bench.bench_portal",
    "bench.bench_staff_queue",
    "bench.bench_reminders",
]


def main() -> int:
    """Run each benchmark in its own interpreter (each sets its own environment)."""
    failed = []
    for module in BENCHMARKS:
        print(f"\n### {module}", flush=True)
        if subprocess.run([sys.executable, "-m", module], check=False).returncode:
            failed.append(module)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
