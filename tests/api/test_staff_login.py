"""Staff log in with a password and a TOTP code (services/second_factor.py): the session
admits nothing else until the code is given; a wrong, reused or missing code is refused,
failures are throttled; staff sessions end sooner when idle. Customers log in as before."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib import clock
from chalicelib.domain.totp import code_at
from chalicelib.services.staff_accounts import create_staff_account
from chalicelib.settings import get_settings
from tests.api.test_registration import accounts_table_text
from tests.factories import (
    PASSWORD,
    active_account,
    bearer,
    post,
    staff_account,
    staff_bearer,
    totp_code,
)

STAFF_ROUTE = "/integration/readings"  # admits staff and admin


def totp(client, headers, code):
    return post(client, "/auth/login/totp", {"code": code}, headers)


def test_a_staff_login_waits_for_the_code_and_admits_nothing_else(client):
    secret = staff_account()
    login = post(
        client, "/auth/login", {"login": "anna-nowak", "password": PASSWORD, "session": "bearer"}
    )
    assert login.status_code == 200
    assert login.json_body["second_factor"] == "totp"
    assert login.json_body["idle_timeout_minutes"] == 15
    headers = {"Authorization": f"Bearer {login.json_body['token']}"}
    refused = client.http.get(STAFF_ROUTE, headers=headers)
    assert refused.status_code == 401
    assert refused.json_body["error"]["code"] == "second_factor_required"
    given = totp(client, headers, totp_code(secret))
    assert given.status_code == 200
    renewed = {"Authorization": f"Bearer {given.json_body['token']}"}
    assert client.http.get(STAFF_ROUTE, headers=renewed).status_code == 200


def test_the_code_opens_a_new_session_and_the_password_steps_token_ends(client):
    secret = staff_account()
    headers = staff_bearer(client, secret=None)
    given = totp(client, headers, totp_code(secret))
    assert given.status_code == 200
    token = given.json_body["token"]
    assert token and token != headers["Authorization"].removeprefix("Bearer ")
    assert given.json_body["expires_at"]
    assert client.http.get(STAFF_ROUTE, headers=headers).status_code == 401
    assert totp(client, headers, totp_code(secret)).status_code == 401
    renewed = {"Authorization": f"Bearer {token}"}
    assert client.http.get(STAFF_ROUTE, headers=renewed).status_code == 200
    # A renewed session is not waiting for a code: the route is closed to it.
    clock.travel(30)
    assert totp(client, renewed, totp_code(secret)).status_code == 401


def test_a_cookie_session_gets_its_new_token_in_a_new_cookie(client):
    secret = staff_account()
    login = post(
        client, "/auth/login", {"login": "anna-nowak", "password": PASSWORD, "session": "cookie"}
    )
    old = _session_cookie(login.headers)
    cookie = {"Cookie": f"__Host-ibok_session={old}", "X-IBOK-CSRF": "1"}
    given = totp(client, cookie, totp_code(secret))
    assert given.status_code == 200
    assert given.json_body["token"] is None
    new = _session_cookie(given.headers)
    assert new and new != old
    assert "Secure; HttpOnly; SameSite=Strict" in given.headers["Set-Cookie"]
    assert client.http.get(STAFF_ROUTE, headers=cookie).status_code == 401
    fresh = {"Cookie": f"__Host-ibok_session={new}"}
    assert client.http.get(STAFF_ROUTE, headers=fresh).status_code == 200


def _session_cookie(headers) -> str:
    values = headers.get("Set-Cookie")
    values = values if isinstance(values, list) else [values]
    for value in values:
        if value.startswith("__Host-ibok_session="):
            return value.split(";")[0].split("=", 1)[1]
    raise AssertionError(values)


def test_a_wrong_a_missing_and_a_reused_code_are_refused(client):
    secret = staff_account()
    headers = staff_bearer(client, secret=None)
    right = totp_code(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    assert totp(client, headers, wrong).status_code == 400
    assert post(client, "/auth/login/totp", {}, headers).status_code == 400  # missing
    assert totp(client, headers, "").status_code == 400
    assert client.http.get(STAFF_ROUTE, headers=headers).status_code == 401
    assert totp(client, headers, right).status_code == 200
    # The same code again, on another session of the same login: a replay.
    other = staff_bearer(client, secret=None)
    reused = totp(client, other, right)
    assert reused.status_code == 400
    assert reused.json_body["error"]["fields"]["code"]
    assert client.http.get(STAFF_ROUTE, headers=other).status_code == 401
    # An older code (the step before the one used) is a replay too.
    earlier = code_at(secret, clock.now() - timedelta(seconds=30))
    assert totp(client, other, earlier).status_code == 400
    clock.travel(30)  # the next step's code is new
    assert totp(client, other, totp_code(secret)).status_code == 200


def test_code_failures_are_throttled_and_end_the_session(client):
    secret = staff_account()
    headers = staff_bearer(client, secret=None)
    cap = get_settings().login_max_failures_per_login_source
    right = totp_code(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(cap):
        assert totp(client, headers, wrong).status_code == 400
    throttled = totp(client, headers, right)
    assert throttled.status_code == 429 and "Retry-After" in throttled.headers
    assert client.http.get(STAFF_ROUTE, headers=headers).status_code == 401  # session ended
    # Another session of the login waits for the window's end as well.
    assert totp(client, staff_bearer(client, secret=None), right).status_code == 429


def test_staff_sessions_end_sooner_when_idle(client, outbox):
    active_account(client, outbox, "100200")
    secret = staff_account()
    staff = staff_bearer(client, secret=secret)
    customer = bearer(client, "100200")
    clock.travel(16 * 60)
    assert client.http.get(STAFF_ROUTE, headers=staff).status_code == 401
    assert client.http.get("/me", headers=customer).status_code == 200


def test_a_customer_logs_in_as_before(client, outbox):
    active_account(client, outbox, "100200")
    login = post(
        client, "/auth/login", {"login": "100200", "password": PASSWORD, "session": "bearer"}
    )
    assert login.status_code == 200
    assert login.json_body["second_factor"] is None
    assert login.json_body["idle_timeout_minutes"] == 30
    headers = {"Authorization": f"Bearer {login.json_body['token']}"}
    assert client.http.get("/me", headers=headers).status_code == 200
    # The second factor's route is the staff's.
    assert totp(client, headers, "123456").status_code == 403


def test_the_totp_secret_is_shown_once_and_stored_sealed(aws_env):
    created = create_staff_account("ewa-admin", "ewa@wodociagi.example", PASSWORD, "admin")
    assert created.provisioning_uri.startswith("otpauth://totp/IBOK:ewa-admin?secret=")
    secret = created.provisioning_uri.split("secret=")[1].split("&")[0]
    assert created.account.totp_secret and secret not in created.account.totp_secret
    assert secret not in accounts_table_text()


@pytest.mark.parametrize("role", ["integration", "customer", "root"])
def test_a_staff_account_is_staff_or_admin(aws_env, role):
    from chalicelib.domain.errors import InvalidInput

    with pytest.raises(InvalidInput):
        create_staff_account("ola-kowalska", "ola@wodociagi.example", PASSWORD, role)


@pytest.fixture
def from_ip(monkeypatch):
    """Make the next requests come from another source address."""
    from chalice.local import LambdaEventConverter

    def use(ip: str) -> None:
        monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", ip)

    return use


def test_code_failures_are_throttled_per_address_across_logins(client, monkeypatch, from_ip):
    monkeypatch.setenv("LOGIN_MAX_FAILURES_PER_LOGIN_SOURCE", "3")
    monkeypatch.setenv("LOGIN_MAX_FAILURES_PER_SOURCE", "5")
    get_settings.cache_clear()
    first, second = staff_account("anna-nowak"), staff_account("ewa-kowal")
    from_ip("198.51.100.7")
    for login, secret, failures in (("anna-nowak", first, 3), ("ewa-kowal", second, 2)):
        headers = staff_bearer(client, login, secret=None)
        wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"
        for _ in range(failures):
            assert totp(client, headers, wrong).status_code == 400
    # ewa-kowal has 2 of her 3, but the address has used up its 5.
    throttled = totp(client, staff_bearer(client, "ewa-kowal", secret=None), totp_code(second))
    assert throttled.status_code == 429
    from_ip("198.51.100.8")
    headers = staff_bearer(client, "ewa-kowal", secret=None)
    assert totp(client, headers, totp_code(second)).status_code == 200


def fail_codes(client, secret: str, count: int, login: str = "anna-nowak"):
    """`count` wrong codes on `login`, a new session per window (the per-login throttle
    ends a session at its cap and lets codes in again in the next window); the last
    answer."""
    window = get_settings().login_window_seconds
    cap = get_settings().login_max_failures_per_login_source
    answer = None
    for done in range(count):
        if done % cap == 0:
            if done:
                clock.travel(window)
            headers = staff_bearer(client, login, secret=None)
        wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"
        answer = totp(client, headers, wrong)
        if answer.status_code != 400:
            return answer
    clock.travel(window)
    return answer


def test_a_right_code_starts_the_run_of_failures_afresh(client):
    from chalicelib.storage.accounts import get_account

    secret = staff_account()
    fail_codes(client, secret, 3)
    assert get_account("anna-nowak").totp_failures == 3
    staff_bearer(client, secret=secret)
    assert get_account("anna-nowak").totp_failures == 0


def test_a_hundred_failed_codes_in_a_row_lock_the_second_factor_until_a_reset(client):
    from urllib.parse import parse_qs, urlparse

    from chalicelib.services import audit
    from chalicelib.services.second_factor import MAX_CONSECUTIVE_FAILURES
    from chalicelib.services.staff_accounts import reset_totp

    assert MAX_CONSECUTIVE_FAILURES == 100
    secret = staff_account()
    assert fail_codes(client, secret, MAX_CONSECUTIVE_FAILURES - 1).status_code == 400
    headers = staff_bearer(client, secret=None)
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"
    locked = totp(client, headers, wrong)  # the 100th
    assert locked.status_code == 403
    assert locked.json_body["error"]["code"] == "second_factor_locked"
    assert "administrator" in locked.json_body["error"]["message"]
    assert client.http.get(STAFF_ROUTE, headers=headers).status_code == 401  # session ended
    # Even the right code is refused now, in a new window and a new session.
    clock.travel(get_settings().login_window_seconds)
    again = totp(client, staff_bearer(client, secret=None), totp_code(secret))
    assert again.status_code == 403
    (entry,) = [
        e for e in audit.entries_about("staff:anna-nowak").items if e.action == "staff.totp_locked"
    ]
    assert entry.after == {"login": "anna-nowak", "failed_codes": 100}
    # The operator's reset (`make staff-totp-reset`): a new secret, the old one ends.
    uri = reset_totp("anna-nowak")
    fresh = parse_qs(urlparse(uri).query)["secret"][0]
    assert fresh != secret
    assert any(
        e.action == "staff.totp_reset" for e in audit.entries_about("staff:anna-nowak").items
    )
    clock.travel(30)
    old = totp(client, staff_bearer(client, secret=None), totp_code(secret))
    assert old.status_code == 400
    assert (
        client.http.get(STAFF_ROUTE, headers=staff_bearer(client, secret=fresh)).status_code == 200
    )


def test_only_a_staff_account_gets_a_new_secret(client, outbox):
    from chalicelib.domain.errors import NotFound
    from chalicelib.services.staff_accounts import reset_totp

    active_account(client, outbox, "100200")
    with pytest.raises(NotFound):
        reset_totp("100200")
    with pytest.raises(NotFound):
        reset_totp("nie-ma-takiego")
