"""Customer reads through the Chalice test client against the moto server, beside a
minimal hand-written Chalice handler doing the same DynamoDB work (the session check and
the one Query) in the same run; and consumption for a customer with ten years of monthly
readings. Also the DynamoDB round trips of each read (botocore events).

    python -m bench.bench_requests [requests per endpoint]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import date
from typing import Any

from bench.stack import moto_stack, report, summary

TARGET_RATIO = 1.5
CUSTOMER = "100001"
TEN_YEARS = "700001"
PASSWORD = "Benchmark-Haslo-2026!"
ENDPOINTS = {
    "/invoices": "LEDGER#",
    "/balance": "LEDGER#",
    "/consumption": "METER#",
}


def ten_years_of_readings(customer: str) -> list[dict[str, Any]]:
    """A customer with one meter read monthly for ten years (and one meter replacement)."""
    lines: list[dict[str, Any]] = [
        {
            "type": "customer",
            "customer_number": customer,
            "name": "Dziesięć Lat",
            "service_address": {"street": "ul. Długa 10", "postal_code": "41-709", "city": "R"},
            "contract_status": "active",
        },
        {
            "type": "meter",
            "serial": "OLD",
            "customer_number": customer,
            "installed_on": "2016-01-01",
            "status": "removed",
            "removed_on": "2021-01-01",
        },
        {
            "type": "meter",
            "serial": "NEW",
            "customer_number": customer,
            "installed_on": "2021-01-01",
        },
    ]
    value = {"OLD": 0, "NEW": 0}
    for month in range(120):
        year, mon = 2016 + month // 12, month % 12 + 1
        day = date(year, mon, 28)
        serial = "OLD" if day < date(2021, 1, 1) else "NEW"
        value[serial] += 9_000 + (month * 37) % 4_000
        lines.append(
            {
                "type": "reading",
                "customer_number": customer,
                "meter": serial,
                "date": day.isoformat(),
                "value": f"{value[serial] // 1000},{value[serial] % 1000:03d}",
            }
        )
    lines.append(
        {
            "type": "reading",
            "customer_number": customer,
            "meter": "OLD",
            "date": "2021-01-01",
            "value": f"{value['OLD'] // 1000 + 1},000",
        }
    )
    return lines


def _minimal_app() -> Any:
    """The baseline: a hand-written route doing the same DynamoDB work with boto3."""
    import boto3
    from chalice import Chalice, Response

    from chalicelib.domain.tokens import token_hash
    from chalicelib.settings import get_settings

    settings = get_settings()
    ddb = boto3.client("dynamodb", endpoint_url=settings.aws_endpoint, region_name=settings.region)
    app = Chalice(app_name="minimal")

    def read(prefix: str) -> Response:
        token = app.current_request.headers["authorization"].split(" ", 1)[1]
        now = int(time.time())
        session = ddb.update_item(
            TableName=settings.accounts_table,
            Key={"pk": {"S": f"SESSION#{token_hash(token)}"}, "sk": {"S": "SESSION"}},
            UpdateExpression="SET last_seen = :now",
            ConditionExpression="attribute_exists(pk) AND absolute_expires > :now",
            ExpressionAttributeValues={":now": {"N": str(now)}},
            ReturnValues="ALL_NEW",
        )["Attributes"]
        owner = session["owner"]["S"]
        items = ddb.query(
            TableName=settings.billing_table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={
                ":pk": {"S": f"CUSTOMER#{owner}"},
                ":prefix": {"S": prefix},
            },
        )["Items"]
        return Response(body=json.dumps({"items": [i["sk"]["S"] for i in items]}))

    for path, prefix in ENDPOINTS.items():
        app.route(path, name=path.strip("/"))(lambda prefix=prefix: read(prefix))
    return app


def _time(client: Any, path: str, headers: dict[str, str], requests: int) -> list[float]:
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        answer = client.http.get(path, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (path, answer.body)
    return samples


def run(requests: int = 50) -> dict[str, float]:
    """Return the p50 ratio (IBOK / minimal) per endpoint."""
    ratios: dict[str, float] = {}
    with moto_stack():
        from chalice.test import Client

        from app import app
        from chalicelib import aws
        from chalicelib.imports.service import run_import
        from chalicelib.settings import get_settings
        from scripts.local_stack import _import_demo, register_and_activate
        from tests.roundtrips import count_dynamodb_calls

        _import_demo(app)
        bucket = get_settings().data_bucket
        body = "\n".join(json.dumps(line) for line in ten_years_of_readings(TEN_YEARS))
        aws.client("s3").put_object(Bucket=bucket, Key="imports/ten.jsonl", Body=body.encode())
        assert run_import(bucket, "imports/ten.jsonl").invalid == 0
        json_headers = {"Content-Type": "application/json"}
        tokens = {}
        with tempfile.TemporaryDirectory() as empty, Client(app, project_dir=empty) as client:
            register_and_activate(app, CUSTOMER, "bench@example.pl", PASSWORD)
            for login in (CUSTOMER,):
                answer = client.http.post(
                    "/auth/login",
                    headers=json_headers,
                    body=json.dumps({"login": login, "password": PASSWORD, "session": "bearer"}),
                )
                tokens[login] = {"Authorization": f"Bearer {answer.json_body['token']}"}
            headers = tokens[CUSTOMER]
            rows: dict[str, str] = {}
            minimal = _minimal_app()
            with (
                tempfile.TemporaryDirectory() as empty2,
                Client(minimal, project_dir=empty2) as baseline,
            ):
                for path in ENDPOINTS:
                    _time(client, path, headers, 5)  # warm both
                    _time(baseline, path, headers, 5)
                    ours = _time(client, path, headers, requests)
                    base = _time(baseline, path, headers, requests)
                    with count_dynamodb_calls() as calls:
                        client.http.get(path, headers=headers)
                    ratio = statistics.median(ours) / statistics.median(base)
                    ratios[path] = ratio
                    rows[f"GET {path}"] = summary(ours)
                    rows[f"GET {path}, minimal handler"] = summary(base)
                    rows[f"GET {path}, ratio (target ≤ {TARGET_RATIO})"] = f"{ratio:.2f}"
                    rows[f"GET {path}, DynamoDB calls"] = f"{len(calls)}: {', '.join(calls)}"
            report("customer reads, Chalice test client against the moto server", rows)

            # Ten years of monthly readings for one customer.
            from chalicelib.schemas.consumption import ConsumptionOut, ConsumptionQuery
            from chalicelib.services.consumption import consumption

            query = ConsumptionQuery.model_validate({"from": "2016-01-01", "to": "2025-12-31"})
            samples = []
            for _ in range(10):
                started = time.perf_counter()
                result = ConsumptionOut.from_result(consumption(TEN_YEARS, query))
                samples.append((time.perf_counter() - started) * 1000)
            report(
                "consumption, 10 years of monthly readings (one meter replacement)",
                {
                    "periods": str(len(result.periods)),
                    "total": f"{result.total_water_m3} m³",
                    "service call (Query + computation)": summary(samples),
                },
            )
    return ratios


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
