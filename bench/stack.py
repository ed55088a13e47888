"""What the benchmarks share: a moto server process-local like `make run`'s, with the
resources of infra/, and small statistics helpers."""

from __future__ import annotations

import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def free_port() -> int:
    """An unused local TCP port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def moto_stack(*, server: str = "moto.server", **overrides: str) -> Iterator[None]:
    """Start a moto server (the module `server` runs it: bench/moto_server.py is moto with
    one of its costs taken out), point the local stage's settings at it, create the
    resources. Must run before anything imports chalicelib's models."""
    from scripts.local_stack import _provision, stage_environment

    moto_port = free_port()
    os.environ.update(stage_environment(free_port(), moto_port))
    outbox = tempfile.mkdtemp(prefix="ibok-bench-outbox-")
    os.environ.update({"POWERTOOLS_LOG_LEVEL": "WARNING", "LOCAL_OUTBOX_DIR": outbox, **overrides})
    # Its own process, as a real endpoint would be: it does not share our GIL.
    server = subprocess.Popen(
        [sys.executable, "-m", server, "-H", "127.0.0.1", "-p", str(moto_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_listening(moto_port)
        _provision()
        yield
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # 100,000 items take a while to let go of
            server.kill()
            server.wait(timeout=10)
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"  moto server CPU: {used.ru_utime + used.ru_stime:.1f} s")
        shutil.rmtree(outbox, ignore_errors=True)


def _wait_listening(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"moto server did not start on port {port}")


def percentile(samples: list[float], fraction: float) -> float:
    """The `fraction` quantile of `samples` (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(samples_ms: list[float]) -> str:
    """p50 / p90 / max of millisecond samples."""
    return (
        f"p50 {statistics.median(samples_ms):.1f} ms, p90 {percentile(samples_ms, 0.9):.1f} ms, "
        f"max {max(samples_ms):.1f} ms (n={len(samples_ms)})"
    )


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(title: str, rows: dict[str, Any]) -> None:
    """Print one benchmark's figures."""
    print(f"\n== {title}")
    for name, value in rows.items():
        print(f"  {name}: {value}")


BENCH_PASSWORD = "Benchmark-Haslo-2026!"


@contextmanager
def demo_client(login: str = "100001") -> Iterator[tuple[Any, dict[str, str]]]:
    """Inside `moto_stack`: the demo data imported, `login` registered and logged in; yield
    a Chalice test client of the app and the bearer header."""
    import json

    from chalice.test import Client

    from app import app
    from scripts.local_stack import _import_demo, register_and_activate

    _import_demo(app)
    register_and_activate(app, login, "bench@example.pl", BENCH_PASSWORD)
    with tempfile.TemporaryDirectory() as empty, Client(app, project_dir=empty) as client:
        answer = client.http.post(
            "/auth/login",
            headers={"Content-Type": "application/json"},
            body=json.dumps({"login": login, "password": BENCH_PASSWORD, "session": "bearer"}),
        )
        yield client, {"Authorization": f"Bearer {answer.json_body['token']}"}


def pending_registration(customer: str, password: str) -> dict[str, object]:
    """A registration body for a demo customer (its newest invoice as the proof), for an
    account the benchmarks never activate."""
    from chalicelib.content.terms import CURRENT_TERMS_VERSION
    from scripts import demo_data

    invoice = [
        line
        for line in demo_data.batch_lines()
        if line["type"] == "invoice" and line["customer_number"] == customer
    ][-1]
    return {
        "customer_number": customer,
        "invoice_number": invoice["number"],
        "invoice_gross": invoice["gross"],
        "email": f"pending{customer}@example.pl",
        "password": password,
        "password_confirm": password,
        "accept_terms": CURRENT_TERMS_VERSION,
    }
