"""Login latency at bcrypt cost 12 (the production cost): `POST /auth/login` through the
Chalice test client against the moto server, beside bcrypt alone at the same cost.

    python -m bench.bench_login [logins]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time

from bench.stack import moto_stack, report, summary

COST = 12
PASSWORD = "Benchmark-Haslo-2026!"


def run(logins: int = 20) -> float:
    """Return the p50 of a successful login in milliseconds."""
    with moto_stack(BCRYPT_COST=str(COST)):
        import bcrypt
        from chalice.test import Client

        from app import app
        from scripts.local_stack import _import_demo, register_and_activate

        _import_demo(app)
        register_and_activate(app, "100003", "bench@example.pl", PASSWORD)
        json_headers = {"Content-Type": "application/json"}
        credentials = json.dumps({"login": "100003", "password": PASSWORD, "session": "bearer"})
        with tempfile.TemporaryDirectory() as empty, Client(app, project_dir=empty) as client:
            samples = []
            for _ in range(logins):
                started = time.perf_counter()
                answer = client.http.post("/auth/login", headers=json_headers, body=credentials)
                samples.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, answer.body
        hashed = bcrypt.hashpw(b"x" * 44, bcrypt.gensalt(COST))
        alone = []
        for _ in range(5):
            started = time.perf_counter()
            bcrypt.checkpw(b"x" * 44, hashed)
            alone.append((time.perf_counter() - started) * 1000)
    report(
        f"login at bcrypt cost {COST} (Chalice test client, moto server)",
        {"POST /auth/login": summary(samples), "bcrypt check alone": summary(alone)},
    )
    return statistics.median(samples)


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
