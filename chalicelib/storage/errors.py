"""Translate PynamoDB write errors by their cause code, once."""

from __future__ import annotations

from pynamodb.exceptions import PynamoDBException


def is_condition_failure(exc: PynamoDBException) -> bool:
    """True when a write failed only because its condition did not hold."""
    return exc.cause_response_code in {
        "ConditionalCheckFailedException",
        "TransactionCanceledException",
    }
