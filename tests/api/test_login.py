"""POST /auth/login: uniform failures, throttling, login history."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from chalice.local import LambdaEventConverter

from chalicelib import clock
from chalicelib.settings import get_settings
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


def cookie_attributes(cookie: str) -> set[str]:
    return {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}


def test_login_sets_a_host_session_cookie_and_a_device_cookie(client, outbox, aws_env):
    active_account(client, outbox)
    response = login(client)
    assert response.status_code == 200
    session, device = response.headers["Set-Cookie"]
    for cookie, name in ((session, "__Host-ibok_session"), (device, "__Host-ibok_device")):
        assert cookie.partition("=")[0] == name
        attributes = cookie_attributes(cookie)
        assert {"path", "secure", "httponly", "samesite", "max-age"} <= attributes
        assert "SameSite=Strict" in cookie and "Path=/;" in cookie
        assert "domain" not in attributes
    assert "Max-Age=15552000" in device  # DEVICE_TRUST_DAYS, 180 days
    assert response.json_body["token"] is None
    assert response.json_body["device_token"] is None


def test_throttle_after_failures_per_login_and_source_then_lifts(
    client, outbox, aws_env, window_start, from_ip
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


def test_source_is_throttled_across_logins(client, outbox, aws_env, window_start, from_ip):
    active_account(client, outbox)
    from_ip("198.51.100.7")
    for number in range(8):
        login(client, f"90000{number}", "Zle-Haslo-123456")
    assert login(client).status_code == 429
    from_ip("198.51.100.8")
    assert login(client).status_code == 200


def test_distributed_attack_only_slows_the_victim_briefly(
    client, outbox, aws_env, window_start, from_ip
):
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


def test_every_attempt_is_recorded(client, outbox, aws_env, window_start, from_ip):
    active_account(client, outbox)
    from_ip("203.0.113.9")
    login(client, password="Zle-Haslo-123456")
    headers = bearer(client)
    response = client.http.get("/me/logins", headers=headers)
    assert response.status_code == 200
    results = [item["result"] for item in response.json_body["items"]]
    assert results[:2] == ["success", "failure"]
    assert response.json_body["items"][0]["ip"] == "203.0.113.9"


def bearer_login(client, password=PASSWORD, device_token=None):
    body = {"login": "100200", "password": password, "session": "bearer"}
    if device_token is not None:
        body["device_token"] = device_token
    return post(client, "/auth/login", body)


@pytest.fixture
def window_start(limits):
    """Start the test at the beginning of a throttle window (LOGIN_WINDOW_SECONDS, 900 s), so
    that a window boundary never falls inside it whatever the wall clock says."""
    now = int(clock.now().timestamp())
    clock.travel_to(datetime.fromtimestamp(now - now % 900 + 900, UTC))


def keep_slowing_down(client, from_ip, rounds: int, start: int = 0) -> None:
    """A distributed guesser: a new address each time, one failure whenever the login's
    slowdown has just ended, so an unknown device always finds the login slowed down."""
    for attempt in range(start, start + rounds):
        from_ip(f"192.0.2.{attempt % 250}")
        login(client, password="Zle-Haslo-123456")
        clock.travel(30)


def test_a_known_device_is_never_slowed_down_by_a_sustained_distributed_attack(
    client, outbox, aws_env, window_start, from_ip
):
    active_account(client, outbox)
    from_ip("203.0.113.200")  # the customer's browser at home
    device_token = bearer_login(client).json_body["device_token"]
    assert len(device_token) > 40
    keep_slowing_down(client, from_ip, rounds=12)  # six minutes of guessing, still going
    for minute in range(3):
        from_ip("192.0.2.251")
        login(client, password="Zle-Haslo-123456")  # the login is slowed down again...
        from_ip("198.51.100.77")
        stranger = bearer_login(client)
        assert stranger.status_code == 429, minute  # ...for an unknown device
        from_ip("203.0.113.200")
        known = bearer_login(client, device_token=device_token)
        assert known.status_code == 200, minute  # but not for the customer's own
        device_token = known.json_body["device_token"]
        clock.travel(60)


def test_the_device_cookie_works_like_the_device_token(
    client, outbox, aws_env, window_start, from_ip
):
    active_account(client, outbox)
    from_ip("203.0.113.200")
    device_cookie = login(client).headers["Set-Cookie"][1].split(";")[0]
    keep_slowing_down(client, from_ip, rounds=8)
    login(client, password="Zle-Haslo-123456")
    from_ip("203.0.113.200")
    assert login(client).status_code == 429  # no cookie: an unknown device
    with_cookie = client.http.post(
        "/auth/login",
        headers={"Content-Type": "application/json", "Cookie": device_cookie},
        body=json.dumps({"login": "100200", "password": PASSWORD}),
    )
    assert with_cookie.status_code == 200


def test_a_device_token_counts_only_for_its_own_login_and_term(
    client, outbox, aws_env, window_start, from_ip, monkeypatch
):
    active_account(client, outbox)
    active_account(client, outbox, "100201")
    from_ip("203.0.113.200")
    own = bearer_login(client).json_body["device_token"]
    other = post(
        client, "/auth/login", {"login": "100201", "password": PASSWORD, "session": "bearer"}
    ).json_body["device_token"]
    nonce, day, signature = own.split(".")
    forged = [
        other,  # another login's device
        f"{nonce}.{int(day) + 1}.{signature}",  # a changed day
        f"{nonce}x.{day}.{signature}",  # a changed nonce
        "garbage",
    ]
    keep_slowing_down(client, from_ip, rounds=8)
    for token in forged:
        login(client, password="Zle-Haslo-123456")
        from_ip("203.0.113.200")
        assert bearer_login(client, device_token=token).status_code == 429, token
    monkeypatch.setenv("DEVICE_TRUST_DAYS", "30")
    from chalicelib.settings import get_settings

    get_settings.cache_clear()
    clock.travel(31 * 86400)  # the device was last seen too long ago
    keep_slowing_down(client, from_ip, rounds=8, start=100)
    login(client, password="Zle-Haslo-123456")
    from_ip("203.0.113.200")
    assert bearer_login(client, device_token=own).status_code == 429


def test_a_stolen_device_token_is_blocked_after_its_own_failures(
    client, outbox, aws_env, window_start, from_ip
):
    active_account(client, outbox)
    from_ip("203.0.113.200")
    stolen = bearer_login(client).json_body["device_token"]
    for attacker in range(3):  # LOGIN_MAX_FAILURES_PER_LOGIN_SOURCE, from any address
        from_ip(f"192.0.2.{attacker}")
        assert bearer_login(client, "Zle-Haslo-123456", stolen).status_code == 401
    from_ip("192.0.2.99")
    blocked = bearer_login(client, "Zle-Haslo-123456", stolen)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 30  # to the end of the window, not a slowdown


def test_throttled_attempts_are_recorded_with_the_user_agent(
    client, outbox, aws_env, window_start, from_ip
):
    active_account(client, outbox)
    from_ip("203.0.113.9")
    agent = {"Content-Type": "application/json", "User-Agent": "Przegladarka/1.0"}
    body = json.dumps({"login": "100200", "password": "Zle-Haslo-123456"})
    for _ in range(4):
        client.http.post("/auth/login", headers=agent, body=body)
    clock.travel(901)
    response = client.http.get("/me/logins", headers=bearer(client))
    items = response.json_body["items"]
    assert [item["result"] for item in items[:5]] == [
        "success",
        "throttled",
        "failure",
        "failure",
        "failure",
    ]
    assert {item["user_agent"] for item in items[1:5]} == {"Przegladarka/1.0"}
    assert all(item["ip"] == "203.0.113.9" for item in items[:5])


def test_every_failure_costs_one_bcrypt_check_of_the_configured_cost(
    client, outbox, aws_env, monkeypatch
):
    """Similar time, also while hashes are being upgraded after BCRYPT_COST rose: an
    unknown login, a wrong password on an upgraded or an old hash, and an inactive account
    with an old hash each do the bcrypt work of one check at the configured cost (counted
    as 2^cost per check, which is how bcrypt's work grows), and none makes a hash."""
    import bcrypt

    from chalicelib.domain import passwords

    active_account(client, outbox, "100200")  # hashed at cost 4 (conftest's BCRYPT_COST)
    active_account(client, outbox, "100201")
    seed_customer("100300")
    post(client, "/auth/register", register_body("100300"))  # pending: never activated
    monkeypatch.setenv("BCRYPT_COST", "6")
    get_settings.cache_clear()
    assert login(client, "100201").status_code == 200  # upgraded to cost 6 on this login
    passwords.dummy_hash.cache_clear()  # a new container: its first failures count too
    checks: list[int] = []
    hashes: list[bytes] = []
    real_check, real_hash = bcrypt.checkpw, bcrypt.hashpw

    def check(password: bytes, stored: bytes) -> bool:
        checks.append(2 ** int(stored.split(b"$")[2]))
        return real_check(password, stored)

    def make(password: bytes, salt: bytes) -> bytes:
        hashes.append(salt)
        return real_hash(password, salt)

    monkeypatch.setattr(passwords.bcrypt, "checkpw", check)
    monkeypatch.setattr(passwords.bcrypt, "hashpw", make)
    for login_name, password in (
        ("999999", PASSWORD),  # unknown
        ("100201", "Zle-Haslo-123456"),  # wrong password, upgraded hash
        ("100200", "Zle-Haslo-123456"),  # wrong password, old hash
        ("100300", PASSWORD),  # pending, right password, old hash
        ("100300", "Zle-Haslo-123456"),  # pending, wrong password, old hash
    ):
        checks.clear()
        assert login(client, login_name, password).status_code == 401
        assert sum(checks) == 2**6, (login_name, password, checks)
    assert hashes == []


def burst(monkeypatch, sources: list[str]) -> tuple[int, list[str]]:
    """Guesses at once, one per source; how many reached the password check (held there
    as a slow bcrypt would hold them), and how each ended."""
    import threading

    from chalicelib.domain import passwords
    from chalicelib.domain.errors import LoginFailed, Throttled
    from chalicelib.services import sessions

    # Each AWS call runs alone (the `serial_moto` fixture); the threads still interleave
    # between calls, where the old read-then-count race lived.
    real_verify = passwords.verify_password
    checking, go_on = [], threading.Event()

    def verify(*args):
        checking.append(1)
        go_on.wait(timeout=5)
        return real_verify(*args)

    monkeypatch.setattr(passwords, "verify_password", verify)
    outcomes: list[str] = []

    def guess(number: int, source: str) -> None:
        try:
            sessions.login("100200", f"Zle-Haslo-{number:06d}", source, "bot")
        except (LoginFailed, Throttled) as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=guess, args=pair) for pair in enumerate(sources)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while len(outcomes) + len(checking) < len(sources) and time.monotonic() < deadline:
        time.sleep(0.01)
    held = len(checking)
    go_on.set()
    for thread in threads:
        thread.join(timeout=10)
    monkeypatch.undo()
    return held, sorted(outcomes)


def test_concurrent_guesses_cannot_all_pass_on_the_same_counts(
    client, outbox, serial_moto, window_start
):
    """Ten guesses at once from one address: only as many passwords are checked as the
    login+source limit (3) allows; the rest are 429 before any bcrypt work."""
    active_account(client, outbox)
    with pytest.MonkeyPatch.context() as patch:
        held, outcomes = burst(patch, ["203.0.113.66"] * 10)
    assert held == 3
    assert outcomes == ["LoginFailed"] * 3 + ["Throttled"] * 7


def test_a_distributed_burst_gets_one_guess_per_slowdown(client, outbox, serial_moto, window_start):
    """Once the login is slowed down (5 failures), a burst from ten addresses at once gets
    one guess, not ten; the next one only after LOGIN_SLOWDOWN_SECONDS."""
    active_account(client, outbox)
    with pytest.MonkeyPatch.context() as patch:
        assert burst(patch, [f"192.0.2.{n}" for n in range(5)])[0] == 5
    clock.travel(30)
    with pytest.MonkeyPatch.context() as patch:
        held, outcomes = burst(patch, [f"198.51.100.{n}" for n in range(10)])
    assert held == 1
    assert outcomes == ["LoginFailed"] + ["Throttled"] * 9


def test_a_known_device_gets_in_behind_an_address_an_attacker_has_exhausted(
    client, outbox, aws_env, window_start, from_ip
):
    """Behind one NAT address with an attacker: the attacker uses up the per-source and the
    login+source limits, the customer's known device still gets in with the password."""
    active_account(client, outbox)
    shared = "203.0.113.50"
    from_ip(shared)
    device_token = bearer_login(client).json_body["device_token"]
    for _ in range(3):  # LOGIN_MAX_FAILURES_PER_LOGIN_SOURCE on the customer's login
        assert login(client, password="Zle-Haslo-123456").status_code == 401
    for number in range(5):  # the rest of LOGIN_MAX_FAILURES_PER_SOURCE on other logins
        login(client, f"90000{number}", "Zle-Haslo-123456")
    assert login(client).status_code == 429  # the address is blocked for unknown devices
    assert login(client, "100201").status_code == 429
    assert bearer_login(client, device_token=device_token).status_code == 200


def test_a_stolen_device_token_is_capped_also_from_the_customers_address(
    client, outbox, aws_env, window_start, from_ip
):
    """The device's own failures still block it (LOGIN_MAX_FAILURES_PER_LOGIN_SOURCE), and
    its failures do not count against the address, so they cannot block anyone else."""
    active_account(client, outbox)
    from_ip("203.0.113.50")
    stolen = bearer_login(client).json_body["device_token"]
    for _ in range(3):
        assert bearer_login(client, "Zle-Haslo-123456", stolen).status_code == 401
    assert bearer_login(client, PASSWORD, stolen).status_code == 429
    assert bearer_login(client).status_code == 200  # without the token: a fresh pair


def test_a_rehash_never_writes_an_old_password_back_over_a_new_one(client, outbox, aws_env):
    """A login that checked the old password and rehashes it at a higher cost, racing a
    password change: the rehash is conditional on the hash it checked, so the change wins."""
    from chalicelib.storage import accounts as store

    active_account(client, outbox, "100200")
    checked = store.get_account("100200").password_hash
    store.set_password("100200", "$2b$04$changedmeanwhile" + "x" * 37, clock.now())
    assert store.rehash_password("100200", checked, "$2b$06$rehashedoldpassword") is False
    assert store.get_account("100200").password_hash.startswith("$2b$04$changedmeanwhile")
    current = store.get_account("100200").password_hash
    assert store.rehash_password("100200", current, "$2b$06$rehashed") is True
    assert store.get_account("100200").password_hash == "$2b$06$rehashed"
