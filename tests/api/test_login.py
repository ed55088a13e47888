"""POST /auth/login: uniform failures, throttling, login history."""

from __future__ import annotations

import pytest
from chalice.local import LambdaEventConverter

from chalicelib import clock
from tests.factories import PASSWORD, active_account, bearer, post, register_body, seed_customer


@pytest.fixture
def from_ip(monkeypatch):
    """Make the next requests come from another source address."""

    def use(ip: str) -> None:
        monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", ip)

    return use


@pytest.fixture
def limits(monkeypatch):
    monkeypatch.setenv("LOGIN_MAX_FAILURES_PER_LOGIN_SOURCE", "3")
    monkeypatch.setenv("LOGIN_MAX_FAILURES_PER_SOURCE", "8")
    monkeypatch.setenv("LOGIN_MAX_FAILURES_PER_LOGIN", "5")
    monkeypatch.setenv("LOGIN_SLOWDOWN_SECONDS", "30")
    monkeypatch.setenv("LOGIN_WINDOW_SECONDS", "900")
    from chalicelib.settings import get_settings

    get_settings.cache_clear()


def login(client, login_name="100200", password=PASSWORD):
    return post(client, "/auth/login", {"login": login_name, "password": password})


def test_unknown_wrong_and_inactive_are_indistinguishable(client, outbox, aws_env):
    active_account(client, outbox, "100200")
    seed_customer("100300")
    post(client, "/auth/register", register_body("100300"))  # pending: never activated
    unknown = login(client, "999999")
    wrong = login(client, "100200", "Zle-Haslo-123456")
    inactive = login(client, "100300")
    assert unknown.status_code == wrong.status_code == inactive.status_code == 401
    assert unknown.body == wrong.body == inactive.body
    assert {k.lower() for k in unknown.headers} == {k.lower() for k in wrong.headers}


def test_login_sets_a_host_cookie(client, outbox, aws_env):
    active_account(client, outbox)
    response = login(client)
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    name, _, rest = cookie.partition("=")
    assert name == "__Host-ibok_session"
    attributes = {a.strip().split("=")[0].lower() for a in rest.split(";")[1:]}
    assert {"path", "secure", "httponly", "samesite", "max-age"} <= attributes
    assert "SameSite=Strict" in cookie and "Path=/;" in cookie
    assert "domain" not in attributes
    assert "token" not in response.json_body or response.json_body["token"] is None


def test_throttle_after_failures_per_login_and_source_then_lifts(
    client, outbox, aws_env, limits, from_ip
):
    active_account(client, outbox)
    from_ip("203.0.113.5")
    for _ in range(3):
        assert login(client, password="Zle-Haslo-123456").status_code == 401
    blocked = login(client)  # even the right password waits
    assert blocked.status_code == 429
    retry_after = int(blocked.headers["Retry-After"])
    assert 0 < retry_after <= 900
    assert blocked.json_body["error"]["code"] == "too_many_requests"
    clock.travel(retry_after + 1)
    assert login(client).status_code == 200


def test_source_is_throttled_across_logins(client, outbox, aws_env, limits, from_ip):
    active_account(client, outbox)
    from_ip("198.51.100.7")
    for number in range(8):
        login(client, f"90000{number}", "Zle-Haslo-123456")
    assert login(client).status_code == 429
    from_ip("198.51.100.8")
    assert login(client).status_code == 200


def test_distributed_attack_only_slows_the_victim_briefly(client, outbox, aws_env, limits, from_ip):
    active_account(client, outbox)
    for attacker in range(6):
        from_ip(f"192.0.2.{attacker}")
        login(client, password="Zle-Haslo-123456")
    from_ip("203.0.113.200")  # the customer, from home
    first = login(client)
    assert first.status_code == 429
    wait = int(first.headers["Retry-After"])
    assert wait <= 30
    clock.travel(wait)
    assert login(client).status_code == 200


def test_every_attempt_is_recorded(client, outbox, aws_env, limits, from_ip):
    active_account(client, outbox)
    from_ip("203.0.113.9")
    login(client, password="Zle-Haslo-123456")
    headers = bearer(client)
    response = client.http.get("/me/logins", headers=headers)
    assert response.status_code == 200
    results = [item["result"] for item in response.json_body["items"]]
    assert results[:2] == ["success", "failure"]
    assert response.json_body["items"][0]["ip"] == "203.0.113.9"
