"""DynamoDB round trips of customer reads, counted with botocore events, against the moto
server with the demo data (target: at most 2 — the session and the data — and no Scan).
A round trip is a call the request waits for in turn; a call run beside them on another
thread (the dashboard's refresh of its announcements copy) is printed, not counted.

    python -m bench.bench_round_trips
"""

from __future__ import annotations

from bench.stack import demo_client, moto_stack, report

TARGET = 2


def run() -> dict[str, list[str]]:
    """Return the DynamoDB operations of each read."""
    counted: dict[str, list[str]] = {}
    beside: dict[str, int] = {}
    with moto_stack(), demo_client() as (client, headers):
        from tests.api.test_isolation import LIST_PATHS  # imports models: after the env is set
        from tests.roundtrips import count_dynamodb_calls

        for path in ["/me/logins", *LIST_PATHS]:
            with count_dynamodb_calls() as every, count_dynamodb_calls(this_thread=True) as calls:
                assert client.http.get(path, headers=headers).status_code == 200, path
            counted[path] = list(calls)
            beside[path] = len(every) - len(calls)
    report(
        f"DynamoDB round trips per customer read (target ≤ {TARGET}, no Scan)",
        {
            f"GET {path}": f"{len(calls)} ({', '.join(calls)})"
            + (f" + {beside[path]} beside" if beside[path] else "")
            + ("" if len(calls) <= TARGET and "Scan" not in calls else "  ← over target")
            for path, calls in counted.items()
        },
    )
    return counted


if __name__ == "__main__":
    run()
