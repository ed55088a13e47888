"""Password reset: "Nie pamiętam hasła"."""

from __future__ import annotations

from chalicelib import clock
from chalicelib.domain.tokens import token_hash
from tests.api.test_registration import accounts_table_text
from tests.factories import PASSWORD, active_account, bearer, post

NEW = "Swieze-Haslo-Wodne-42"


def forgot(client, drain_queues, login="100200"):
    """Ask for a reset link, then let the queue's consumer send it."""
    answer = post(client, "/auth/password/forgot", {"login": login})
    drain_queues()
    return answer


def reset(client, token, password=NEW):
    return post(
        client,
        "/auth/password/reset",
        {"token": token, "password": password, "password_confirm": password},
    )


def test_same_202_for_known_and_unknown(client, outbox, aws_env, drain_queues):
    body = active_account(client, outbox)
    known = forgot(client, drain_queues)
    by_mail = forgot(client, drain_queues, body["email"])
    unknown = forgot(client, drain_queues, "999999")
    unknown_mail = forgot(client, drain_queues, "nikt@example.pl")
    assert {r.status_code for r in (known, by_mail, unknown, unknown_mail)} == {202}
    assert known.body == unknown.body == by_mail.body == unknown_mail.body
    sent = [m for m in outbox.messages() if m["template"] == "password_reset"]
    assert len(sent) == 2


def test_nothing_changes_until_the_link_is_used(client, outbox, aws_env, drain_queues):
    body = active_account(client, outbox)
    headers = bearer(client)
    forgot(client, drain_queues)
    assert bearer(client)  # the old password still works
    assert client.http.get("/me", headers=headers).status_code == 200
    assert outbox.last_to(body["email"])["template"] == "password_reset"


def test_token_is_single_use_and_ends_sessions_and_notifies(client, outbox, aws_env, drain_queues):
    body = active_account(client, outbox)
    headers = bearer(client)
    forgot(client, drain_queues)
    token = outbox.token_in_last(body["email"])
    assert reset(client, token).status_code == 200
    assert client.http.get("/me", headers=headers).status_code == 401
    assert outbox.last_to(body["email"])["template"] == "password_changed"
    assert reset(client, token, "Jeszcze-Inne-Haslo-9").status_code == 400
    assert post(client, "/auth/login", {"login": "100200", "password": NEW}).status_code == 200
    old = post(client, "/auth/login", {"login": "100200", "password": PASSWORD})
    assert old.status_code == 401


def test_token_expires_after_30_minutes(client, outbox, aws_env, drain_queues):
    body = active_account(client, outbox)
    forgot(client, drain_queues)
    token = outbox.token_in_last(body["email"])
    clock.travel(30 * 60 + 1)
    assert reset(client, token).status_code == 400
    assert post(client, "/auth/login", {"login": "100200", "password": PASSWORD}).status_code == 200


def test_a_newer_link_replaces_the_older(client, outbox, aws_env, drain_queues):
    body = active_account(client, outbox)
    forgot(client, drain_queues)
    first = outbox.token_in_last(body["email"])
    forgot(client, drain_queues)
    second = outbox.token_in_last(body["email"])
    assert first != second
    assert reset(client, first).status_code == 400
    assert reset(client, second).status_code == 200


def test_weak_new_password_is_refused_and_token_kept(client, outbox, aws_env, drain_queues):
    body = active_account(client, outbox)
    forgot(client, drain_queues)
    token = outbox.token_in_last(body["email"])
    weak = reset(client, token, "password")
    assert weak.status_code == 400
    assert "password" in weak.json_body["error"]["fields"]
    assert reset(client, token).status_code == 200


def test_reset_mails_are_limited_per_hour(client, outbox, aws_env, drain_queues):
    active_account(client, outbox)
    for _ in range(5):
        assert forgot(client, drain_queues).status_code == 202
    sent = [m for m in outbox.messages() if m["template"] == "password_reset"]
    assert len(sent) == 3


def test_reset_token_is_stored_only_hashed(client, outbox, aws_env, drain_queues):
    body = active_account(client, outbox)
    assert forgot(client, drain_queues).status_code == 202
    token = outbox.token_in_last(body["email"])
    assert outbox.last_to(body["email"])["template"] == "password_reset"
    stored = accounts_table_text()
    assert token not in stored
    assert token_hash(token) in stored
