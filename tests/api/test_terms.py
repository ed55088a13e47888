"""Terms versions and the terms gate: staff (admin) publish a version with its effective
date (audited); from then on a customer who has not accepted it gets 403
`terms_not_accepted` from every customer route but their account's own (/me…) and logout,
until they accept it; each acceptance is kept with its time. The gate adds no round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import clock
from chalicelib.content.terms import CURRENT_TERMS_VERSION
from chalicelib.services import audit
from chalicelib.services import terms as terms_service
from chalicelib.storage.accounts import get_account
from tests.factories import active_account, bearer, post, register_body, staff_account, staff_bearer
from tests.roundtrips import count_dynamodb_calls

NOON = datetime(2026, 12, 10, 12, tzinfo=UTC)
NEW = "2027-01"
TEXT = "§1. Nowa wersja regulaminu IBOK.\n\nTreść nowej wersji regulaminu."


@pytest.fixture
def admin(client, aws_env):
    clock.travel_to(NOON)
    return staff_bearer(client, "ewa-admin", staff_account("ewa-admin", "admin"))


@pytest.fixture
def customer(client, outbox, admin):
    active_account(client, outbox)
    return bearer(client)


def publish(client, headers, *, version=NEW, at=None, **fields):
    body = {
        "version": version,
        "title": "Regulamin IBOK",
        "text": TEXT,
        "effective_from": (at or clock.now()).isoformat(),
        **fields,
    }
    return post(client, "/staff/terms", body, headers)


def test_admin_publishes_a_version_which_takes_effect_on_its_date(client, admin):
    later = NOON + timedelta(days=1)
    answer = publish(client, admin, at=later)
    assert answer.status_code == 201, answer.body
    assert answer.json_body["effective_from"] == later.isoformat()
    assert answer.json_body["published_by"] == "ewa-admin"
    listed = client.http.get("/staff/terms", headers=admin).json_body
    assert [v["version"] for v in listed["items"]] == [NEW, CURRENT_TERMS_VERSION]
    assert listed["in_effect"] == CURRENT_TERMS_VERSION
    assert client.http.get("/terms").json_body["version"] == CURRENT_TERMS_VERSION
    clock.travel_to(later)
    public = client.http.get("/terms").json_body
    assert (public["version"], public["text"]) == (NEW, TEXT)
    assert public["effective_from"] == "2026-12-11"
    assert public["effective_at"] == later.isoformat()
    (entry,) = audit.entries_about(f"terms:{NEW}").items
    assert (entry.actor, entry.action) == ("ewa-admin", "terms.published")
    assert entry.after["effective_from"] == later.isoformat()


def test_a_version_is_refused_in_the_past_before_the_last_or_under_a_taken_label(client, admin):
    past = publish(client, admin, at=NOON - timedelta(hours=1))
    assert past.status_code == 400
    assert "wcześniejsza" in past.json_body["error"]["fields"]["effective_from"]
    assert publish(client, admin, at=NOON + timedelta(days=2)).status_code == 201
    earlier = publish(client, admin, version="2027-02", at=NOON + timedelta(days=1))
    assert earlier.status_code == 400
    assert NEW in earlier.json_body["error"]["fields"]["effective_from"]
    taken = publish(client, admin, at=NOON + timedelta(days=3))
    assert taken.status_code == 409


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Regulamin. " * 5_455, "Za dużo znaków (maksimum 60000)."),  # 60,005 characters
        # 35,000 characters, 63 kB of UTF-8
        ("żółć " * 7_000, "Treść regulaminu jest za długa (najwyżej 60 kB)."),
    ],
)
def test_a_text_too_long_is_a_400_on_its_field(client, admin, text, message):
    body = {
        "version": NEW,
        "title": "Regulamin IBOK",
        "text": text,
        "effective_from": clock.now().isoformat(),
    }
    # As a browser sends it: UTF-8, not \u escapes (which would pass the body's limit first).
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    answer = post(client, "/staff/terms", raw, admin)
    assert answer.status_code == 400, answer.body[:200]
    assert answer.json_body["error"]["fields"]["text"] == message
    assert client.http.get("/terms").json_body["version"] != NEW


def test_a_body_past_the_limit_is_a_400(client, admin):
    answer = publish(client, admin, text="Regulamin. " * 7_000)  # 77 kB
    assert answer.status_code == 400
    assert answer.json_body["error"]["message"] == "Treść żądania jest za duża."
    assert client.http.get("/terms").json_body["version"] != NEW


def test_only_an_admin_publishes(client, admin):
    staff = staff_bearer(client, "anna-nowak", staff_account("anna-nowak"))
    assert publish(client, staff).status_code == 403
    assert client.http.get("/staff/terms", headers=staff).status_code == 403


def test_the_gate_holds_a_customer_back_until_they_accept(client, customer, admin):
    registered = get_account("100200").terms_accepted_at
    other_session = bearer(client)
    assert client.http.get("/balance", headers=customer).status_code == 200
    assert publish(client, admin, at=clock.now() + timedelta(minutes=20)).status_code == 201
    assert client.http.get("/balance", headers=customer).status_code == 200  # not yet
    clock.travel(19 * 60)
    for headers in (customer, other_session):
        assert client.http.get("/tickets", headers=headers).status_code == 200
    clock.travel(120)
    held = client.http.get("/balance", headers=customer)
    assert held.status_code == 403
    assert held.json_body["error"]["code"] == "terms_not_accepted"
    assert "regulaminu" in held.json_body["error"]["message"]
    assert client.http.get("/tickets", headers=customer).status_code == 403
    # The account itself still answers: who is logged in, and that the terms are due.
    me = client.http.get("/me", headers=customer).json_body
    assert me["terms_current"] is False
    assert client.http.get("/me/logins", headers=customer).status_code == 200
    old = post(client, "/me/terms/accept", {"version": CURRENT_TERMS_VERSION}, customer)
    assert old.status_code == 400
    accepted_at = clock.now().replace(microsecond=0)
    accepted = post(client, "/me/terms/accept", {"version": NEW}, customer)
    assert accepted.status_code == 200, accepted.body
    assert accepted.json_body["terms_current"] is True
    # Every open session of the customer is let through, and new ones too.
    for headers in (customer, other_session, bearer(client)):
        assert client.http.get("/balance", headers=headers).status_code == 200
    history = get_account("100200").terms_history
    assert [(h.version, h.at.replace(microsecond=0)) for h in history] == [
        (CURRENT_TERMS_VERSION, registered.replace(microsecond=0)),
        (NEW, accepted_at),
    ]


def test_a_customer_logging_in_after_the_change_is_held_back(client, customer, admin):
    assert publish(client, admin).status_code == 201
    fresh = bearer(client)
    assert client.http.get("/balance", headers=fresh).json_body["error"]["code"] == (
        "terms_not_accepted"
    )
    assert post(client, "/auth/logout", {}, fresh).status_code == 204


def test_staff_are_never_held_back(client, customer, admin):
    assert publish(client, admin).status_code == 201
    assert client.http.get("/staff/terms", headers=admin).status_code == 200


def test_registration_accepts_the_version_in_effect(client, admin):
    from tests.factories import seed_customer

    assert publish(client, admin).status_code == 201
    seed_customer("100201")
    old = post(client, "/auth/register", register_body("100201"))
    assert old.status_code == 400
    assert NEW in old.json_body["error"]["fields"]["accept_terms"]
    answer = post(client, "/auth/register", register_body("100201", accept_terms=NEW))
    assert answer.status_code == 201
    assert [h.version for h in get_account("100201").terms_history] == [NEW]


def test_the_gate_adds_no_round_trip(client, customer, admin):
    """With this container's copy stale, its one Query runs beside the session's write;
    a held-back customer costs the session's write alone."""
    terms_service.forget_copy()
    with count_dynamodb_calls() as every_call, count_dynamodb_calls(this_thread=True) as calls:
        assert client.http.get("/balance", headers=customer).status_code == 200
    assert len(calls) == 2 and calls[0] == "UpdateItem", calls
    assert sorted(every_call) == sorted([*calls, "Query"])
    assert publish(client, admin).status_code == 201
    with count_dynamodb_calls() as every_call, count_dynamodb_calls(this_thread=True) as calls:
        assert client.http.get("/balance", headers=customer).status_code == 403
    assert calls == ["UpdateItem"]
    assert sorted(every_call) == ["Query", "UpdateItem"]  # publishing dropped the copy
