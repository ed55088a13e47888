"""GET/PATCH /me and the e-mail change confirmation."""

from __future__ import annotations

import ipaddress
import json
from contextlib import contextmanager
from datetime import UTC, datetime

from chalicelib import aws, clock
from chalicelib.domain.tokens import token_hash
from chalicelib.services import notify
from chalicelib.settings import get_settings
from tests.factories import PASSWORD, active_account, bearer, post


def patch(client, headers, body):
    return client.http.patch(
        "/me", headers={**headers, "Content-Type": "application/json"}, body=json.dumps(body)
    )


def test_me_shows_account_and_customer(client, outbox, aws_env):
    body = active_account(client, outbox)
    me = client.http.get("/me", headers=bearer(client)).json_body
    assert me["customer_number"] == "100200"
    assert me["email"] == body["email"]
    assert me["phone"] == "+48601234567"
    assert me["service_address"]["city"] == "Ruda Śląska"
    assert me["terms_current"] is True
    assert me["consents"]["email_notices"]["granted"] is True
    assert me["consents"]["sms_notices"]["granted"] is False


def test_phone_and_consents_change_and_withdrawal_is_recorded(client, outbox, aws_env):
    active_account(client, outbox)
    headers = bearer(client)
    response = patch(
        client, headers, {"phone": "+48 512 345 678", "consents": {"sms_notices": True}}
    )
    assert response.status_code == 200
    assert response.json_body["phone"] == "+48512345678"
    assert response.json_body["consents"]["sms_notices"]["granted"] is True
    clock.travel(60)
    withdrawn = patch(client, headers, {"consents": {"email_notices": False}})
    assert withdrawn.json_body["consents"]["email_notices"]["granted"] is False
    from chalicelib.storage.accounts import get_account

    history = [(c.kind, c.granted, c.source) for c in get_account("100200").consents]
    assert ("email_notices", True, "registration") in history
    assert ("email_notices", False, "profile") in history


def test_me_shows_consent_history_and_wording(client, outbox, aws_env):
    from chalicelib.content.terms import CONSENT_TEXTS, CURRENT_TERMS_VERSION

    active_account(client, outbox)
    headers = bearer(client)
    me = client.http.get("/me", headers=headers).json_body
    assert me["terms_version"] == CURRENT_TERMS_VERSION
    assert datetime.fromisoformat(me["terms_accepted_at"]).utcoffset() is not None
    version, text = CONSENT_TEXTS["sms_notices"]
    sms = me["consents"]["sms_notices"]
    assert (sms["text"], sms["current_text_version"]) == (text, version)
    registered = len(me["consent_history"])
    assert registered >= 1
    assert {d["source"] for d in me["consent_history"]} == {"registration"}
    clock.travel(60)
    patch(client, headers, {"consents": {"email_notices": False}})
    clock.travel(60)
    history = patch(client, headers, {"consents": {"email_notices": True}}).json_body[
        "consent_history"
    ]
    assert len(history) == registered + 2
    newest, previous = history[:2]  # newest first
    assert (newest["kind"], newest["granted"], newest["source"]) == (
        "email_notices",
        True,
        "profile",
    )
    assert (previous["kind"], previous["granted"]) == ("email_notices", False)
    assert newest["text_version"] == CONSENT_TEXTS["email_notices"][0]
    assert newest["at"] > previous["at"]


def test_removing_phone_withdraws_sms_consent(client, outbox, aws_env):
    active_account(client, outbox)
    headers = bearer(client)
    patch(client, headers, {"consents": {"sms_notices": True}})
    response = patch(client, headers, {"phone": None})
    assert response.status_code == 200
    assert response.json_body["phone"] is None
    assert response.json_body["consents"]["sms_notices"]["granted"] is False


def test_sms_consent_without_phone_is_refused(client, outbox, aws_env):
    active_account(client, outbox)
    headers = bearer(client)
    patch(client, headers, {"phone": None})
    response = patch(client, headers, {"consents": {"sms_notices": True}})
    assert response.status_code == 400


def test_new_email_waits_for_confirmation_and_old_address_is_told(
    client, outbox, aws_env, drain_queues
):
    body = active_account(client, outbox)
    headers = bearer(client)
    response = patch(
        client, headers, {"email": "nowy.adres@example.pl", "current_password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.json_body["email"] == body["email"]
    assert response.json_body["pending_email"] == "nowy.adres@example.pl"
    notice = outbox.last_to(body["email"])
    assert notice["template"] == "email_change_notice"
    assert "nowy.adres@example.pl" not in notice["text"]  # masked for the old mailbox
    token = outbox.token_in_last("nowy.adres@example.pl")
    assert post(client, "/auth/email/confirm", {"token": token}).status_code == 200
    me = client.http.get("/me", headers=headers).json_body
    assert me["email"] == "nowy.adres@example.pl"
    assert me["pending_email"] is None
    assert post(client, "/auth/email/confirm", {"token": token}).status_code == 400
    # forgot-password by the new address now reaches the account
    post(client, "/auth/password/forgot", {"login": "nowy.adres@example.pl"})
    drain_queues()
    assert outbox.last_to("nowy.adres@example.pl")["template"] == "password_reset"


def test_email_change_link_expires(client, outbox, aws_env):
    active_account(client, outbox)
    patch(client, bearer(client), {"email": "pozniej@example.pl", "current_password": PASSWORD})
    token = outbox.token_in_last("pozniej@example.pl")
    clock.travel(25 * 3600)
    assert post(client, "/auth/email/confirm", {"token": token}).status_code == 400


def test_unknown_fields_are_refused(client, outbox, aws_env):
    active_account(client, outbox)
    response = patch(client, bearer(client), {"role": "admin"})
    assert response.status_code == 400
    assert "role" in response.json_body["error"]["fields"]


def test_accept_terms_records_the_current_version(client, outbox, aws_env):
    from chalicelib.content.terms import CURRENT_TERMS_VERSION
    from chalicelib.storage.accounts import accept_terms

    active_account(client, outbox)
    accept_terms("100200", "2025-01-01", clock.now())  # accepted an older version
    headers = bearer(client)
    assert client.http.get("/me", headers=headers).json_body["terms_current"] is False
    old = post(client, "/me/terms/accept", {"version": "2025-01-01"}, headers)
    assert old.status_code == 400
    response = post(client, "/me/terms/accept", {"version": CURRENT_TERMS_VERSION}, headers)
    assert response.status_code == 200
    assert response.json_body["terms_current"] is True


def test_login_history_shows_time_ip_user_agent_and_result(client, outbox, aws_env):
    active_account(client, outbox)
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    firefox = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Firefox/133.0"}
    phone = {"User-Agent": "IBOK-Android/1.4 (Pixel 8)"}
    wrong = {"login": "100200", "password": "Zle-Haslo-Wodne-1"}
    assert post(client, "/auth/login", wrong, firefox).status_code == 401
    clock.travel(60)
    right = {"login": "100200", "password": PASSWORD, "session": "bearer"}
    logged_in = post(client, "/auth/login", right, phone)
    assert logged_in.status_code == 200
    headers = {"Authorization": f"Bearer {logged_in.json_body['token']}"}
    response = client.http.get("/me/logins", headers=headers)
    assert response.status_code == 200
    newest, previous = response.json_body["items"][:2]  # newest first
    assert (newest["result"], newest["user_agent"]) == ("success", phone["User-Agent"])
    assert (previous["result"], previous["user_agent"]) == ("failure", firefox["User-Agent"])
    for item, moment in ((newest, "2026-11-20T10:01"), (previous, "2026-11-20T10:00")):
        assert set(item) == {"at", "ip", "user_agent", "result"}
        assert item["at"].startswith(moment)
        assert datetime.fromisoformat(item["at"]).utcoffset() is not None
        assert ipaddress.ip_address(item["ip"])


def test_a_new_email_needs_the_current_password(client, outbox, aws_env):
    """A stolen session must not redirect the account's mail, and with it the password
    reset, to an address of the thief's."""
    body = active_account(client, outbox)
    headers = bearer(client)
    for attempt in ({}, {"current_password": "Zle-Haslo-123456"}):
        response = patch(client, headers, {"email": "zlodziej@example.pl", **attempt})
        assert response.status_code == 400
        assert "current_password" in response.json_body["error"]["fields"]
    assert [m for m in outbox.messages() if m["to"] == "zlodziej@example.pl"] == []
    me = client.http.get("/me", headers=headers).json_body
    assert (me["email"], me["pending_email"]) == (body["email"], None)
    # Phone and consents need no password.
    assert patch(client, headers, {"phone": "+48601222333"}).status_code == 200


def test_wrong_current_passwords_end_the_guessing_session_only(client, outbox, aws_env):
    """A stolen session cannot guess the password, nor lock its owner out of changing it:
    its failures count against that session, which ends at the cap."""
    active_account(client, outbox)
    thief, owner = bearer(client), bearer(client)
    wrong = {"current_password": "Zle-Haslo-123456", "password": "Nowe-Haslo-2026-abc"}
    wrong["password_confirm"] = wrong["password"]
    for _ in range(5):  # LOGIN_MAX_FAILURES_PER_LOGIN_SOURCE
        assert post(client, "/me/password", wrong, thief).status_code == 400
    blocked = patch(
        client, thief, {"email": "nowy@example.pl", "current_password": PASSWORD}
    )  # even the right one is refused: the password cannot be guessed through a session
    assert blocked.status_code == 429
    assert "sesja została zakończona" in blocked.json_body["error"]["message"]
    assert client.http.get("/me", headers=thief).status_code == 401
    right = {**wrong, "current_password": PASSWORD}
    assert post(client, "/me/password", right, owner).status_code == 204


def test_an_email_change_checked_before_a_password_change_is_not_kept(client, outbox, aws_env):
    """The thief's current password passes its check; the owner changes the password before
    the thief's change is written: the change is refused, and no link goes out."""
    from chalicelib.adapters import secrets
    from chalicelib.services import sessions
    from chalicelib.services.collaborators import using

    body = active_account(client, outbox)
    thief = bearer(client)
    new = "Nowe-Haslo-Do-Wody-77"

    class OwnerAnswersMeanwhile:
        """The real secrets; the first time the pepper is asked for (the thief's password
        check, with the account already read) the owner changes the password."""

        def __init__(self) -> None:
            self.owner_changed = False

        def password_pepper(self) -> bytes:
            if not self.owner_changed:  # the owner's change asks for the pepper too
                self.owner_changed = True
                sessions.change_password("100200", PASSWORD, new, keep_session="owner")
            return secrets.password_pepper()

        def bluemedia_credentials(self) -> tuple[str, str]:
            return secrets.bluemedia_credentials()

    with using(secrets=OwnerAnswersMeanwhile()) as deps:
        answer = patch(client, thief, {"email": THIEF, "current_password": PASSWORD})
    assert deps.secrets.owner_changed
    assert answer.status_code == 409
    assert [m for m in outbox.messages() if m["to"] == THIEF] == []
    me = client.http.get("/me", headers=bearer(client, password=new)).json_body
    assert (me["email"], me["pending_email"]) == (body["email"], None)


THIEF = "zlodziej@example.pl"


def start_change(client, outbox, body, headers, new_email=THIEF, password=PASSWORD):
    """Start an e-mail change; return the confirmation token (to the new address) and the
    cancellation token (in the notice to the old address)."""
    response = patch(client, headers, {"email": new_email, "current_password": password})
    assert response.status_code == 200
    notice = outbox.last_to(body["email"])
    assert notice["template"] == "email_change_notice"
    return outbox.token_in_last(new_email), outbox.token_in_last(body["email"])


def test_the_old_address_cancels_the_change_without_logging_in(client, outbox, aws_env):
    body = active_account(client, outbox)
    headers = bearer(client)
    confirm, cancel = start_change(client, outbox, body, headers)
    notice = outbox.last_to(body["email"])
    assert f"/anuluj-zmiane-email#token={cancel}" in notice["text"]
    assert f"/anuluj-zmiane-email#token={cancel}" in notice["html"]
    cancelled = post(client, "/auth/email/cancel", {"token": cancel})
    assert cancelled.status_code == 200
    assert "anulowana" in cancelled.json_body["message"]
    assert client.http.get("/me", headers=headers).status_code == 401  # sessions ended
    me = client.http.get("/me", headers=bearer(client)).json_body
    assert (me["email"], me["pending_email"]) == (body["email"], None)
    assert post(client, "/auth/email/confirm", {"token": confirm}).status_code == 400
    again = post(client, "/auth/email/cancel", {"token": cancel})
    assert again.status_code == 400
    assert "Biurem Obsługi Klienta" in again.json_body["error"]["message"]


def test_a_password_change_ends_the_pending_change_and_reset_links(
    client, outbox, aws_env, drain_queues
):
    """A thief with the password starts an e-mail change; the customer answers by changing
    the password: the thief's confirmation link no longer takes the account."""
    body = active_account(client, outbox)
    thief = bearer(client)
    confirm, cancel = start_change(client, outbox, body, thief)
    post(client, "/auth/password/forgot", {"login": "100200"})
    drain_queues()
    assert outbox.last_to(body["email"])["template"] == "password_reset"
    reset_token = outbox.token_in_last(body["email"])
    new = "Nowe-Haslo-Do-Wody-77"
    change = {"current_password": PASSWORD, "password": new, "password_confirm": new}
    assert post(client, "/me/password", change, bearer(client)).status_code == 204
    notice = outbox.last_to(body["email"])
    assert notice["template"] == "password_changed"
    assert "zmiana adresu e-mail została anulowana" in notice["text"]
    assert post(client, "/auth/email/confirm", {"token": confirm}).status_code == 400
    assert post(client, "/auth/email/cancel", {"token": cancel}).status_code == 400
    reset = {"token": reset_token, "password": "Inne-Haslo-Wodne-88", "password_confirm": ""}
    reset["password_confirm"] = reset["password"]
    assert post(client, "/auth/password/reset", reset).status_code == 400
    me = client.http.get("/me", headers=bearer(client, password=new)).json_body
    assert (me["email"], me["pending_email"]) == (body["email"], None)


def test_a_password_reset_ends_the_pending_change(client, outbox, aws_env, drain_queues):
    body = active_account(client, outbox)
    confirm, _ = start_change(client, outbox, body, bearer(client))
    post(client, "/auth/password/forgot", {"login": "100200"})
    drain_queues()
    new = "Swieze-Haslo-Wodne-42"
    reset = {"token": outbox.token_in_last(body["email"]), "password": new}
    assert post(client, "/auth/password/reset", {**reset, "password_confirm": new}).status_code == (
        200
    )
    assert "zmiana adresu e-mail została anulowana" in outbox.last_to(body["email"])["text"]
    assert post(client, "/auth/email/confirm", {"token": confirm}).status_code == 400
    me = client.http.get("/me", headers=bearer(client, password=new)).json_body
    assert (me["email"], me["pending_email"]) == (body["email"], None)


@contextmanager
def outliving(*tokens):
    """Put these tokens' items back, as they are when the block starts, once it ends: as
    if their deletion had missed them (an index that lags, a batch that fails half-way)."""
    table = get_settings().accounts_table
    dynamodb = aws.client("dynamodb")
    keys = [{"pk": {"S": f"TOKEN#{token_hash(t)}"}, "sk": {"S": "TOKEN"}} for t in tokens]
    items = [dynamodb.get_item(TableName=table, Key=key)["Item"] for key in keys]
    yield
    for item in items:
        dynamodb.put_item(TableName=table, Item=item)


def test_a_stale_confirmation_fails_even_if_its_token_outlives_a_password_change(
    client, outbox, aws_env
):
    """The change ends in the same write as the password, not only by deleting its tokens
    (an index that lags, a batch that fails half-way): confirming needs the account to name
    that very change as the pending one."""
    body = active_account(client, outbox)
    confirm, cancel = start_change(client, outbox, body, bearer(client))
    new = "Nowe-Haslo-Do-Wody-77"
    change = {"current_password": PASSWORD, "password": new, "password_confirm": new}
    with outliving(confirm, cancel):
        assert post(client, "/me/password", change, bearer(client)).status_code == 204
    assert post(client, "/auth/email/confirm", {"token": confirm}).status_code == 400
    assert post(client, "/auth/email/cancel", {"token": cancel}).status_code == 400
    # and a cancellation whose confirmation token stays around (cancel deletes it itself)
    headers = bearer(client, password=new)
    confirm, cancel = start_change(client, outbox, body, headers, "drugi@example.pl", new)
    assert post(client, "/auth/email/cancel", {"token": cancel}).status_code == 200
    assert post(client, "/auth/email/confirm", {"token": confirm}).status_code == 400
    me = client.http.get("/me", headers=bearer(client, password=new)).json_body
    assert (me["email"], me["pending_email"]) == (body["email"], None)


def test_a_newer_change_replaces_both_links_of_the_older(client, outbox, aws_env):
    body = active_account(client, outbox)
    headers = bearer(client)
    old_confirm, old_cancel = start_change(client, outbox, body, headers, "pierwszy@example.pl")
    confirm, _ = start_change(client, outbox, body, headers, "drugi@example.pl")
    assert post(client, "/auth/email/cancel", {"token": old_cancel}).status_code == 400
    assert post(client, "/auth/email/confirm", {"token": old_confirm}).status_code == 400
    assert post(client, "/auth/email/confirm", {"token": confirm}).status_code == 200
    assert client.http.get("/me", headers=headers).json_body["email"] == "drugi@example.pl"


def test_a_confirmed_change_ends_reset_links_sent_to_the_old_address(
    client, outbox, aws_env, drain_queues
):
    body = active_account(client, outbox)
    post(client, "/auth/password/forgot", {"login": "100200"})
    drain_queues()
    reset = outbox.token_in_last(body["email"])
    confirm, _ = start_change(client, outbox, body, bearer(client), "nowy@example.pl")
    assert post(client, "/auth/email/confirm", {"token": confirm}).status_code == 200
    new = "Nowe-Haslo-Do-Wody-77"
    again = {"token": reset, "password": new, "password_confirm": new}
    assert post(client, "/auth/password/reset", again).status_code == 400


def test_a_confirmed_change_cannot_be_cancelled_by_its_old_link(client, outbox, aws_env):
    body = active_account(client, outbox)
    headers = bearer(client)
    confirm, cancel = start_change(client, outbox, body, headers, "nowy@example.pl")
    assert post(client, "/auth/email/confirm", {"token": confirm}).status_code == 200
    assert post(client, "/auth/email/cancel", {"token": cancel}).status_code == 400
    assert client.http.get("/me", headers=headers).json_body["email"] == "nowy@example.pl"


def test_the_cancel_link_lasts_as_long_as_the_change_and_is_stored_only_hashed(
    client, outbox, aws_env
):
    from chalicelib.domain.tokens import token_hash
    from tests.api.test_registration import accounts_table_text

    body = active_account(client, outbox)
    headers = bearer(client)
    _, cancel = start_change(client, outbox, body, headers)
    stored = accounts_table_text()
    assert cancel not in stored and token_hash(cancel) in stored
    clock.travel(23 * 3600)  # EMAIL_CHANGE_HOURS is 24
    assert post(client, "/auth/email/cancel", {"token": cancel}).status_code == 200
    _, cancel = start_change(client, outbox, body, bearer(client))
    clock.travel(24 * 3600 + 1)
    assert post(client, "/auth/email/cancel", {"token": cancel}).status_code == 400
    for token in ("x" * 32, confirm_kind_token(client, outbox, body)):
        assert post(client, "/auth/email/cancel", {"token": token}).status_code == 400


def confirm_kind_token(client, outbox, body):
    """A token of another kind (an e-mail confirmation) is no cancellation."""
    confirm, _ = start_change(client, outbox, body, bearer(client), "trzeci@example.pl")
    return confirm


def test_the_cancel_link_opens_the_portals_page():
    """E-mailed links open portal pages (`<PUBLIC_URL>/<page>#token=…`), never the API."""
    url = notify.link("anuluj-zmiane-email", "abc")
    assert url == f"{get_settings().public_url}/anuluj-zmiane-email#token=abc"
    assert "/_local" not in url
