"""`expire-unactivated`: registrations never activated are deleted once their activation
link has ended (`ACTIVATION_DAYS`), so the customer number is free and no personal data of
an abandoned registration stays. TTL (`expires_at`, a day after the link ends) removes the
account item too, eventually (DynamoDB may take days); this job does it on time, with what
TTL does not cover: the partition's login events (kept 180 days otherwise) and the
activation token. Registering again works even before either (storage/accounts.py
`create_account` replaces an expired pending registration).

Read: the accounts table's `lifecycle` index, `activation#<day>` for the last 30 days and
today (a pending account whose link ends later today fails the delete's condition and is
taken the next day). Work: one `expire` item per login (fanout.py)."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.lifecycle import LifecycleStep, due_days
from chalicelib.jobs import fanout
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.storage import accounts as accounts_store
from chalicelib.storage import lifecycle as store

JOB = "expire-unactivated"


def expire_unactivated(deps: Collaborators | None = None) -> fanout.Enqueued:
    """List the registrations whose link ended and queue their removal."""
    deps = deps or current()
    today = deps.clock.today()
    step = LifecycleStep.ACTIVATION
    logins = [login for day in due_days(today) for login in store.logins_due(step, day)]
    return fanout.enqueue(JOB, today, {"expire": logins}, deps)


@fanout.task(JOB, "expire")
def expire(login: str, _day: date, deps: Collaborators) -> None:
    """Delete one expired registration with its login events and tokens (nothing if it was
    activated or registered anew meanwhile)."""
    if store.expire_registration(login, deps.clock.now()):
        accounts_store.delete_all_tokens_of(login)
