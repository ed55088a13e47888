"""Translate PynamoDB write errors by their cause code, once."""

from __future__ import annotations

from pynamodb.exceptions import PynamoDBException, TransactWriteError

# The reasons DynamoDB gives for cancelling a transaction that are the data's answer: a
# condition did not hold, or another transaction was changing one of its items (which a
# compare-and-set treats like a changed item). Any other reason (ThrottlingError,
# ValidationError, ProvisionedThroughputExceeded, ...) says nothing about the data.
ANSWERS_OF_THE_DATA = frozenset({"ConditionalCheckFailed", "TransactionConflict"})


def cancellation_codes(exc: PynamoDBException) -> frozenset[str]:
    """The codes of a cancelled transaction's reasons (without the items that had none)."""
    if not isinstance(exc, TransactWriteError):
        return frozenset()
    reasons = exc.cancellation_reasons or []
    return frozenset(r.code for r in reasons if r is not None and r.code not in (None, "None"))


def is_condition_failure(exc: PynamoDBException) -> bool:
    """True when a write failed only because its condition did not hold (for a transaction:
    every reason DynamoDB gave is a failed condition or a concurrent transaction on one of
    its items). A throttled or invalid transaction is no condition failure, nor is a cause
    without a response, such as a read timeout (PynamoDB's own `cause_response_code`
    raises AttributeError on it instead): the caller raises rather than take it for the
    data's refusal, so a queue's consumer gets its message again and a request answers
    with an error of the service (5xx) the client may retry."""
    response = getattr(exc.cause, "response", None) or {}
    code = response.get("Error", {}).get("Code")
    if code == "ConditionalCheckFailedException":
        return True
    if code != "TransactionCanceledException":
        return False
    codes = cancellation_codes(exc)
    return bool(codes) and codes <= ANSWERS_OF_THE_DATA
