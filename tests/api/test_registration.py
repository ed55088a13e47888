"""POST /auth/register and /auth/activate."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

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
