"""The `cleanup` job's removal of what is kept past its purpose: pending e-mail changes
never confirmed (the new address on the account item), with a controllable clock."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from chalicelib import aws, clock
from chalicelib.jobs.cleanup import cleanup
from chalicelib.services.profile import EMAIL_CHANGE_FAILED
from chalicelib.settings import get_settings
from chalicelib.storage import accounts as accounts_store
from tests.factories import PASSWORD, active_account, bearer, post

NEW = "nowy.adres@example.pl"


def change_email(client, new_email: str = NEW) -> None:
    response = client.http.patch(
        "/me",
        headers={**bearer(client), "Content-Type": "application/json"},
        body=json.dumps({"email": new_email, "current_password": PASSWORD}),
    )
    assert response.status_code == 200, response.body
    assert response.json_body["pending_email"] == new_email


def account_item(login: str = "100200") -> dict:
    return aws.client("dynamodb").get_item(
        TableName=get_settings().accounts_table,
        Key={"pk": {"S": f"ACCOUNT#{login}"}, "sk": {"S": "ACCOUNT"}},
        ConsistentRead=True,
    )["Item"]


def test_an_expired_pending_email_change_is_removed_once(client, outbox, drain_queues):
    clock.travel_to(datetime(2026, 12, 1, 9, tzinfo=UTC))
    body = active_account(client, outbox)
    change_email(client)
    token = outbox.token_in_last(NEW)
    assert account_item()["email_change_day"] == {"S": "2026-12-02"}  # the link's last day
    assert accounts_store.logins_with_email_change_ending(date(2026, 12, 2)) == ["100200"]
    clock.travel_to(datetime(2026, 12, 2, 9, 30, tzinfo=UTC))  # the link ended at 09:00
    assert cleanup().items["email_change"] == 1
    drain_queues()
    item = account_item()
    for name in ("pending_email", "email_change_id", "email_change_until", "email_change_day"):
        assert name not in item
    assert item["email"]["S"] == body["email"]  # the address in use stays
    assert accounts_store.logins_with_email_change_ending(date(2026, 12, 2)) == []
    # a second run (the same day, and the next) finds nothing to do
    assert cleanup().items["email_change"] == 0
    clock.travel_to(datetime(2026, 12, 3, 3, 30, tzinfo=UTC))
    assert cleanup().items["email_change"] == 0
    refused = post(client, "/auth/email/confirm", {"token": token})
    assert refused.status_code == 400
    assert refused.json_body["error"]["message"] == EMAIL_CHANGE_FAILED
    me = client.http.get("/me", headers=bearer(client)).json_body
    assert (me["email"], me["pending_email"]) == (body["email"], None)


def test_a_change_whose_link_has_not_ended_stays(client, outbox, drain_queues):
    clock.travel_to(datetime(2026, 12, 1, 9, tzinfo=UTC))
    active_account(client, outbox)
    change_email(client)
    token = outbox.token_in_last(NEW)
    clock.travel_to(datetime(2026, 12, 2, 3, 30, tzinfo=UTC))  # ends today at 09:00
    assert cleanup().items["email_change"] == 1  # listed under today ...
    drain_queues()
    assert accounts_store.get_account("100200").pending_email == NEW  # ... but not ended
    clock.travel_to(datetime(2026, 12, 2, 8, 59, tzinfo=UTC))
    assert post(client, "/auth/email/confirm", {"token": token}).status_code == 200
    assert accounts_store.get_account("100200").email == NEW
    # confirming takes it off the index: the next run has nothing
    assert accounts_store.logins_with_email_change_ending(date(2026, 12, 2)) == []
    assert "email_change_day" not in account_item()


def test_a_change_started_anew_between_listing_and_work_stays(client, outbox, drain_queues):
    clock.travel_to(datetime(2026, 12, 1, 9, tzinfo=UTC))
    active_account(client, outbox)
    change_email(client)
    clock.travel_to(datetime(2026, 12, 2, 10, tzinfo=UTC))
    assert cleanup().items["email_change"] == 1  # the old change is listed ...
    change_email(client, "drugi.adres@example.pl")  # ... and renewed before the work runs
    token = outbox.token_in_last("drugi.adres@example.pl")
    drain_queues()
    assert accounts_store.get_account("100200").pending_email == "drugi.adres@example.pl"
    assert account_item()["email_change_day"] == {"S": "2026-12-03"}
    assert post(client, "/auth/email/confirm", {"token": token}).status_code == 200
    assert accounts_store.get_account("100200").email == "drugi.adres@example.pl"


def test_cancelling_or_a_password_change_takes_the_change_off_the_index(client, outbox):
    clock.travel_to(datetime(2026, 12, 1, 9, tzinfo=UTC))
    body = active_account(client, outbox)
    change_email(client)
    cancel = outbox.token_in_last(body["email"])
    assert post(client, "/auth/email/cancel", {"token": cancel}).status_code == 200
    assert "email_change_day" not in account_item()
    assert "email_change_until" not in account_item()
    change_email(client)
    assert account_item()["email_change_day"] == {"S": "2026-12-02"}
    new = "Inne-Haslo-Wodne-77"
    change = {"current_password": PASSWORD, "password": new, "password_confirm": new}
    assert post(client, "/me/password", change, bearer(client)).status_code == 204
    assert "email_change_day" not in account_item()
    assert accounts_store.logins_with_email_change_ending(date(2026, 12, 2)) == []
