"""`cleanup`: what TTL does not remove.

TTL (`expires_at`) removes sessions, one-time tokens, login events (180 days), throttle
counters, reset-mail marks, the jobs' marks and expired registrations in the accounts
table. The service table has no TTL; what piles up there by date is removed here:

- the complaint digest's daily marks (`DIGEST#<day>`), kept `DIGEST_MARK_DAYS` (90):
  their keys are computed from the date, so each is one DeleteItem, no read at all
  (task `digest_mark`, items = ISO days; the 30 days before the cut-off, so missed runs
  catch up).

Not here (left to their owners, see docs/jobs.md): expired pending e-mail changes stay on
the account until the next change, a password change or closure; an attachment slot
whose upload never came stays pending on its ticket.
"""

from __future__ import annotations

from datetime import date, timedelta

from chalicelib.domain.lifecycle import due_days
from chalicelib.jobs import fanout
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.storage import tickets as tickets_store

JOB = "cleanup"
DIGEST_MARK_DAYS = 90


def cleanup(deps: Collaborators | None = None) -> fanout.Enqueued:
    """Queue the deletion of the digest marks past their keeping."""
    deps = deps or current()
    today = deps.clock.today()
    cut_off = today - timedelta(days=DIGEST_MARK_DAYS)
    return fanout.enqueue(
        JOB, today, {"digest_mark": [day.isoformat() for day in due_days(cut_off)]}, deps
    )


@fanout.task(JOB, "digest_mark")
def digest_mark(day: str, _day: date, _deps: Collaborators) -> None:
    """Delete one day's complaint digest mark."""
    tickets_store.delete_digest_mark(date.fromisoformat(day))
