"""Which failed writes are the data's answer (a condition, a concurrent transaction) and
which are the service's trouble (throttling, validation, a lost answer): the second kind
must be raised and retried, never taken for "refused" or "sent already"."""

from __future__ import annotations

import pytest
from botocore.exceptions import ReadTimeoutError
from pynamodb.exceptions import (
    CancellationReason,
    PutError,
    TransactWriteError,
    UpdateError,
    VerboseClientError,
)

from chalicelib.storage.errors import cancellation_codes, is_condition_failure


def cancelled(*codes: str | None) -> TransactWriteError:
    reasons = [None if code is None else CancellationReason(code=code) for code in codes]
    error = {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}}
    cause = VerboseClientError(error, "TransactWriteItems", cancellation_reasons=reasons)
    return TransactWriteError("cancelled", cause=cause)


def failed(error_type: type, code: str) -> Exception:
    cause = VerboseClientError({"Error": {"Code": code, "Message": "no"}}, "UpdateItem")
    return error_type("failed", cause=cause)


@pytest.mark.parametrize(
    ("codes", "answer"),
    [
        (("ConditionalCheckFailed",), True),
        ((None, "ConditionalCheckFailed"), True),
        (("None", "ConditionalCheckFailed"), True),  # DynamoDB's "None" for an item without one
        (("TransactionConflict",), True),
        (("ConditionalCheckFailed", "TransactionConflict"), True),
        (("ThrottlingError",), False),
        ((None, "ThrottlingError"), False),
        (("ConditionalCheckFailed", "ThrottlingError"), False),
        (("ValidationError",), False),
        (("ProvisionedThroughputExceeded",), False),
        ((), False),  # no reason given: nothing says the data refused
        ((None, "None"), False),
    ],
)
def test_a_cancelled_transaction_is_a_condition_failure_only_for_the_datas_reasons(codes, answer):
    assert is_condition_failure(cancelled(*codes)) is answer


@pytest.mark.parametrize(
    ("code", "answer"),
    [
        ("ConditionalCheckFailedException", True),
        ("ProvisionedThroughputExceededException", False),
        ("ThrottlingException", False),
        ("ValidationException", False),
    ],
)
@pytest.mark.parametrize("error_type", [PutError, UpdateError])
def test_a_single_write_is_a_condition_failure_only_by_its_code(error_type, code, answer):
    assert is_condition_failure(failed(error_type, code)) is answer


def test_a_lost_answer_is_no_condition_failure():
    timeout = ReadTimeoutError(endpoint_url="https://dynamodb.eu-central-1.amazonaws.com")
    assert is_condition_failure(PutError("timed out", cause=timeout)) is False
    assert is_condition_failure(TransactWriteError("timed out", cause=timeout)) is False
    assert is_condition_failure(PutError("no cause")) is False


def test_the_codes_leave_out_the_items_without_a_reason():
    assert cancellation_codes(cancelled(None, "None", "TransactionConflict")) == {
        "TransactionConflict"
    }
    assert cancellation_codes(failed(PutError, "ConditionalCheckFailedException")) == set()
