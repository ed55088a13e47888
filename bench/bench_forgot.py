"""`POST /auth/password/forgot` must not tell, by its time, whether what was typed names an
account or in which state: the answer time for an unknown, an active and an inactive
(registered, never activated) login, and an active account's e-mail address, side by side,
through the Chalice test client against the moto server. Requests are interleaved and
the per-source limit is raised out of the way; the target is a max/min ratio of the medians
within 1.10. Then the queue is emptied, a few requests of each kind are queued again and
run through the consumer (what happens on AWS after the answer), to time it too.

    python -m bench.bench_forgot [requests per kind]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time

from bench.stack import moto_stack, pending_registration, percentile, report, summary

PASSWORD = "Benchmark-Haslo-2026!"
TARGET = 1.10
CONSUMED = 5  # requests of each kind run through the consumer afterwards


def run(requests: int = 200) -> float:
    """Return the max/min ratio of the kinds' median answer times."""
    with moto_stack(RESET_MAX_PER_SOURCE="1000000"):
        from chalice.test import Client

        from app import app
        from scripts.local_queues import drain
        from scripts.local_stack import _import_demo, register_and_activate

        _import_demo(app)
        register_and_activate(app, "100003", "bench@example.pl", PASSWORD)
        kinds = {
            "unknown login": "999999",
            "active login": "100003",
            "inactive login": "100004",
            "active e-mail": "bench@example.pl",
        }
        json_headers = {"Content-Type": "application/json"}
        with tempfile.TemporaryDirectory() as empty, Client(app, project_dir=empty) as client:
            post = client.http.post
            registered = post(
                "/auth/register",
                headers=json_headers,
                body=json.dumps(pending_registration("100004", PASSWORD)),
            )
            assert registered.status_code == 201, registered.body
            bodies = {name: json.dumps({"login": login}) for name, login in kinds.items()}
            for _ in range(10):  # warm up: modules, clients, the queue's URL
                for body in bodies.values():
                    post("/auth/password/forgot", headers=json_headers, body=body)
            samples: dict[str, list[float]] = {name: [] for name in kinds}
            for _ in range(requests):
                for name, body in bodies.items():  # interleaved
                    started = time.perf_counter()
                    answer = post("/auth/password/forgot", headers=json_headers, body=body)
                    samples[name].append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 202, (name, answer.body)
            from chalicelib import aws
            from chalicelib.settings import get_settings

            aws.client("sqs").purge_queue(QueueUrl=aws.queue_url(get_settings().reset_queue))
            for _ in range(CONSUMED):
                for body in bodies.values():
                    post("/auth/password/forgot", headers=json_headers, body=body)
        started = time.perf_counter()
        delivered = drain(app)
        consumer_ms = (time.perf_counter() - started) * 1000 / max(1, delivered)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    ratio = max(medians.values()) / min(medians.values())
    rows = {f"202, {name}": summary(values) for name, values in samples.items()}
    rows["medians side by side"] = "  ".join(f"{name} {medians[name]:.2f} ms" for name in kinds)
    rows["p90 side by side"] = "  ".join(
        f"{name} {percentile(samples[name], 0.9):.2f} ms" for name in kinds
    )
    verdict = "within" if ratio <= TARGET else "OVER"
    rows["max/min of the medians"] = f"{ratio:.3f} ({verdict} the {TARGET:.2f} target)"
    rows["consumer afterwards"] = f"{delivered} messages, {consumer_ms:.1f} ms each on average"
    report("password reset request (Chalice test client, moto server)", rows)
    return ratio


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
