"""`cleanup`: what TTL does not remove.

TTL (`expires_at`) removes sessions, one-time tokens, login events (180 days), throttle
counters, reset-mail marks, the jobs' marks and expired registrations in the accounts
table (the service table has none). What they do not reach is removed here:

- the complaint digest's daily marks (`DIGEST#<day>`), kept `DIGEST_MARK_DAYS` (90):
  their keys are computed from the date, so each is one DeleteItem, no read at all
  (task `digest_mark`, items = ISO days; the 30 days before the cut-off, so missed runs
  catch up);
- pending e-mail changes whose confirmation link has ended (`EMAIL_CHANGE_HOURS`): the
  new address stays on the account item otherwise (the tokens go by TTL). Read: the
  accounts table's sparse `email_changes` index, `<day the link ends>` for the last 30
  days and today; task `email_change` (items = logins) removes the change in a write
  conditional on its link having ended (a change started anew has a later end and stays;
  one ending later today is taken the next day);
- ticket attachments whose upload never came: the slot (one of five) and the file's name
  stay pending on the ticket otherwise. Read: `uploads#pending` in the service table's
  `announcements` index, those asked for more than `STALE_UPLOAD_DAYS` (15) ago, when the
  data bucket's `ExpireStaleTicketUploads` rule has removed any file under
  tickets-pending/ (an upload whose check failed and waits in the dead-letter queue, 14
  days, is still checked on a redrive); task `upload` (items = `<ticket>|<attachment>`)
  deletes the attachment, if still pending, and gives its slot back.
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
# The data bucket's ExpireStaleTicketUploads rule (infra/stateful.yaml): after this, a
# pending attachment's file is gone, so its upload can never be checked.
STALE_UPLOAD_DAYS = 15


def cleanup(deps: Collaborators | None = None) -> fanout.Enqueued:
    """Queue the deletion of the digest marks past their keeping, of the pending e-mail
    changes whose link ended and of the attachments whose upload never came."""
    deps = deps or current()
    today = deps.clock.today()
    cut_off = today - timedelta(days=DIGEST_MARK_DAYS)
    email_changes = [
        login
        for day in due_days(today)
        for login in accounts_store.logins_with_email_change_ending(day)
    ]
    stale = deps.clock.now() - timedelta(days=STALE_UPLOAD_DAYS)
    work = {
        "digest_mark": [day.isoformat() for day in due_days(cut_off)],
        "email_change": email_changes,
        "upload": tickets_store.stale_uploads(stale),
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


@fanout.task(JOB, "upload")
def upload(item: str, _day: date, deps: Collaborators) -> None:
    """Delete one attachment whose upload never came and give its slot back."""
    ticket, _, attachment = item.partition("|")
    stale = deps.clock.now() - timedelta(days=STALE_UPLOAD_DAYS)
    tickets_store.drop_stale_upload(ticket, attachment, stale)
