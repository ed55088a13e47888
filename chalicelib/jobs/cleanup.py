"""`cleanup`: what TTL does not remove.

TTL (`expires_at`) removes sessions, one-time tokens, login events (180 days), throttle
counters, reset-mail marks, the jobs' marks and expired registrations in the accounts
table. The service table has no TTL; what piles up there by date is removed here:

- the complaint digest's daily marks (`DIGEST#<day>`), kept `DIGEST_MARK_DAYS` (90):
  their keys are computed from the date, so each is one DeleteItem, no read at all
  (task `digest_mark`, items = ISO days; the 30 days before the cut-off, so missed runs
  catch up);
- pending e-mail changes whose confirmation link has ended (`EMAIL_CHANGE_HOURS`): the
  new address stays on the account item otherwise (the tokens go by TTL). Read: the
  accounts table's sparse `email_changes` index, `<day the link ends>` for the last 30
  days and today; task `email_change` (items = logins) removes the change in a write
  conditional on its link having ended (a change started anew has a later end and stays;
  one ending later today is taken the next day).
"""

from __future__ import annotations

from datetime import date, timedelta

from chalicelib.domain.lifecycle import due_days
from chalicelib.jobs import fanout
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.storage import accounts as accounts_store
from chalicelib.storage import tickets as tickets_store

JOB = "cleanup"
DIGEST_MARK_DAYS = 90


def cleanup(deps: Collaborators | None = None) -> fanout.Enqueued:
    """Queue the deletion of the digest marks past their keeping and of the pending e-mail
    changes whose link ended."""
    deps = deps or current()
    today = deps.clock.today()
    cut_off = today - timedelta(days=DIGEST_MARK_DAYS)
    email_changes = [
        login
        for day in due_days(today)
        for login in accounts_store.logins_with_email_change_ending(day)
    ]
    work = {
        "digest_mark": [day.isoformat() for day in due_days(cut_off)],
        "email_change": email_changes,
    }
    return fanout.enqueue(JOB, today, work, deps)


@fanout.task(JOB, "digest_mark")
def digest_mark(day: str, _day: date, _deps: Collaborators) -> None:
    """Delete one day's complaint digest mark."""
    tickets_store.delete_digest_mark(date.fromisoformat(day))


@fanout.task(JOB, "email_change")
def email_change(login: str, _day: date, deps: Collaborators) -> None:
    """Remove one account's pending e-mail change if its link has ended."""
    accounts_store.end_expired_email_change(login, deps.clock.now())
