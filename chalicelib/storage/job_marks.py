"""The scheduled jobs' marks: one item per job, day and recipient (models/accounts.py
`JobMark`), so a job's work for one customer happens once a day however often the job
runs or SQS delivers its batch.

A mark is claimed by a conditional put before the work and marked done after it; a failed
piece of work gives its claim back, and a claim whose worker died is free again after
`CLAIM_LEASE_SECONDS` (longer than the consumer's Lambda timeout, shorter than the queue's
visibility timeout, so SQS's redelivery finds it free)."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import PutError

from chalicelib.models.accounts import JobMark
from chalicelib.storage.errors import is_condition_failure

CLAIM_LEASE_SECONDS = 300
MARK_KEPT = timedelta(days=35)  # then TTL removes it: every job looks back 30 days at most


def claim(job: str, day: str, recipient: str, now: datetime) -> bool:
    """Claim `job`'s work for `recipient` on `day`; False if it is done or claimed by a
    live worker."""
    at = int(now.timestamp())
    try:
        JobMark(*JobMark.key(job, day, recipient), claimed_at=at, expires_at=now + MARK_KEPT).save(
            condition=JobMark.pk.does_not_exist()
            | (JobMark.done_at.does_not_exist() & (JobMark.claimed_at < at - CLAIM_LEASE_SECONDS))
        )
    except PutError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def done(job: str, day: str, recipient: str, now: datetime) -> None:
    """Mark the claimed work done."""
    JobMark(*JobMark.key(job, day, recipient)).update(
        actions=[JobMark.done_at.set(int(now.timestamp()))]
    )


def release(job: str, day: str, recipient: str) -> None:
    """Give back a claim whose work failed, so the next delivery or run does it."""
    JobMark(*JobMark.key(job, day, recipient)).delete(condition=JobMark.done_at.does_not_exist())
