"""Reads for the customer's copy of their data (services/personal_data.py): their live
sessions, from the accounts table.

Kept apart from storage/accounts.py, whose session and token functions serve login; these
only read. No Scan: the sessions are one strongly consistent Query of their entries in the
account's partition (`SessionRef`, written with every session) and one BatchGetItem per
100."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.accounts import ActiveSession
from chalicelib.models.accounts import Session, SessionRef


def active_sessions(login: str, now: datetime, idle_seconds: int) -> list[ActiveSession]:
    """The sessions of `login` still usable at `now` (not past their absolute end, not idle
    longer than `idle_seconds`), newest first; never their token hashes."""
    entries = SessionRef.query(
        f"ACCOUNT#{login}", SessionRef.sk.startswith(SessionRef.PREFIX), consistent_read=True
    )
    keys = [Session.key(entry.sk.removeprefix(SessionRef.PREFIX)) for entry in entries]
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
