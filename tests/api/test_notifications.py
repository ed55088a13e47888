"""Notifications: the record per customer and GET /notifications, idempotent sends, consent
read at send time, SMS, the unsubscribe link, SES bounces and complaints."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

from chalicelib import clock
from chalicelib.domain.notifications import Channel, NotificationKind, Skip
from chalicelib.services import notifications
from chalicelib.services.collaborators import using
from chalicelib.storage.notifications import ClaimUnsettled
from tests.factories import PASSWORD, active_account, bearer, post, unsubscribe_answers
from tests.roundtrips import count_dynamodb_calls

LOGIN = "100200"
REMINDER = {
    "invoice_number": "FV/2026/11/0001",
    "amount": 12345,
    "due_on": "30.11.2026",
    "stage": "before",
    "days": 3,
    "link": "http://127.0.0.1:8080/faktury.html",
}


@pytest.fixture
def customer(client, outbox):
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    return active_account(client, outbox, LOGIN)


def patch_me(client, headers, body):
    return client.http.patch(
        "/me", headers={**headers, "Content-Type": "application/json"}, body=json.dumps(body)
    )


def remind(key="invoice_reminder:FV/2026/11/0001:before:2026-11-27"):
    return notifications.notify(LOGIN, NotificationKind.INVOICE_REMINDER, REMINDER, key=key)


def test_a_notice_goes_with_consent_and_is_listed_newest_first(client, customer, outbox):
    outcome = remind()
    assert outcome.sent == (Channel.EMAIL,)
    assert outcome.skipped == {Channel.SMS: Skip.NO_CONSENT}
    mail = outbox.last_to(customer["email"])
    assert mail["template"] == "invoice_reminder"
    assert "123,45" in mail["text"] and "FV/2026/11/0001" in mail["text"]
    headers = mail["headers"]
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8080/api/unsubscribe?token=")
    assert "/wypisz#token=" in mail["text"] and "/wypisz#token=" in mail["html"]
    listed = client.http.get("/notifications", headers=bearer(client, LOGIN)).json_body
    kinds = [item["kind"] for item in listed["items"]]
    assert kinds == ["invoice_reminder", "activation"]  # newest first
    newest = listed["items"][0]
    assert newest.pop("sent_at").startswith("2026-11-20T10:00")
    assert newest == {
        "kind": "invoice_reminder",
        "category": "notice",
        "title": "Przypomnienie o terminie płatności",
        "channels": ["email"],
        "state": "sent",
    }


def test_transactional_mail_has_no_unsubscribe_header(client, customer, outbox):
    activation = [m for m in outbox.messages() if m["template"] == "activation"][-1]
    assert activation["headers"] == {}
    assert "wypisz" not in activation["text"]


def test_the_same_key_sends_nothing_twice(client, customer, outbox):
    count = len(outbox.messages())
    assert remind().sent == (Channel.EMAIL,)
    again = remind()
    assert again.duplicate and again.sent == ()
    assert len(outbox.messages()) == count + 1
    assert remind(key="invoice_reminder:FV/2026/11/0001:overdue1:2026-12-01").sent


class SesDown:
    def send(self, *_args, **_kwargs):
        raise RuntimeError("SES unavailable")


def test_a_failed_send_gives_the_key_back(client, customer, outbox):
    with using(mailer=SesDown()), pytest.raises(RuntimeError):
        remind()
    listed = client.http.get("/notifications", headers=bearer(client, LOGIN)).json_body
    assert [item["kind"] for item in listed["items"]] == ["activation"]  # nothing recorded
    assert remind().sent == (Channel.EMAIL,)  # the retry goes out


def test_a_withdrawn_consent_counts_at_once_and_transactional_mail_still_goes(
    client, customer, outbox
):
    headers = bearer(client, LOGIN)
    response = patch_me(client, headers, {"consents": {"email_notices": False}})
    assert response.status_code == 200
    outcome = remind()
    assert outcome.sent == () and outcome.skipped[Channel.EMAIL] == Skip.NO_CONSENT
    receipt = notifications.notify(
        LOGIN,
        NotificationKind.TICKET_UPDATE,
        {
            "reference": "R/2026/000001",
            "what": "Odpowiedź.",
            "status": "W trakcie",
            "message": None,
            "due_on": None,
            "link": "x",
            "at": "20.11.2026 11:00",
        },
    )
    assert receipt.sent == (Channel.EMAIL,)


def test_sms_goes_with_sms_consent_as_gsm7_and_reaches_the_outbox(client, customer, outbox):
    headers = bearer(client, LOGIN)
    assert patch_me(client, headers, {"consents": {"sms_notices": True}}).status_code == 200
    outcome = remind()
    assert outcome.sent == (Channel.EMAIL, Channel.SMS)
    (sms,) = [m for m in outbox.messages() if m.get("channel") == "sms"]
    assert sms["to"].endswith("601234567")
    assert sms["text"].startswith("Przypomnienie: faktura FV/2026/11/0001")
    assert len(sms["text"]) <= 160
    listed = client.http.get("/notifications", headers=headers).json_body
    assert listed["items"][0]["channels"] == ["email", "sms"]


def test_the_list_pages_with_a_cursor_in_two_round_trips(client, customer, outbox):
    for day in range(3):
        clock.travel_to(datetime(2026, 11, 21 + day, 9, tzinfo=UTC))
        remind(key=f"reminder:{day}")
    headers = bearer(client, LOGIN)
    with count_dynamodb_calls(this_thread=True) as calls:
        first = client.http.get("/notifications?limit=2", headers=headers).json_body
    assert len(calls) == 2 and calls[1] == "Query"
    assert [i["sent_at"][:10] for i in first["items"]] == ["2026-11-23", "2026-11-22"]
    rest = client.http.get(
        f"/notifications?limit=2&cursor={first['next_cursor']}", headers=headers
    ).json_body
    assert [i["sent_at"][:10] for i in rest["items"]] == ["2026-11-21", "2026-11-20"]
    bad = client.http.get("/notifications?cursor=QUJD", headers=headers)
    assert bad.status_code == 400


def test_another_customer_sees_none_of_them(client, customer, outbox):
    remind()
    active_account(client, outbox, "100201")
    listed = client.http.get("/notifications", headers=bearer(client, "100201")).json_body
    assert [item["kind"] for item in listed["items"]] == ["activation"]


# --- unsubscribe ---------------------------------------------------------------------------


def link_token(mail):
    header = mail["headers"]["List-Unsubscribe"].strip("<>")
    return parse_qs(urlparse(header).query)["token"][0]


def consents(client):
    return client.http.get("/me", headers=bearer(client, LOGIN)).json_body


def test_one_click_unsubscribe_withdraws_the_consent_with_its_version(client, customer, outbox):
    remind()
    token = link_token(outbox.last_to(customer["email"]))
    check = client.http.get(f"/unsubscribe?token={token}")
    assert check.status_code == 200
    assert check.json_body == {
        "consent": "email_notices",
        "label": "powiadomienia e-mail",
        "granted": True,
        "message": "Zgoda na powiadomienia e-mail jest wyrażona.",
    }
    assert consents(client)["consents"]["email_notices"]["granted"] is True  # GET changes nothing
    response = client.http.post(
        f"/unsubscribe?token={token}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body="List-Unsubscribe=One-Click",
    )
    assert response.status_code == 200
    profile = consents(client)
    assert profile["consents"]["email_notices"]["granted"] is False
    latest = profile["consent_history"][0]
    assert latest["kind"] == "email_notices" and latest["granted"] is False
    assert latest["source"] == "unsubscribe" and latest["text_version"] == "2026-11-01"
    assert remind(key="next").sent == ()  # no notice e-mail any more
    again = post(client, "/unsubscribe", {"token": token})  # the page's POST: idempotent
    assert again.status_code == 200 and again.json_body["granted"] is False
    assert len(consents(client)["consent_history"]) == len(profile["consent_history"])


@pytest.mark.parametrize("how", ["forged", "other_customer", "garbage", "missing", "expired"])
def test_a_bad_unsubscribe_link_is_refused_in_polish_and_changes_nothing(
    client, customer, outbox, how
):
    active_account(client, outbox, "100201")
    remind()
    token = link_token(outbox.last_to(customer["email"]))
    if how == "forged":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif how == "other_customer":
        token = token.replace(LOGIN, "100201", 1)
    elif how == "garbage":
        token = "x" * 50
    elif how == "missing":
        token = ""
    elif how == "expired":
        clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC) + timedelta(days=91))
    for response in unsubscribe_answers(client, token):
        assert response.status_code == 400, response.body
        assert response.json_body["error"]["message"] == notifications.BAD_LINK
    for login in (LOGIN, "100201"):
        profile = client.http.get("/me", headers=bearer(client, login)).json_body
        assert profile["consents"]["email_notices"]["granted"] is True


def test_a_link_sent_to_an_older_address_withdraws_nothing(client, customer, outbox):
    """The link is bound to the address it was sent to: after an e-mail change the old
    mailbox (which may now be someone else's) cannot withdraw the customer's consent,
    while the next notice's link, to the new address, can."""
    remind()
    old_link = link_token(outbox.last_to(customer["email"]))
    headers = bearer(client, LOGIN)
    new_email = "nowy.adres.100200@example.pl"
    changed = patch_me(client, headers, {"email": new_email, "current_password": PASSWORD})
    assert changed.status_code == 200
    token = outbox.token_in_last(new_email)
    assert post(client, "/auth/email/confirm", {"token": token}).status_code == 200
    for response in unsubscribe_answers(client, old_link):
        assert response.status_code == 400, response.body
        assert response.json_body["error"]["message"] == notifications.BAD_LINK
    assert consents(client)["consents"]["email_notices"]["granted"] is True
    remind(key="after-the-change")
    new_link = link_token(outbox.last_to(new_email))
    assert post(client, "/unsubscribe", {"token": new_link}).status_code == 200
    assert consents(client)["consents"]["email_notices"]["granted"] is False


def test_a_link_of_a_closed_account_withdraws_nothing_of_the_next_one(client, customer, outbox):
    """After §7 closure the number may be registered again, by the same address even: a
    link e-mailed to the closed account names that registration, not the new one."""
    from chalicelib.services import termination
    from chalicelib.storage import lifecycle

    remind()
    old_link = link_token(outbox.last_to(customer["email"]))
    today = clock.today()
    assert lifecycle.start_termination(
        LOGIN, "resignation", clock.now(), today, today + timedelta(days=14)
    )
    clock.travel_to(datetime(2026, 12, 5, 10, tzinfo=UTC))
    assert termination.close(LOGIN)
    for response in unsubscribe_answers(client, old_link):  # the closed account's own
        assert response.status_code == 400, response.body
    clock.travel_to(datetime(2026, 12, 6, 10, tzinfo=UTC))
    again = active_account(client, outbox, LOGIN)
    assert again["email"] == customer["email"]
    for response in unsubscribe_answers(client, old_link):
        assert response.status_code == 400, response.body
        assert response.json_body["error"]["message"] == notifications.BAD_LINK
    assert consents(client)["consents"]["email_notices"]["granted"] is True


# --- bounces and complaints ----------------------------------------------------------------


def ses_event(kind, address, bounce_type="Permanent"):
    if kind == "Bounce":
        detail = {
            "bounce": {"bounceType": bounce_type, "bouncedRecipients": [{"emailAddress": address}]}
        }
    else:
        detail = {"complaint": {"complainedRecipients": [{"emailAddress": address}]}}
    return json.dumps({"eventType": kind, "mail": {"messageId": "x"}, **detail})


def deliver(client, message):
    event = client.events.generate_sns_event(message=message, subject="SES event")
    client.lambda_.invoke("mail_events", event)


@pytest.mark.parametrize("kind", ["Bounce", "Complaint"])
def test_a_bounce_or_complaint_suppresses_the_address_until_it_changes(
    client, customer, outbox, kind
):
    headers = bearer(client, LOGIN)
    assert consents(client)["email_suppressed"] is False
    deliver(client, ses_event(kind, customer["email"].upper()))
    assert consents(client)["email_suppressed"] is True
    count = len(outbox.messages())
    assert remind().skipped[Channel.EMAIL] == Skip.SUPPRESSED
    forgot = post(client, "/auth/password/forgot", {"login": LOGIN})
    assert forgot.status_code == 202
    assert len(outbox.messages()) == count  # transactional mail too: nothing to that address
    # A new address: confirmed from the new mailbox, the suppression is gone.
    new = "jan.nowy@example.pl"
    change = patch_me(client, headers, {"email": new, "current_password": PASSWORD})
    assert change.status_code == 200, change.body
    token = outbox.token_in_last(new)
    assert post(client, "/auth/email/confirm", {"token": token}).status_code == 200
    assert consents(client)["email_suppressed"] is False
    assert remind().sent == (Channel.EMAIL,)
    assert outbox.last_to(new)["template"] == "invoice_reminder"


def test_a_transient_bounce_or_another_address_changes_nothing(client, customer, outbox):
    deliver(client, ses_event("Bounce", customer["email"], bounce_type="Transient"))
    deliver(client, ses_event("Complaint", "someone.else@example.pl"))
    deliver(client, "not json")
    assert consents(client)["email_suppressed"] is False
    assert remind().sent == (Channel.EMAIL,)


def test_a_claim_whose_answer_was_lost_still_sends_once(client, customer, outbox, monkeypatch):
    """The client retries a claim whose answer was lost (a read timeout after DynamoDB
    committed it); the retry meets the key its first attempt took. That is this claim, not
    an earlier notification: the notice goes out, once (at 100,000 reminders on a busy moto
    server, two customers got none this way)."""
    from chalicelib.storage import notifications as store

    class Retried(store.TransactWrite):
        def _commit(self):
            super()._commit()  # committed, but its answer is lost...
            return super()._commit()  # ...so the client sends it again

    count = len(outbox.messages())
    monkeypatch.setattr(store, "TransactWrite", Retried)
    outcome = remind()
    monkeypatch.undo()
    assert outcome.sent == (Channel.EMAIL,) and not outcome.duplicate
    assert len(outbox.messages()) == count + 1
    again = remind()  # a real second call is still a duplicate
    assert again.duplicate and len(outbox.messages()) == count + 1


@pytest.mark.parametrize(
    ("reason", "raised"),
    [("ThrottlingError", TransactWriteError), ("TransactionConflict", ClaimUnsettled)],
)
def test_a_claim_cancelled_for_another_reason_is_raised_never_taken_for_sent(
    client, customer, outbox, monkeypatch, reason, raised
):
    """DynamoDB cancels a claim that is throttled, or that meets a concurrent transaction
    on its key which then does not last: nothing holds the key, so the notification must
    not count as sent already. It is raised (the job's batch is delivered again) and the
    next attempt sends it, once."""
    from chalicelib.storage import notifications as store

    class Cancelled(store.TransactWrite):
        def _commit(self):
            reasons = [CancellationReason(code=reason), None]
            error = {"Error": {"Code": "TransactionCanceledException", "Message": reason}}
            cause = VerboseClientError(error, "TransactWriteItems", cancellation_reasons=reasons)
            raise TransactWriteError(reason, cause=cause)

    count = len(outbox.messages())
    monkeypatch.setattr(store, "TransactWrite", Cancelled)
    with pytest.raises(raised):
        remind()
    monkeypatch.undo()
    assert len(outbox.messages()) == count
    outcome = remind()
    assert outcome.sent == (Channel.EMAIL,) and not outcome.duplicate
    assert remind().duplicate and len(outbox.messages()) == count + 1
