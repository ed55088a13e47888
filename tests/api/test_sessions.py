"""Sessions: storage, timeouts, revocation, cookie + CSRF, secrets kept out of logs."""

from __future__ import annotations

import hashlib
import html
import io
import json
import logging
import re
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from chalicelib import clock
from chalicelib.logs import logger as app_logger
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
    allowed = client.http.patch(
        "/me",
        headers={**cookie, "Content-Type": "application/json", "X-IBOK-CSRF": "1"},
        body=json.dumps(patch),
    )
    assert allowed.status_code == 200
    assert client.http.post("/auth/logout", headers=cookie).status_code == 403


@pytest.mark.parametrize(
    ("value", "says"),
    [(None, "Brak nagłówka X-IBOK-CSRF"), ("0", "nieprawidłową wartość"), ("", "nieprawidłową")],
)
def test_a_refused_csrf_header_is_told_what_is_wrong(client, outbox, aws_env, value, says):
    active_account(client, outbox)
    headers = {"Cookie": cookie_login(client), "Content-Type": "application/json"}
    if value is not None:
        headers["X-IBOK-CSRF"] = value
    refused = client.http.patch("/me", headers=headers, body='{"consents": {}}')
    assert refused.status_code == 403
    message = refused.json_body["error"]["message"]
    assert says in message
    if value is not None:
        assert "Brak" not in message  # it was sent, only wrong


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


@pytest.fixture
def every_log():
    """What any logger writes at INFO and above: the root logger (botocore, PynamoDB, the
    Powertools logger, which propagates) and every logger that does not propagate to it
    (Chalice's app logger). DEBUG stays off: botocore then logs raw request parameters,
    e-mail bodies included, by design, which is why no stage runs it at DEBUG."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.INFO)
    handler.setFormatter(app_logger.registered_formatter)  # JSON with every extra field
    root = logging.getLogger()
    loggers = [root] + [
        item
        for item in logging.Logger.manager.loggerDict.values()
        if isinstance(item, logging.Logger) and not item.propagate
    ]
    old_level = root.level
    root.setLevel(logging.INFO)
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield stream
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
        root.setLevel(old_level)


def cookie_value(cookie: str) -> str:
    return cookie.split("=", 1)[1]


def test_no_token_or_password_in_logs(
    client, outbox, aws_env, captured_logs, every_log, drain_queues
):
    body = active_account(client, outbox)
    activation_token = outbox.token_in_last(body["email"])
    credentials = {"login": "100200", "password": PASSWORD, "session": "bearer"}
    response = post(client, "/auth/login", credentials)
    token = response.json_body["token"]
    device_token = response.json_body.get("device_token")
    headers = {"Authorization": f"Bearer {token}"}
    client.http.get("/me", headers=headers)
    cookie = cookie_login(client)
    assert client.http.get("/me", headers={"Cookie": cookie}).status_code == 200
    new_email = "nowy.adres@example.pl"
    changed = client.http.patch(
        "/me",
        headers={**headers, "Content-Type": "application/json"},
        body=json.dumps({"email": new_email, "current_password": PASSWORD}),
    )
    assert changed.status_code == 200
    email_token = outbox.token_in_last(new_email)
    assert post(client, "/auth/email/confirm", {"token": email_token}).status_code == 200
    post(client, "/auth/password/forgot", {"login": "100200"})
    drain_queues()  # the reset e-mail is sent by the queue's consumer
    reset_token = outbox.token_in_last(new_email)
    new = "Zupelnie-Nowe-Haslo-1"
    reset = post(
        client,
        "/auth/password/reset",
        {"token": reset_token, "password": new, "password_confirm": new},
    )
    assert reset.status_code == 200
    logged = captured_logs.getvalue()
    assert logged.count('"message":"request"') >= 8  # the access log did run, as JSON
    everything = every_log.getvalue()
    assert everything.count('"message":"request"') >= 8  # the root capture saw it too
    secrets = [
        token,
        cookie_value(cookie),
        activation_token,
        email_token,
        reset_token,
        PASSWORD,
        new,
        body["email"],
        new_email,
    ]
    secrets += [device_token] if device_token else []
    assert len(set(secrets)) == len(secrets)
    for secret in secrets:
        assert secret not in logged
        assert secret not in everything


def urls_in(message):
    for part in (message["text"], message["html"]):
        for url in re.findall(r"https?://[^\s\"'<>]+", part):
            yield html.unescape(url)


def test_one_time_tokens_travel_only_in_the_link_fragment(client, outbox, aws_env, drain_queues):
    body = active_account(client, outbox)
    tokens = [outbox.token_in_last(body["email"])]
    headers = {**bearer(client), "Content-Type": "application/json"}
    change = json.dumps({"email": "nowy.adres@example.pl", "current_password": PASSWORD})
    patch = client.http.patch("/me", headers=headers, body=change)
    assert patch.status_code == 200
    tokens.append(outbox.token_in_last("nowy.adres@example.pl"))
    post(client, "/auth/password/forgot", {"login": "100200"})
    drain_queues()  # the reset e-mail is sent by the queue's consumer
    tokens.append(outbox.token_in_last(body["email"]))
    messages = outbox.messages()
    assert len(messages) >= 4  # activation, e-mail change + notice to the old address, reset
    carried = set()
    for message in messages:
        assert "?token=" not in message["text"] + message["html"]
        assert "&token=" not in message["text"] + message["html"]
        for url in urls_in(message):
            address, _, fragment = url.partition("#")
            parts = urlsplit(address)
            assert "token" not in parse_qs(parts.query), url
            for token in tokens:
                assert token not in address, url  # never in the path or query
            if fragment.startswith("token="):
                carried.add(fragment.removeprefix("token="))
    assert set(tokens) <= carried


def test_no_openapi_parameter_carries_a_token_in_the_url(client):
    document = client.http.get("/openapi.json").json_body
    checked = 0
    for path, item in document["paths"].items():
        assert "token" not in path.lower(), path
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("query", "path"):
                    name = parameter["name"].lower()
                    assert "token" not in name and "password" not in name, (path, name)
                    checked += 1
    assert checked >= 10
