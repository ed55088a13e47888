"""The password policy at registration, reset and change."""

from __future__ import annotations

import time

import pytest

from chalicelib import aws
from chalicelib.adapters import secrets
from chalicelib.settings import get_settings
from tests.factories import (
    PASSWORD,
    active_account,
    bearer,
    post,
    register_body,
    seed_customer,
)


@pytest.fixture
def seeded(aws_env):
    seed_customer("100200")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("krotkie1!", "co najmniej 12"),
        ("password1234", "popularne"),
        ("qwertyuiop123", "popularne"),
        ("jan.100200@example.pl", "login"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(client, outbox, seeded, password, reason):
    body = register_body(password=password, password_confirm=password)
    response = post(client, "/auth/register", body)
    assert response.status_code == 400
    assert reason in response.json_body["error"]["fields"]["password"]


def test_password_equal_to_login_is_refused(client, outbox, monkeypatch, aws_env):
    seed_customer("1002003004005")
    body = register_body(
        "1002003004005", password="1002003004005", password_confirm="1002003004005"
    )
    response = post(client, "/auth/register", body)
    assert response.status_code == 400
    assert "login" in response.json_body["error"]["fields"]["password"]


@pytest.mark.parametrize(
    "password",
    [
        "a" * 40 + "Zb9" + "c" * 57,  # 100 characters
        "Wodociągi 💧🚰 działają świetnie!",  # emoji and Polish letters
    ],
)
def test_long_and_unicode_passwords_work_and_are_not_truncated(client, outbox, seeded, password):
    body = register_body(password=password, password_confirm=password)
    assert post(client, "/auth/register", body).status_code == 201
    token = outbox.token_in_last(body["email"])
    post(client, "/auth/activate", {"token": token})
    assert post(client, "/auth/login", {"login": "100200", "password": password}).status_code == 200
    near_misses = {password[:-1], password + "x", password[:72]} - {password}
    for near in near_misses:
        response = post(client, "/auth/login", {"login": "100200", "password": near})
        assert response.status_code == 401


def test_password_is_rehashed_when_cost_rises(client, outbox, aws_env, monkeypatch):
    active_account(client, outbox)
    from chalicelib.settings import get_settings
    from chalicelib.storage.accounts import get_account

    assert get_account("100200").password_hash.startswith("$2b$04$")
    monkeypatch.setenv("BCRYPT_COST", "5")
    get_settings.cache_clear()
    bearer(client)
    assert get_account("100200").password_hash.startswith("$2b$05$")
    bearer(client)  # the new hash verifies


def test_change_password_needs_the_current_one(client, outbox, aws_env):
    body = active_account(client, outbox)
    headers = bearer(client)
    new = "Nowe-Haslo-Do-Wody-77"
    wrong = post(
        client,
        "/me/password",
        {"current_password": "zle-haslo-123456", "password": new, "password_confirm": new},
        headers,
    )
    assert wrong.status_code == 400
    assert "current_password" in wrong.json_body["error"]["fields"]
    ok = post(
        client,
        "/me/password",
        {"current_password": body["password"], "password": new, "password_confirm": new},
        headers,
    )
    assert ok.status_code == 204
    assert post(client, "/auth/login", {"login": "100200", "password": new}).status_code == 200
    old = post(client, "/auth/login", {"login": "100200", "password": body["password"]})
    assert old.status_code == 401
    assert outbox.last_to(body["email"])["template"] == "password_changed"


def test_pepper_is_read_from_ssm_once_per_container_and_is_part_of_the_hash(
    client, outbox, aws_env
):
    active_account(client, outbox)
    name = get_settings().pepper_parameter
    ssm = aws.client("ssm")
    original = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    reads = []
    ssm.meta.events.register(
        "before-parameter-build.ssm.GetParameter",
        lambda params, **_: reads.append(params["Name"]),
        unique_id="pepper-reads",
    )
    try:
        secrets.reset()  # a new container
        login = {"login": "100200", "password": PASSWORD}
        assert post(client, "/auth/login", login).status_code == 200
        assert post(client, "/auth/login", login).status_code == 200
        assert reads == [name]  # two logins, one read

        ssm.put_parameter(Name=name, Value="inny-pieprz", Type="SecureString", Overwrite=True)
        assert post(client, "/auth/login", login).status_code == 200  # still the cached one
        secrets.reset()
        assert post(client, "/auth/login", login).status_code == 401  # the hash needs the pepper
        assert reads == [name, name]

        ssm.put_parameter(Name=name, Value=original, Type="SecureString", Overwrite=True)
        secrets.reset()
        assert post(client, "/auth/login", login).status_code == 200
    finally:
        ssm.meta.events.unregister(
            "before-parameter-build.ssm.GetParameter", unique_id="pepper-reads"
        )


def test_a_rotated_pepper_reaches_a_running_container_after_max_age(
    client, outbox, aws_env, monkeypatch
):
    monkeypatch.setattr(secrets, "SECRETS_MAX_AGE", 1)
    active_account(client, outbox)
    name = get_settings().pepper_parameter
    ssm = aws.client("ssm")
    original = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    login = {"login": "100200", "password": PASSWORD}
    assert post(client, "/auth/login", login).status_code == 200
    try:
        ssm.put_parameter(Name=name, Value="inny-pieprz", Type="SecureString", Overwrite=True)
        assert post(client, "/auth/login", login).status_code == 200  # still the cached one
        time.sleep(1.1)
        assert post(client, "/auth/login", login).status_code == 401  # no new container needed
    finally:
        ssm.put_parameter(Name=name, Value=original, Type="SecureString", Overwrite=True)
    time.sleep(1.1)
    assert post(client, "/auth/login", login).status_code == 200


def test_a_failed_refresh_of_the_pepper_keeps_the_cached_one(
    client, outbox, aws_env, monkeypatch, captured_logs
):
    # Before max_age, a secret was read once per container and SSM was never asked again;
    # a refresh that fails (throttling, an outage) must not turn every login into a 500.
    from botocore.exceptions import ClientError

    monkeypatch.setattr(secrets, "SECRETS_MAX_AGE", 1)
    active_account(client, outbox)
    login = {"login": "100200", "password": PASSWORD}
    assert post(client, "/auth/login", login).status_code == 200

    def refuse(**_):
        raise ClientError(
            {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}},
            "GetParameter",
        )

    ssm = aws.client("ssm")
    ssm.meta.events.register(
        "before-parameter-build.ssm.GetParameter", refuse, unique_id="ssm-down"
    )
    try:
        time.sleep(1.1)
        assert post(client, "/auth/login", login).status_code == 200
        assert "cached value kept" in captured_logs.getvalue()
        secrets.reset()  # a new container has nothing to fall back on
        assert post(client, "/auth/login", login).status_code == 500
    finally:
        ssm.meta.events.unregister("before-parameter-build.ssm.GetParameter", unique_id="ssm-down")
    assert post(client, "/auth/login", login).status_code == 200
