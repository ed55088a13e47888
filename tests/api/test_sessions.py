"""Sessions: storage, timeouts, revocation, cookie + CSRF, secrets kept out of logs."""

from __future__ import annotations

import hashlib

import boto3

from chalicelib import clock
from chalicelib.settings import get_settings
from tests.factories import PASSWORD, active_account, bearer, post


def cookie_login(client):
    response = post(client, "/auth/login", {"login": "100200", "password": PASSWORD})
    assert response.status_code == 200
    cookies = response.headers["Set-Cookie"]  # the session and the device cookie
    return next(c for c in cookies if c.startswith("__Host-ibok_session=")).split(";")[0]


def all_items():
    table = boto3.resource("dynamodb", region_name="eu-central-1").Table(
        get_settings().accounts_table
    )
    return table.scan()["Items"]


def test_token_has_256_bits_and_is_stored_only_hashed(client, outbox, aws_env):
    active_account(client, outbox)
    token = bearer(client)["Authorization"].split()[1]
    assert len(token) >= 43  # 32 random bytes, base64url
    items = str(all_items())
    assert token not in items
    assert hashlib.sha256(token.encode()).hexdigest() in items


def test_new_token_at_each_login(client, outbox, aws_env):
    active_account(client, outbox)
    assert bearer(client) != bearer(client)


def test_idle_timeout(client, outbox, aws_env):
    active_account(client, outbox)
    headers = bearer(client)
    clock.travel(29 * 60)
    assert client.http.get("/me", headers=headers).status_code == 200  # activity extends it
    clock.travel(29 * 60)
    assert client.http.get("/me", headers=headers).status_code == 200
    clock.travel(31 * 60)
    assert client.http.get("/me", headers=headers).status_code == 401


def test_absolute_timeout(client, outbox, aws_env):
    active_account(client, outbox)
    headers = bearer(client)
    for _ in range(35):  # active every 20 minutes for 11h40m
        clock.travel(20 * 60)
        assert client.http.get("/me", headers=headers).status_code == 200
    clock.travel(21 * 60)
    response = client.http.get("/me", headers=headers)
    assert response.status_code == 401


def test_logout_revokes(client, outbox, aws_env):
    active_account(client, outbox)
    headers = bearer(client)
    response = client.http.post("/auth/logout", headers=headers)
    assert response.status_code == 204
    assert "Max-Age=0" in response.headers["Set-Cookie"]
    assert client.http.get("/me", headers=headers).status_code == 401


def test_password_change_revokes_other_sessions(client, outbox, aws_env):
    body = active_account(client, outbox)
    mine, other = bearer(client), bearer(client)
    new = "Inne-Dobre-Haslo-2027"
    change = {"current_password": body["password"], "password": new, "password_confirm": new}
    assert post(client, "/me/password", change, mine).status_code == 204
    assert client.http.get("/me", headers=other).status_code == 401
    assert client.http.get("/me", headers=mine).status_code == 200


def test_cookie_session_needs_csrf_header_on_unsafe_methods(client, outbox, aws_env):
    active_account(client, outbox)
    cookie = {"Cookie": cookie_login(client)}
    assert client.http.get("/me", headers=cookie).status_code == 200  # safe method
    patch = {"consents": {"email_notices": False}}
    refused = client.http.patch(
        "/me", headers={**cookie, "Content-Type": "application/json"}, body='{"consents": {}}'
    )
    assert refused.status_code == 403
    assert refused.json_body["error"]["code"] == "forbidden"
    import json

    allowed = client.http.patch(
        "/me",
        headers={**cookie, "Content-Type": "application/json", "X-IBOK-CSRF": "1"},
        body=json.dumps(patch),
    )
    assert allowed.status_code == 200
    assert client.http.post("/auth/logout", headers=cookie).status_code == 403


def test_bearer_needs_no_csrf_header(client, outbox, aws_env):
    active_account(client, outbox)
    headers = {**bearer(client), "Content-Type": "application/json"}
    assert client.http.patch("/me", headers=headers, body='{"consents": {}}').status_code == 200


def test_garbage_tokens_are_401(client, outbox, aws_env):
    active_account(client, outbox)
    for value in ("Bearer ", "Bearer x", "Bearer " + "a" * 500, "Basic abc"):
        assert client.http.get("/me", headers={"Authorization": value}).status_code == 401
    bad_cookie = {"Cookie": "__Host-ibok_session=nope; other=1"}
    assert client.http.get("/me", headers=bad_cookie).status_code == 401


def test_no_token_or_password_in_logs(client, outbox, aws_env, captured_logs):
    body = active_account(client, outbox)
    credentials = {"login": "100200", "password": PASSWORD, "session": "bearer"}
    response = post(client, "/auth/login", credentials)
    token = response.json_body["token"]
    client.http.get("/me", headers={"Authorization": f"Bearer {token}"})
    post(client, "/auth/password/forgot", {"login": "100200"})
    reset_token = outbox.token_in_last(body["email"])
    new = "Zupelnie-Nowe-Haslo-1"
    post(
        client,
        "/auth/password/reset",
        {"token": reset_token, "password": new, "password_confirm": new},
    )
    logged = captured_logs.getvalue()
    assert logged.count('"message":"request"') >= 4  # the access log did run, as JSON
    for secret in (token, reset_token, PASSWORD, new, body["email"]):
        assert secret not in logged
