"""X-Ray tracing: one subsegment per invocation in Lambda, nothing outside it."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from chalicelib import tracing

ROOT = Path(__file__).resolve().parents[2]


class FakeSubsegment:
    def __init__(self, name: str, log: list) -> None:
        self.name, self.annotations = name, {}
        log.append(self)

    def put_annotation(self, key: str, value: str) -> None:
        self.annotations[key] = value


class FakeProvider:
    def __init__(self) -> None:
        self.opened: list[FakeSubsegment] = []

    @contextmanager
    def in_subsegment(self, name: str):
        yield FakeSubsegment(name, self.opened)


class FakeTracer:
    def __init__(self) -> None:
        self.provider = FakeProvider()


def test_outside_lambda_a_request_traces_nothing(client):
    assert not tracing.enabled()
    assert client.http.get("/health").status_code == 200
    assert tracing.tracer.cache_info().currsize == 0  # no Tracer, no X-Ray SDK


def test_in_lambda_each_request_gets_a_subsegment_named_for_its_route(client, monkeypatch):
    fake = FakeTracer()
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "ibok-test-api")
    monkeypatch.setattr(tracing, "tracer", lambda: fake)
    assert client.http.get("/health").status_code == 200
    [opened] = fake.provider.opened
    assert opened.name == "## GET /health"
    assert opened.annotations == {"route": "/health"}


def test_tracing_can_be_switched_off_in_lambda(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "ibok-test-api")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    assert not tracing.enabled()


def test_the_real_tracer_records_aws_calls_in_a_lambda_like_environment():
    """With the X-Ray SDK and a trace header as Lambda sets it, a traced block runs and an
    AWS call inside it goes through the patched SDK (the daemon address is a dead UDP
    port: segments are sent and lost)."""
    script = (
        "from chalicelib import tracing\n"
        "import boto3\n"
        "with tracing.subsegment('## probe', handler='probe'):\n"
        "    client = boto3.client('sts', endpoint_url='http://127.0.0.1:9')\n"
        "    try:\n"
        "        client.get_caller_identity()\n"
        "    except Exception as exc:\n"
        "        print(type(exc).__name__)\n"
        "from aws_xray_sdk.core import patcher\n"
        "print(sorted(patcher._PATCHED_MODULES))\n"
    )
    env = {
        **os.environ,
        "AWS_LAMBDA_FUNCTION_NAME": "probe",
        "LAMBDA_TASK_ROOT": str(ROOT),
        "_X_AMZN_TRACE_ID": (
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        ),
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        "AWS_DEFAULT_REGION": "eu-central-1",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
    }
    env.pop("POWERTOOLS_TRACE_DISABLED", None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["EndpointConnectionError", "['botocore']"]
