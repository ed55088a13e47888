"""Translate PynamoDB write errors by their cause code, once."""

from __future__ import annotations

from pynamodb.exceptions import PynamoDBException


def is_condition_failure(exc: PynamoDBException) -> bool:
    """True when a write failed only because its condition did not hold. (A cause without
    a response, such as a read timeout, is no condition failure: PynamoDB's own
    `cause_response_code` raises AttributeError on it instead.)"""
    response = getattr(exc.cause, "response", None) or {}
    return response.get("Error", {}).get("Code") in {
        "ConditionalCheckFailedException",
        "TransactionCanceledException",
    }
