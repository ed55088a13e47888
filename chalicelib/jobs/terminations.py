"""`terminations`: the regulations' §7 termination, day 0 and day 14 (services/termination.py).

Read, for the last 30 days and today (each a Query of a date-keyed sparse index):

- `contracts_ended` (billing table): customers whose contract the billing import marked
  ended that day -> task `contract_ended` (start the termination, tell the customer, and
  take the customer off the index);
- `lifecycle` `notice#<day>` (accounts): terminations whose day-0 notice did not go out
  when they started (the e-mail failed) -> task `notice`;
- `lifecycle` `closing#<day>` (accounts): accounts whose closing day has come -> task
  `close` (sessions end, personal data erased, billing data kept).

Each step is a conditional write, and each item runs once a day (fanout.py marks), so a
second run the same day does nothing twice; a withdrawn resignation has left the index."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.lifecycle import LifecycleStep, due_days
from chalicelib.jobs import fanout
from chalicelib.services import termination
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.storage import lifecycle as store

JOB = "terminations"


def terminations(deps: Collaborators | None = None) -> fanout.Enqueued:
    """List today's termination work by date and queue it."""
    deps = deps or current()
    today = deps.clock.today()
    days = due_days(today)
    return fanout.enqueue(
        JOB,
        today,
        {
            "contract_ended": [n for d in days for n in store.customers_whose_contract_ended(d)],
            "notice": [n for d in days for n in store.logins_due(LifecycleStep.NOTICE, d)],
            "close": [n for d in days for n in store.logins_due(LifecycleStep.CLOSING, d)],
        },
        deps,
    )


@fanout.task(JOB, "contract_ended")
def contract_ended(customer_number: str, day: date, deps: Collaborators) -> None:
    """Start the termination of an ended contract's account (if any) and tell the customer;
    then take the customer off the index (an account activated or restored later checks
    the contract itself: termination.start_if_contract_ended)."""
    termination.contract_ended(customer_number, deps)
    store.contract_end_seen(customer_number, day)


@fanout.task(JOB, "notice")
def notice(login: str, _day: date, deps: Collaborators) -> None:
    """Send a day-0 notice that did not go out when the termination started."""
    termination.send_notice(login, deps)


@fanout.task(JOB, "close")
def close(login: str, _day: date, deps: Collaborators) -> None:
    """Close one account whose closing day has come."""
    termination.close(login, deps)
