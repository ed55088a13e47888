"""POST /auth/register and /auth/activate."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from botocore.client import BaseClient
from chalice.local import LambdaEventConverter

from chalicelib import aws, clock
from chalicelib.domain.tokens import token_hash
from chalicelib.settings import get_settings
from tests.factories import PASSWORD, post, register_body, seed_customer


@pytest.fixture
def seeded(aws_env):
    seed_customer("100200", "FV/2026/10/0001", "123.45")


def test_right_facts_create_pending_account_and_send_activation(client, outbox, seeded):
    response = post(client, "/auth/register", register_body())
    assert response.status_code == 201
    assert response.json_body["login"] == "100200"
    message = outbox.last_to("jan.100200@example.pl")
    assert "100200" in message["text"]
    assert "#token=" in message["text"] and "#token=" in message["html"]
    assert message["subject"] == "Aktywuj konto w IBOK"


@pytest.mark.parametrize("gross", ["123.45", "123,45", " 123,45 "])
def test_gross_accepts_comma_and_dot(client, outbox, seeded, gross):
    assert post(client, "/auth/register", register_body(invoice_gross=gross)).status_code == 201


@pytest.mark.parametrize(
    "wrong",
    [
        {"customer_number": "100201"},
        {"invoice_number": "FV/2026/10/0002"},
        {"invoice_gross": "123.44"},
        {"invoice_gross": "123.450"},
        {"invoice_gross": "1234.5"},
    ],
)
def test_each_wrong_fact_gives_the_same_400(client, outbox, seeded, wrong):
    reference = post(client, "/auth/register", register_body(customer_number="999999"))
    response = post(client, "/auth/register", register_body(**wrong))
    assert response.status_code == 400
    if wrong.get("invoice_gross") == "123.450":  # three decimals: a format error on the field
        assert "invoice_gross" in response.json_body["error"]["fields"]
        return
    assert response.body == reference.body
    assert response.json_body["error"]["fields"] == {}
    assert outbox.messages() == []


def test_duplicate_registration_is_409(client, outbox, seeded):
    assert post(client, "/auth/register", register_body()).status_code == 201
    again = post(client, "/auth/register", register_body(email="inny@example.pl"))
    assert again.status_code == 409
    assert again.json_body["error"]["code"] == "conflict"


def test_expired_unactivated_registration_can_be_made_again(client, outbox, seeded):
    assert post(client, "/auth/register", register_body()).status_code == 201
    clock.travel(8 * 86400)
    assert post(client, "/auth/register", register_body()).status_code == 201


def test_cannot_log_in_before_activation(client, outbox, seeded):
    post(client, "/auth/register", register_body())
    response = post(client, "/auth/login", {"login": "100200", "password": PASSWORD})
    assert response.status_code == 401


def test_activation_token_works_once(client, outbox, seeded):
    post(client, "/auth/register", register_body())
    token = outbox.token_in_last("jan.100200@example.pl")
    assert len(token) >= 22  # >= 128 bits of base64url
    assert post(client, "/auth/activate", {"token": token}).status_code == 200
    replay = post(client, "/auth/activate", {"token": token})
    assert replay.status_code == 400
    assert post(client, "/auth/login", {"login": "100200", "password": PASSWORD}).status_code == 200


def test_activation_token_expires(client, outbox, seeded):
    post(client, "/auth/register", register_body())
    token = outbox.token_in_last("jan.100200@example.pl")
    clock.travel(7 * 86400 + 60)
    assert post(client, "/auth/activate", {"token": token}).status_code == 400
    assert post(client, "/auth/login", {"login": "100200", "password": PASSWORD}).status_code == 401


def test_unknown_activation_token(client, outbox, seeded):
    response = post(client, "/auth/activate", {"token": "x" * 32})
    assert response.status_code == 400
    assert response.json_body["error"]["message"]


def test_terms_must_be_the_current_version(client, outbox, seeded):
    response = post(client, "/auth/register", register_body(accept_terms="2020-01-01"))
    assert response.status_code == 400
    assert "accept_terms" in response.json_body["error"]["fields"]


def test_passwords_must_match(client, outbox, seeded):
    response = post(client, "/auth/register", register_body(password_confirm=PASSWORD + "x"))
    assert response.status_code == 400
    assert "identyczne" in response.json_body["error"]["fields"]["_"]


@pytest.mark.parametrize(
    ("phone", "ok"),
    [("601 234 567", True), ("+48 601 234 567", True), ("+4915112345678", True), ("12", False)],
)
def test_phone_is_validated(client, outbox, seeded, phone, ok):
    response = post(client, "/auth/register", register_body(phone=phone))
    assert (response.status_code == 201) is ok
    if not ok:
        assert "phone" in response.json_body["error"]["fields"]


def test_sms_consent_needs_phone(client, outbox, seeded):
    body = register_body(phone=None, consents={"sms_notices": True})
    assert post(client, "/auth/register", body).status_code == 400


def test_consents_recorded_with_version_time_and_source(client, outbox, seeded):
    post(client, "/auth/register", register_body())
    from chalicelib.storage.accounts import get_account

    account = get_account("100200")
    kinds = {c.kind: c for c in account.consents}
    assert kinds["email_notices"].granted is True
    assert kinds["sms_notices"].granted is False
    assert kinds["email_notices"].text_version
    assert kinds["email_notices"].source == "registration"
    assert account.pending_until is not None and account.expires_at is not None


def test_registration_is_throttled_per_source(client, outbox, seeded, monkeypatch):
    monkeypatch.setenv("REGISTER_MAX_PER_SOURCE", "3")
    get_settings.cache_clear()
    for _ in range(3):
        post(client, "/auth/register", register_body(customer_number="999999"))
    response = post(client, "/auth/register", register_body())
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


def accounts_table_text() -> str:
    """Every item of the accounts table as text (a Scan is fine in a test)."""
    ddb = aws.client("dynamodb")
    items, start = [], None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        page = ddb.scan(TableName=get_settings().accounts_table, **extra)
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return json.dumps(items)


def test_activation_token_is_stored_only_hashed(client, outbox, seeded):
    assert post(client, "/auth/register", register_body()).status_code == 201
    token = outbox.token_in_last("jan.100200@example.pl")
    stored = accounts_table_text()
    assert token not in stored
    assert token_hash(token) in stored


@pytest.fixture
def one_day_activation(monkeypatch):
    monkeypatch.setenv("ACTIVATION_DAYS", "1")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("ACTIVATION_DAYS")
    get_settings.cache_clear()


def test_activation_expiry_is_configurable(client, outbox, seeded, one_day_activation):
    seed_customer("100300")
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    registered = post(client, "/auth/register", register_body())
    assert registered.status_code == 201
    expires = datetime.fromisoformat(registered.json_body["activation_expires_at"])
    assert abs(expires - clock.now() - timedelta(days=1)) < timedelta(minutes=1)
    assert post(client, "/auth/register", register_body("100300")).status_code == 201
    early = outbox.token_in_last("jan.100200@example.pl")
    late = outbox.token_in_last("jan.100300@example.pl")
    clock.travel(23 * 3600)  # within the day: the link works
    assert post(client, "/auth/activate", {"token": early}).status_code == 200
    clock.travel(3600 + 60)  # a day and a minute: it has expired (the default would be 7)
    assert post(client, "/auth/activate", {"token": late}).status_code == 400
    assert post(client, "/auth/login", {"login": "100300", "password": PASSWORD}).status_code == 401


@pytest.fixture
def from_ip(monkeypatch):
    """Make the next requests come from another source address."""

    def use(ip: str) -> None:
        monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", ip)

    return use


def test_failed_proofs_are_limited_per_customer_whatever_the_source(
    client, outbox, seeded, from_ip
):
    """The gross amount is the one secret: after 5 failed proofs for a customer number in a
    day (REGISTER_MAX_FAILED_PROOFS_PER_CUSTOMER), even a right proof from a fresh address
    waits for the next day; other customer numbers are not affected."""
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    for guess in range(5):
        from_ip(f"192.0.2.{guess}")
        wrong = post(client, "/auth/register", register_body(invoice_gross=f"{guess + 1}.00"))
        assert wrong.status_code == 400
    from_ip("198.51.100.1")
    locked = post(client, "/auth/register", register_body())
    assert locked.status_code == 429
    assert locked.json_body["error"]["message"].startswith("Zbyt wiele nieudanych prób")
    retry_after = int(locked.headers["Retry-After"])
    assert retry_after == 14 * 3600  # to the end of the (UTC) day
    seed_customer("100300")
    assert post(client, "/auth/register", register_body("100300")).status_code == 201
    clock.travel(retry_after)
    assert post(client, "/auth/register", register_body()).status_code == 201
    assert outbox.last_to("jan.100200@example.pl")["template"] == "activation"


def test_right_proofs_do_not_count(client, outbox, seeded, monkeypatch):
    """A proof that holds is taken back: repeated registrations of an existing account get
    their 409, never the proof limit's 429."""
    monkeypatch.setenv("REGISTER_MAX_FAILED_PROOFS_PER_CUSTOMER", "2")
    get_settings.cache_clear()
    assert post(client, "/auth/register", register_body()).status_code == 201
    assert post(client, "/auth/register", register_body(invoice_gross="1.00")).status_code == 400
    for _ in range(4):
        assert post(client, "/auth/register", register_body()).status_code == 409
    assert post(client, "/auth/register", register_body(invoice_gross="2.00")).status_code == 400
    assert post(client, "/auth/register", register_body()).status_code == 429


def test_every_failed_proof_is_a_security_event(client, outbox, seeded, captured_logs):
    for gross in ("1.00", "2.00"):
        post(client, "/auth/register", register_body(invoice_gross=gross))
    post(client, "/auth/register", register_body(invoice_number="FV/2026/10/9999"))
    events = [
        json.loads(line)
        for line in captured_logs.getvalue().splitlines()
        if '"security_event"' in line
    ]
    assert [e["security_event"] for e in events] == ["registration_proof_failed"] * 3
    assert {e["customer_number"] for e in events} == {"100200"}
    assert "9999" not in captured_logs.getvalue()  # neither the guessed invoice nor amount
    assert "2.00" not in captured_logs.getvalue()


def test_concurrent_guesses_get_no_more_proof_checks_than_the_limit(outbox, seeded):
    """Twelve guesses at once from twelve addresses: only 5 proofs are checked (the rest are
    429 before any lookup), because each check is counted before it is made."""
    from chalicelib.domain.errors import InvalidInput, Throttled
    from chalicelib.schemas.auth import RegisterRequest
    from chalicelib.services import registration

    atomic = threading.Lock()  # moto in-process is not thread-safe: one AWS call at a time
    real_call, real_holds = BaseClient._make_api_call, registration._proof_holds
    checking, go_on = [], threading.Event()
    outcomes: list[str] = []

    def one_call_at_a_time(self, *args, **kwargs):
        with atomic:
            return real_call(self, *args, **kwargs)

    def holds(*args):
        checking.append(1)
        go_on.wait(timeout=5)
        return real_holds(*args)

    def guess(number: int) -> None:
        body = register_body(invoice_gross=f"{number + 1}.00")
        try:
            registration.register(RegisterRequest.model_validate(body), f"192.0.2.{number}")
        except (InvalidInput, Throttled) as exc:
            outcomes.append(type(exc).__name__)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", one_call_at_a_time)
        patch.setattr(registration, "_proof_holds", holds)
        threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while len(outcomes) + len(checking) < 12 and time.monotonic() < deadline:
            time.sleep(0.01)
        held = len(checking)
        go_on.set()
        for thread in threads:
            thread.join(timeout=10)
    assert held == 5
    assert sorted(outcomes) == ["InvalidInput"] * 5 + ["Throttled"] * 7
