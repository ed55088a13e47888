"""States of a portal account and of the attempts on it, as stored and shown."""

from __future__ import annotations

from enum import StrEnum


class AccountStatus(StrEnum):
    """A portal account's state."""

    PENDING = "pending"  # registered, waiting for activation (removed by TTL if never)
    ACTIVE = "active"
    DISABLED = "disabled"


class LoginResult(StrEnum):
    """How one login attempt ended (the customer's login history)."""

    SUCCESS = "success"
    FAILURE = "failure"
    THROTTLED = "throttled"
