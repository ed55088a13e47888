"""Marks that make a reset e-mail go out once per request and account, however often the
queue delivers the request: claim (conditional), send, mark done; release if sending fails."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.models.accounts import ResetMailMark
from chalicelib.storage.errors import is_condition_failure


def claim(request_id: str, login: str, now: int, lease: int, expires_at: int) -> str | None:
    """Claim the e-mail of request `request_id` to `login`; return the claim, or None when
    it is done already or another delivery is sending it. A claim older than `lease`
    seconds was left by a run that died mid-way and is taken over. TTL removes the mark
    after `expires_at` (epoch seconds)."""
    value = secrets.token_hex(8)
    mark = ResetMailMark(*ResetMailMark.key(request_id, login))
    try:
        mark.update(
            actions=[
                ResetMailMark.claim.set(value),
                ResetMailMark.claimed_at.set(now),
                ResetMailMark.expires_at.set(datetime.fromtimestamp(expires_at, UTC)),
            ],
            condition=ResetMailMark.done_at.does_not_exist()
            & (
                ResetMailMark.claimed_at.does_not_exist() | (ResetMailMark.claimed_at < now - lease)
            ),
        )
    except UpdateError as exc:
        if is_condition_failure(exc):
            return None
        raise
    return value


def release(request_id: str, login: str, value: str) -> None:
    """Give a claim back after a failed send, so that the queue's retry sends the e-mail."""
    mark = ResetMailMark(*ResetMailMark.key(request_id, login))
    try:
        mark.delete(condition=ResetMailMark.claim == value)
    except DeleteError as exc:
        if not is_condition_failure(exc):  # taken over meanwhile: the new claimant answers
            raise


def done(request_id: str, login: str, now: int) -> None:
    """Record that the request needs nothing more for `login` (sent, or over the limit)."""
    ResetMailMark(*ResetMailMark.key(request_id, login)).update(
        actions=[ResetMailMark.done_at.set(now), ResetMailMark.claim.remove()]
    )
