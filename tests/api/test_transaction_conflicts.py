"""A transaction DynamoDB cancels for a concurrent one on the same items is tried again;
one it cancels for throttling is an error of the service, never the data's refusal (a
one-time link is not spent nor refused for it)."""

from __future__ import annotations

import pytest
from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

from chalicelib.storage import accounts as accounts_store
from tests.factories import post, register_body, seed_customer


def cancelled_first(monkeypatch, reason: str, times: int) -> list:
    """The accounts' transactions: the next `times` commits are cancelled for `reason`."""
    commits: list = []

    class Cancelled(accounts_store.TransactWrite):
        def _commit(self):
            commits.append(reason)
            if len(commits) <= times:
                reasons = [CancellationReason(code=reason), None]
                error = {"Error": {"Code": "TransactionCanceledException", "Message": reason}}
                cause = VerboseClientError(
                    error, "TransactWriteItems", cancellation_reasons=reasons
                )
                raise TransactWriteError(reason, cause=cause)
            return super()._commit()

    monkeypatch.setattr(accounts_store, "TransactWrite", Cancelled)
    return commits


@pytest.fixture
def activation_token(client, outbox, aws_env):
    seed_customer()
    body = register_body()
    assert post(client, "/auth/register", body).status_code == 201
    return outbox.token_in_last(body["email"])


def test_an_activation_meeting_a_concurrent_transaction_is_tried_again(
    client, activation_token, monkeypatch
):
    commits = cancelled_first(monkeypatch, "TransactionConflict", times=2)
    answer = post(client, "/auth/activate", {"token": activation_token})
    assert answer.status_code == 200, answer.body
    assert len(commits) == 3
    assert accounts_store.get_account("100200").status == "active"


def test_a_throttled_activation_leaves_the_link_unspent(client, activation_token, monkeypatch):
    cancelled_first(monkeypatch, "ThrottlingError", times=1)
    answer = post(client, "/auth/activate", {"token": activation_token})
    assert answer.status_code >= 500
    assert accounts_store.get_account("100200").status == "pending"
    again = post(client, "/auth/activate", {"token": activation_token})
    assert again.status_code == 200, again.body
