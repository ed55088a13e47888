"""The caller's address behind CloudFront (chalicelib/http/client_address.py): the viewer's
address CloudFront forwards counts only with the stage's edge secret, so customers behind
one edge server keep their own per-source budgets and nobody else can pick an address."""

from __future__ import annotations

import json

import pytest
from chalice.local import LambdaEventConverter

from chalicelib import aws, clock
from chalicelib.http.client_address import EDGE_SECRET_HEADER, VIEWER_ADDRESS_HEADER
from tests.conftest import EDGE_SECRET_PARAMETER
from tests.factories import PASSWORD, active_account, post

EDGE_SERVER = "130.176.1.10"  # what API Gateway sees for every request CloudFront sends
WRONG = "Zle-Haslo-123456"


@pytest.fixture
def limits(monkeypatch):
    """Small budgets, from the start of a throttle window."""
    from datetime import UTC, datetime

    from chalicelib.settings import get_settings

    monkeypatch.setenv("LOGIN_MAX_FAILURES_PER_LOGIN_SOURCE", "3")
    monkeypatch.setenv("LOGIN_MAX_FAILURES_PER_SOURCE", "8")
    monkeypatch.setenv("LOGIN_MAX_FAILURES_PER_LOGIN", "5")
    monkeypatch.setenv("LOGIN_WINDOW_SECONDS", "900")
    get_settings.cache_clear()
    now = int(clock.now().timestamp())
    clock.travel_to(datetime.fromtimestamp(now - now % 900 + 900, UTC))


@pytest.fixture
def from_ip(monkeypatch):
    """The source address API Gateway sees for the next requests."""

    def use(ip: str) -> None:
        monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", ip)

    return use


def via_edge(viewer: str, secret: str | None) -> dict[str, str]:
    """The headers CloudFront adds to a request of the viewer at `viewer` ("ip:port")."""
    headers = {VIEWER_ADDRESS_HEADER: viewer}
    if secret is not None:
        headers[EDGE_SECRET_HEADER] = secret
    return headers


def login(client, headers, login_name="100200", password=PASSWORD, **extra):
    return post(
        client, "/auth/login", {"login": login_name, "password": password, **extra}, headers
    )


def spend_source_budget(client, headers) -> None:
    """Eight failures on eight logins: the source's whole budget (LOGIN_MAX_FAILURES_PER_SOURCE)."""
    for number in range(8):
        assert login(client, headers, f"90000{number}", WRONG).status_code == 401


def latest_login_ip(client, headers) -> str:
    """Log in for a bearer token with `headers`; the address the login history shows."""
    token = login(client, headers, session="bearer").json_body["token"]
    history = client.http.get("/me/logins", headers={"Authorization": f"Bearer {token}"})
    return history.json_body["items"][0]["ip"]


def test_customers_behind_one_edge_server_have_their_own_login_budgets(
    client, outbox, edge_secret, limits, from_ip
):
    active_account(client, outbox)
    from_ip(EDGE_SERVER)
    first = via_edge("203.0.113.5:50123", edge_secret)
    second = via_edge("198.51.100.7:443", edge_secret)
    spend_source_budget(client, first)
    assert login(client, first).status_code == 429
    assert login(client, second).status_code == 200  # same edge server, another customer
    assert login(client, {}).status_code == 200  # nor is the edge server itself blocked


def test_a_viewer_address_without_the_secret_counts_against_the_real_source(
    client, outbox, edge_secret, limits, from_ip
):
    active_account(client, outbox)
    from_ip("192.0.2.66")  # calling the execute-api URL directly
    for number in range(8):
        forged = via_edge(f"203.0.113.{number}:443", None)
        assert login(client, forged, f"90000{number}", WRONG).status_code == 401
    assert login(client, via_edge("203.0.113.99:443", None)).status_code == 429
    from_ip("192.0.2.67")
    assert login(client, {}).status_code == 200


def test_a_wrong_secret_counts_against_the_real_source_and_is_a_security_event(
    client, outbox, edge_secret, limits, from_ip, captured_logs, capsys
):
    active_account(client, outbox)
    from_ip("192.0.2.66")
    for number in range(8):
        forged = via_edge(f"203.0.113.{number}:443", "guessed")
        assert login(client, forged, f"90000{number}", WRONG).status_code == 401
    blocked = login(client, via_edge("203.0.113.99:443", edge_secret[:-1]))
    assert blocked.status_code == 429  # an answer like any other: no error for the caller
    logged = [
        json.loads(line)["security_event"]
        for line in captured_logs.getvalue().splitlines()
        if '"security_event"' in line
    ]
    assert logged == ["edge_secret_mismatch"] * 9  # one per request
    counted = [
        json.loads(line)
        for line in capsys.readouterr().out.splitlines()
        if line.startswith('{"_aws"')
    ]
    assert [m["kind"] for m in counted if "SecurityEvents" in m] == ["edge_secret_mismatch"] * 9


@pytest.mark.parametrize(
    ("viewer", "seen"),
    [
        ("203.0.113.9:51234", "203.0.113.9"),
        ("2001:db8:85a3::8a2e:370:7334:443", "2001:db8:85a3::8a2e:370:7334"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001:50000", "2001:db8::1"),  # normalised
        ("::ffff:203.0.113.9:443", "203.0.113.9"),  # IPv4-mapped: the same customer
        ("[2001:db8::2]:443", "2001:db8::2"),  # bracketed, should CloudFront ever send it
        ("203.0.113.9", EDGE_SERVER),  # no port: not the header's form
        ("localhost:443", EDGE_SERVER),
        ("", EDGE_SERVER),
    ],
)
def test_ipv4_and_ipv6_viewer_addresses(client, outbox, edge_secret, from_ip, viewer, seen):
    active_account(client, outbox)
    from_ip(EDGE_SERVER)
    assert latest_login_ip(client, via_edge(viewer, edge_secret)) == seen


def test_without_an_edge_the_headers_mean_nothing_and_ssm_is_not_asked(
    client, outbox, from_ip, monkeypatch
):
    """The local stage and the tests: no EDGE_SECRET_PARAMETER."""
    active_account(client, outbox)
    from_ip("192.0.2.70")
    asked: list[str] = []

    def record(params, **_):
        asked.append(params["Name"])

    events = aws.client("ssm").meta.events
    events.register("provide-client-params.ssm.GetParameter", record, unique_id="edge-test")
    try:
        assert latest_login_ip(client, via_edge("203.0.113.9:443", "anything")) == "192.0.2.70"
    finally:
        events.unregister("provide-client-params.ssm.GetParameter", unique_id="edge-test")
    assert EDGE_SECRET_PARAMETER not in asked


def test_the_secret_is_read_once_per_container_and_only_when_presented(
    client, outbox, edge_secret, from_ip
):
    active_account(client, outbox)
    from_ip(EDGE_SERVER)
    asked: list[str] = []

    def record(params, **_):
        asked.append(params["Name"])

    events = aws.client("ssm").meta.events
    events.register("provide-client-params.ssm.GetParameter", record, unique_id="edge-test")
    try:
        assert latest_login_ip(client, {}) == EDGE_SERVER
        assert EDGE_SECRET_PARAMETER not in asked  # no secret header, no read
        for viewer in ("203.0.113.1:1", "203.0.113.2:2", "203.0.113.3:3"):
            assert latest_login_ip(client, via_edge(viewer, edge_secret)) == viewer[:-2]
    finally:
        events.unregister("provide-client-params.ssm.GetParameter", unique_id="edge-test")
    assert asked.count(EDGE_SECRET_PARAMETER) == 1  # cached (SECRETS_MAX_AGE)
