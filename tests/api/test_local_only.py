"""The local stage's own routes (`/_local/*`: the outbox and the fake gateway that signs
payment notifications; e-mailed links open the portal) exist only on the local stage against
a loopback moto endpoint, and answer only loopback callers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from chalice import Chalice
from chalice.local import LambdaEventConverter
from chalice.test import Client

from chalicelib.blueprints import local_gateway, local_pages
from chalicelib.http import local_only
from chalicelib.http.middleware import http_middleware
from chalicelib.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
ROUTES_OF_APP = "import json, app; print(json.dumps(sorted(app.app.routes)))"


def routes_with(environment: dict[str, str]) -> list[str]:
    """The route paths of `app.py` imported in a fresh interpreter with `environment`."""
    env = {k: v for k, v in os.environ.items() if k not in ("STAGE", "AWS_ENDPOINT_URL")}
    answer = subprocess.run(
        [sys.executable, "-c", ROUTES_OF_APP],
        cwd=ROOT,
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(answer.stdout)


@pytest.mark.parametrize(
    "environment",
    [
        {"STAGE": "prod"},
        {"STAGE": "dev", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"},
        {"STAGE": "local"},  # no moto endpoint: real AWS
        {"STAGE": "local", "AWS_ENDPOINT_URL": "https://dynamodb.eu-central-1.amazonaws.com"},
        {"STAGE": "local", "AWS_ENDPOINT_URL": "http://10.0.0.5:5000"},
        {"STAGE": "local", "AWS_ENDPOINT_URL": "http://127.0.0.1.evil.example:5000"},
    ],
)
def test_no_local_route_exists_off_the_local_loopback_stage(environment):
    routes = routes_with(environment)
    assert "/health" in routes
    assert [path for path in routes if path.startswith("/_local")] == []


def test_the_local_stage_on_loopback_has_its_pages():
    routes = routes_with({"STAGE": "local", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"})
    assert {"/_local/outbox", "/_local/bluemedia/decide"} <= set(routes)
    # The stop-gap pages behind e-mailed links are gone: the links open the portal.
    assert [p for p in routes if p.startswith("/_local/") and "{" in p] == [
        "/_local/outbox/{message_id}"
    ]
    assert "/_local/app.js" not in routes


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("10.0.0.1", False),
        ("192.168.1.10", False),
        ("203.0.113.9", False),
        ("::ffff:10.0.0.1", False),
        ("127.0.0.1.nip.io", False),
        ("", False),
        (None, False),
        ("unknown", False),
    ],
)
def test_loopback_addresses(host, loopback):
    assert local_only.is_loopback(host) is loopback


@pytest.fixture
def local_client(aws_env, tmp_path):
    """An app with the local blueprints, as the local stage has them."""
    local_app = Chalice(app_name="ibok-local-test")
    local_app.register_middleware(http_middleware, "http")
    local_app.register_blueprint(local_pages.bp)
    local_app.register_blueprint(local_gateway.bp)
    with Client(local_app, project_dir=str(tmp_path)) as client:
        yield client


def local_calls(client):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    decide = "OrderID=20261120ABCDEF0123456789&Amount=10.00&Currency=PLN&Status=SUCCESS"
    return [
        client.http.get("/_local/outbox"),
        client.http.get("/_local/outbox/x"),
        client.http.post("/_local/bluemedia/payment", headers=form, body="ServiceID=1"),
        client.http.post("/_local/bluemedia/decide", headers=form, body=decide),
    ]


def test_a_caller_off_loopback_gets_404_from_every_local_route(local_client, monkeypatch):
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", "203.0.113.9")
    responses = local_calls(local_client)
    assert len(responses) == len({p for p in local_client._app.routes if p.startswith("/_")})
    for response in responses:
        assert response.status_code == 404
        assert response.json_body["error"]["code"] == "not_found"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_gateways_forms_may_go_back_to_the_portal(aws_env):
    """The gateway answers its forms with a redirect to the portal's return page; the
    browser checks that redirect against the page's form-action."""
    answer = local_gateway._gateway_page("Bramka", "<p>x</p>", 400)
    public = urlsplit(get_settings().public_url)
    policy = answer.headers["Content-Security-Policy"]
    assert f"form-action 'self' {public.scheme}://{public.netloc};" in policy
    assert "default-src 'none'" in policy
    assert answer.status_code == 400


def test_a_loopback_caller_gets_the_pages(local_client):
    assert local_client.http.get("/_local/outbox").status_code == 200
    assert local_client.http.get("/_local/outbox/x").status_code == 200
