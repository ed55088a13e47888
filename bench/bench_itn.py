"""ITN (payment notification) handling: p50 through the Chalice test client against the
moto server, and the DynamoDB round trips per notification (botocore events).

    python -m bench.bench_itn [notifications]
"""

from __future__ import annotations

import json
import sys
import time

from bench.stack import demo_client, moto_stack, report, summary

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def run(notifications: int = 30) -> float:
    """Return the p50 of a first (state-changing) notification in milliseconds."""
    import statistics

    with moto_stack(), demo_client() as (client, bearer):
        from chalicelib.payments.gateways import bluemedia
        from tests.roundtrips import count_dynamodb_calls

        headers = {**bearer, "Content-Type": "application/json"}
        gateway = bluemedia()
        first, repeat, calls_first, calls_repeat = [], [], [], []
        for n in range(notifications):
            order = client.http.post(
                "/payments", headers=headers, body=json.dumps({"amount": "20,00"})
            ).json_body
            body = gateway.notification_body(
                [
                    {
                        "orderID": order["order_id"],
                        "remoteID": f"R{n}",
                        "amount": "20.00",
                        "currency": "PLN",
                        "gatewayID": "106",
                        "paymentDate": "20261124101530",
                        "paymentStatus": "SUCCESS",
                    }
                ]
            )
            for samples, calls in ((first, calls_first), (repeat, calls_repeat)):
                with count_dynamodb_calls() as counted:
                    started = time.perf_counter()
                    answer = client.http.post("/payments/notify/bluemedia", headers=FORM, body=body)
                    samples.append((time.perf_counter() - started) * 1000)
                assert b">CONFIRMED<" in answer.body, answer.body
                calls.append(list(counted))
    report(
        "ITN handling (Chalice test client, moto server)",
        {
            "first delivery (SUCCESS: state change + receipt e-mail)": summary(first),
            "first delivery, DynamoDB calls": f"{len(calls_first[-1])}: "
            + ", ".join(calls_first[-1]),
            "repeated delivery (confirmed, nothing changes)": summary(repeat),
            "repeated delivery, DynamoDB calls": f"{len(calls_repeat[-1])}: "
            + ", ".join(calls_repeat[-1]),
        },
    )
    return statistics.median(first)


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
