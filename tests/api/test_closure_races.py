"""§7 closure against logins (services/sessions.py `login`, services/termination.py
`close`): a login racing the closure (or a deactivation, or a new password) keeps no
session; a session the `by_owner` index does not show yet still ends at closure; and a
closed login's failed attempts re-create no login history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from boto3.dynamodb.types import TypeDeserializer
from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

from chalicelib import aws, clock
from chalicelib.domain import passwords
from chalicelib.domain.tokens import token_hash
from chalicelib.models.accounts import Session
from chalicelib.services import staff, termination
from chalicelib.services.collaborators import current
from chalicelib.settings import get_settings
from chalicelib.storage import accounts as accounts_store
from tests.api.test_terminations import (
    CUSTOMER,
    customer,  # noqa: F401  (a fixture)
    delete_me,
    login,
    run_terminations,
)
from tests.factories import active_account, post

OTHER = "100300"
CLOSING_DAY = datetime(2026, 12, 15, 4, tzinfo=UTC)


def _plain(item: dict) -> dict:
    return {name: TypeDeserializer().deserialize(value) for name, value in item.items()}


def partition(login_name: str) -> list[dict]:
    """Every item of the account's partition (a strongly consistent Query)."""
    answer = aws.client("dynamodb").query(
        TableName=get_settings().accounts_table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"ACCOUNT#{login_name}"}},
        ConsistentRead=True,
    )
    return [_plain(item) for item in answer["Items"]]


def sessions_of(login_name: str) -> list[dict]:
    """The session items of a login (a test-only Scan: what the index may not show)."""
    pages = aws.client("dynamodb").get_paginator("scan")
    found = []
    for page in pages.paginate(TableName=get_settings().accounts_table):
        found += [
            _plain(item)
            for item in page["Items"]
            if item["sk"]["S"] == "SESSION" and item["owner"]["S"] == login_name
        ]
    return found


def _bearer_of(answer) -> dict[str, str]:
    assert answer.status_code == 200, answer.body
    return {"Authorization": f"Bearer {answer.json_body['token']}"}


def _close_now() -> None:
    assert termination.close(CUSTOMER)


def _deactivate() -> None:
    staff.deactivate_customer("staff:operator", CUSTOMER)


def _new_password() -> None:
    pepper = current().secrets.password_pepper()
    new_hash = passwords.hash_password("Inne-Haslo-654321", pepper, get_settings().bcrypt_cost)
    accounts_store.set_password(CUSTOMER, new_hash, clock.now())
    accounts_store.delete_sessions_of(CUSTOMER)


@pytest.mark.parametrize(
    "meanwhile", [_close_now, _deactivate, _new_password], ids=["closed", "deactivated", "new"]
)
def test_a_login_racing_the_end_of_its_account_keeps_no_session(
    client,
    customer,  # noqa: F811
    monkeypatch,
    meanwhile,
):
    assert delete_me(client, customer).status_code == 202  # resigned: usable until day 14
    clock.travel_to(CLOSING_DAY)  # the closing day, before the job has run
    create_session = accounts_store.create_session

    def after_the_password_check(*args, **kwargs):
        # The password was right and the account active when read; the closure (or a
        # deactivation, or a new password) lands before the session's write.
        meanwhile()
        return create_session(*args, **kwargs)

    monkeypatch.setattr(accounts_store, "create_session", after_the_password_check)
    answer = login(client)
    assert answer.status_code == 401, answer.body
    assert answer.json_body == login(client, "Zle-Haslo-123456").json_body  # no oracle
    assert sessions_of(CUSTOMER) == []
    assert [i["sk"] for i in partition(CUSTOMER) if i["sk"].startswith("SESSION#")] == []


def test_a_session_the_index_does_not_show_yet_ends_at_closure(
    client,
    customer,  # noqa: F811
    drain_queues,
    monkeypatch,
):
    assert delete_me(client, customer).status_code == 202
    clock.travel_to(CLOSING_DAY)
    late = _bearer_of(login(client))  # written a moment before the closure's write
    assert client.http.get("/me", headers=late).status_code == 200
    # The eventually consistent `by_owner` index does not show it (nor any other) yet.
    monkeypatch.setattr(Session.by_owner, "query", lambda *_, **__: iter(()))
    assert run_terminations(drain_queues).items["close"] == 1
    assert client.http.get("/me", headers=late).status_code == 401
    assert client.http.get("/me", headers=customer).status_code == 401
    assert sessions_of(CUSTOMER) == []


def test_a_session_made_before_its_entry_existed_is_found_by_the_index(
    client,
    customer,  # noqa: F811
    drain_queues,
):
    """Sessions made by the code before the entries (`SessionRef`) still end at closure."""
    assert delete_me(client, customer).status_code == 202
    entries = [i for i in partition(CUSTOMER) if i["sk"].startswith("SESSION#")]
    assert len(entries) == 1  # the fixture's login
    hashed = entries[0]["sk"].removeprefix("SESSION#")
    token = customer["Authorization"].removeprefix("Bearer ")
    assert hashed == token_hash(token)
    aws.client("dynamodb").delete_item(
        TableName=get_settings().accounts_table,
        Key={"pk": {"S": f"ACCOUNT#{CUSTOMER}"}, "sk": {"S": entries[0]["sk"]}},
    )
    clock.travel_to(CLOSING_DAY)
    assert run_terminations(drain_queues).items["close"] == 1
    assert client.http.get("/me", headers=customer).status_code == 401
    assert sessions_of(CUSTOMER) == []


def test_a_closed_login_s_failed_attempts_record_nothing_and_answer_like_any(
    client,
    customer,  # noqa: F811
    outbox,
    drain_queues,
):
    active_account(client, outbox, OTHER)
    assert delete_me(client, customer).status_code == 202
    clock.travel_to(CLOSING_DAY)
    assert run_terminations(drain_queues).items["close"] == 1
    kept = sorted(item["sk"] for item in partition(CUSTOMER))
    assert [k.split("#")[0] for k in kept] == ["ACCOUNT", "CONSENT_PROOF"]

    wrong = post(client, "/auth/login", {"login": OTHER, "password": "Zle-Haslo-123456"})
    limit = get_settings().login_max_failures_per_login_source
    answers = [login(client) for _ in range(limit)]  # the right password of the closed login
    assert {(a.status_code, a.body) for a in answers} == {(401, wrong.body)}
    assert login(client).status_code == 429  # every attempt still counted
    assert sorted(item["sk"] for item in partition(CUSTOMER)) == kept  # no login event
    # An active account's failed attempt is recorded as before.
    assert [i["result"] for i in partition(OTHER) if i["sk"].startswith("LOGIN#")] == ["failure"]


def test_a_login_meeting_another_transaction_on_the_account_is_tried_again(
    client,
    customer,  # noqa: F811
    monkeypatch,
):
    """Concurrent attempts on one login check the same account item; DynamoDB cancels one
    of two overlapping transactions (`TransactionConflict`): the login is tried again."""
    conflicts = [2]

    class Meeting(accounts_store.TransactWrite):
        def _commit(self):
            if conflicts[0]:
                conflicts[0] -= 1
                reasons = [CancellationReason(code="TransactionConflict")]
                error = {"Error": {"Code": "TransactionCanceledException"}}
                cause = VerboseClientError(
                    error, "TransactWriteItems", cancellation_reasons=reasons
                )
                raise TransactWriteError("conflict", cause=cause)
            return super()._commit()

    monkeypatch.setattr(accounts_store, "TransactWrite", Meeting)
    assert client.http.get("/me", headers=_bearer_of(login(client))).status_code == 200
    assert conflicts == [0]


def test_a_closed_number_costs_the_same_calls_as_an_unknown_or_an_active_one(
    client,
    customer,  # noqa: F811
    outbox,
    drain_queues,
):
    """No oracle of closed numbers: a failed attempt, and a throttled one (no password check,
    as many as one likes), make the same DynamoDB calls for a closed number as for a
    number never registered and an active one (a closed number's event is a decoy put)."""
    from tests.roundtrips import count_dynamodb_calls

    unknown = "100999"
    active_account(client, outbox, OTHER)
    assert delete_me(client, customer).status_code == 202
    clock.travel_to(CLOSING_DAY)
    assert run_terminations(drain_queues).items["close"] == 1
    limit = get_settings().login_max_failures_per_login_source
    calls = {}
    for number in (CUSTOMER, unknown, OTHER):
        attempts = []
        for _ in range(limit + 1):  # failed ones, then a throttled one
            with count_dynamodb_calls() as made:
                post(client, "/auth/login", {"login": number, "password": "Zle-Haslo-123456"})
            attempts.append(made)
        calls[number] = (attempts[0], attempts[-1])
    assert calls[CUSTOMER] == calls[unknown] == calls[OTHER]
    assert "PutItem" in calls[CUSTOMER][0] and "PutItem" in calls[CUSTOMER][1]
    assert all(not item["sk"].startswith("LOGIN#") for item in partition(CUSTOMER))


def test_a_throttled_login_transaction_is_no_wrong_password(
    client,
    customer,  # noqa: F811
    monkeypatch,
):
    """A cancellation that is not the account's answer (DynamoDB throttling) is an error of
    the service, never a 401 `login_failed` counted against the customer."""

    class Throttled(accounts_store.TransactWrite):
        def _commit(self):
            reasons = [None, CancellationReason(code="ThrottlingError")]
            error = {"Error": {"Code": "TransactionCanceledException"}}
            cause = VerboseClientError(error, "TransactWriteItems", cancellation_reasons=reasons)
            raise TransactWriteError("throttled", cause=cause)

    monkeypatch.setattr(accounts_store, "TransactWrite", Throttled)
    answer = login(client)
    assert answer.status_code >= 500
    assert answer.json_body["error"]["code"] != "login_failed"


def test_a_throttled_release_of_the_counters_spoils_no_successful_login(
    client,
    customer,  # noqa: F811
    monkeypatch,
):
    """After a good password the attempt is taken back from the throttle counters; if
    DynamoDB cancels that (throttling), the counters only stay a little high: the login
    still answers 200 with its session."""
    from chalicelib.storage import throttle as throttle_store

    commits = []

    class ReleaseThrottled(throttle_store.TransactWrite):
        def _commit(self):
            commits.append(self)
            if len(commits) == 1:  # the reservation of the attempt goes through
                return super()._commit()
            reasons = [CancellationReason(code="ThrottlingError")]
            error = {"Error": {"Code": "TransactionCanceledException"}}
            cause = VerboseClientError(error, "TransactWriteItems", cancellation_reasons=reasons)
            raise TransactWriteError("throttled", cause=cause)

    monkeypatch.setattr(throttle_store, "TransactWrite", ReleaseThrottled)
    answer = login(client)
    assert answer.status_code == 200, answer.body
    assert len(commits) == 2  # the reservation, and the release that was cancelled
    me = client.http.get("/me", headers={"Authorization": f"Bearer {answer.json_body['token']}"})
    assert me.status_code == 200
