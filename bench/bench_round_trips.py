"""DynamoDB round trips of customer reads, counted with botocore events, against the moto
server with the demo data (target: at most 2 — the session and the data — and no Scan).

    python -m bench.bench_round_trips
"""

from __future__ import annotations

from bench.stack import demo_client, moto_stack, report

TARGET = 2


def run() -> dict[str, list[str]]:
    """Return the DynamoDB operations of each read."""
    counted: dict[str, list[str]] = {}
    with moto_stack(), demo_client() as (client, headers):
        from tests.api.test_isolation import LIST_PATHS  # imports models: after the env is set
        from tests.roundtrips import count_dynamodb_calls

        for path in ["/me/logins", *LIST_PATHS]:
            with count_dynamodb_calls() as calls:
                assert client.http.get(path, headers=headers).status_code == 200, path
            counted[path] = list(calls)
    report(
        f"DynamoDB round trips per customer read (target ≤ {TARGET}, no Scan)",
        {
            f"GET {path}": f"{len(calls)} ({', '.join(calls)})"
            + ("" if len(calls) <= TARGET and "Scan" not in calls else "  ← over target")
            for path, calls in counted.items()
        },
    )
    return counted


if __name__ == "__main__":
    run()
