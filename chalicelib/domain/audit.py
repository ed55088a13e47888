"""The audit log of staff actions: one entry says who did what to which target, when, and
what the target looked like before and after (never a hash, token or password)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

# Any field whose name contains one of these is left out of an entry's before and after,
# at any depth: the log records what changed, never a credential.
SECRET_FIELD_PARTS = ("hash", "token", "password", "secret", "totp", "otp", "pepper", "key")


class AuditAction(StrEnum):
    """What a staff member did (the audit entries' `action`); other issues add theirs."""

    CUSTOMER_VIEWED = "customer.viewed"  # reading a customer's personal data
    CUSTOMER_DEACTIVATED = "customer.deactivated"
    CUSTOMER_CLOSED = "customer.closed"  # §7 day 14: the terminations job closed it
    STAFF_ACCOUNT_CREATED = "staff.created"
    STAFF_TOTP_LOCKED = "staff.totp_locked"  # too many failed codes in a row
    STAFF_TOTP_RESET = "staff.totp_reset"  # a new secret issued by an operator
    TICKET_VIEWED = "ticket.viewed"  # reading a ticket (the customer's personal data)
    TICKET_ASSIGNED = "ticket.assigned"
    TICKET_REPLIED = "ticket.replied"
    TICKET_NOTED = "ticket.noted"  # an internal note
    TICKET_STATUS_CHANGED = "ticket.status_changed"
    ANNOUNCEMENT_CREATED = "announcement.created"
    ANNOUNCEMENT_CHANGED = "announcement.changed"
    ANNOUNCEMENT_PUBLISHED = "announcement.published"
    ANNOUNCEMENT_WITHDRAWN = "announcement.withdrawn"
    TERMS_PUBLISHED = "terms.published"


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the audit log."""

    actor: str  # the staff login (or an operator command's name)
    action: str  # an `AuditAction` value, or another issue's dotted action name
    target: str  # what was acted on, e.g. "customer:100200"
    at: datetime
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def is_secret_field(name: str) -> bool:
    """True when a field of that name may hold a credential and stays out of the log."""
    lowered = name.lower()
    return any(part in lowered for part in SECRET_FIELD_PARTS)


def redact(state: dict[str, Any] | None) -> dict[str, Any] | None:
    """`state` without its secret fields, at any depth; values as JSON-ready plain data
    (times in ISO 8601, anything else not JSON as its text)."""
    if state is None:
        return None
    return {key: _plain(value) for key, value in state.items() if not is_secret_field(key)}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return redact(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)  # Decimal, date, enums, floats: their text, exactly
