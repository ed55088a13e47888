"""Login latency at bcrypt cost 12 (the production cost): `POST /auth/login` through the
Chalice test client against the moto server, beside bcrypt alone at the same cost, and the
three failures that must look alike (unknown login, wrong password, inactive account) in
time as well as in body. Throttling is raised out of the way for the failures.

    python -m bench.bench_login [logins]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time

from bench.stack import moto_stack, pending_registration, report, summary

COST = 12
PASSWORD = "Benchmark-Haslo-2026!"


def run(logins: int = 20) -> float:
    """Return the p50 of a successful login in milliseconds."""
    unlimited = {
        f"LOGIN_MAX_FAILURES_PER_{scope}": "100000" for scope in ("LOGIN_SOURCE", "SOURCE", "LOGIN")
    }
    with moto_stack(BCRYPT_COST=str(COST), **unlimited):
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
            failures = {
                "unknown login": ("999999", PASSWORD),
                "wrong password": ("100003", "Zle-Haslo-Benchmark-1"),
                "inactive account": ("100004", PASSWORD),
            }
            post = client.http.post
            post(
                "/auth/register",
                headers=json_headers,
                body=json.dumps(pending_registration("100004", PASSWORD)),
            )
            failure_samples: dict[str, list[float]] = {name: [] for name in failures}
            for _ in range(logins):
                for name, (login, password) in failures.items():  # interleaved
                    body = json.dumps({"login": login, "password": password})
                    started = time.perf_counter()
                    answer = post("/auth/login", headers=json_headers, body=body)
                    failure_samples[name].append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 401, (name, answer.body)
        hashed = bcrypt.hashpw(b"x" * 44, bcrypt.gensalt(COST))
        alone = []
        for _ in range(5):
            started = time.perf_counter()
            bcrypt.checkpw(b"x" * 44, hashed)
            alone.append((time.perf_counter() - started) * 1000)
    report(
        f"login at bcrypt cost {COST} (Chalice test client, moto server)",
        {
            "POST /auth/login": summary(samples),
            **{f"401, {name}": summary(values) for name, values in failure_samples.items()},
            "bcrypt check alone": summary(alone),
        },
    )
    return statistics.median(samples)


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
