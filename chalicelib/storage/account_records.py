"""Reads for the customer's copy of their data (services/personal_data.py): their live
sessions and the end of their pending e-mail change, from the accounts table.

Kept apart from storage/accounts.py, whose session and token functions serve login; these
only read. No Scan: the sessions are one Query of the `by_owner` index (keys only) and one
BatchGetItem per 100; the pending change's end is one GetItem of its token."""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.exceptions import DoesNotExist

from chalicelib.domain.accounts import ActiveSession
from chalicelib.models.accounts import OneTimeToken, Session


def active_sessions(login: str, now: datetime, idle_seconds: int) -> list[ActiveSession]:
    """The sessions of `login` still usable at `now` (not past their absolute end, not idle
    longer than `idle_seconds`), newest first; never their token hashes."""
    keys = [
        (item.pk, "SESSION")
        for item in Session.by_owner.query(login, Session.pk.startswith("SESSION#"))
    ]
    moment = int(now.timestamp())
    live = [
        s
        for s in Session.batch_get(keys)
        if s.owner == login
        and int(s.absolute_expires) > moment
        and int(s.last_seen) > moment - idle_seconds
    ]
    return [
        ActiveSession(
            created_at=s.created_at,
            last_seen=datetime.fromtimestamp(int(s.last_seen), UTC),
            ip=s.ip,
            user_agent=s.user_agent,
        )
        for s in sorted(live, key=lambda s: s.created_at, reverse=True)
    ]


def email_change_until(change_id: str) -> datetime | None:
    """Until when the pending e-mail change with this id (its confirmation token's hash)
    can be confirmed; None if its token is gone or used."""
    try:
        item = OneTimeToken.get(*OneTimeToken.key(change_id), consistent_read=True)
    except DoesNotExist:
        return None
    if item.used_at is not None:
        return None
    return datetime.fromtimestamp(int(item.valid_until), UTC)
