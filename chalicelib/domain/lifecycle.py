"""An account's life after registration: activation deadline, the regulations' §7
termination (notice on day 0, closing on day 14) and what a job's date index is keyed by.

Accounts with a step ahead carry `lifecycle_day` = `<step>#<YYYY-MM-DD>` (the accounts
table's sparse `lifecycle` index), so each job reads one small partition per day and the
key moves on (or goes) in the same conditional write that takes the step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

# Days a job looks back for due steps it has not taken yet (a run missed, a batch in the
# dead-letter queue put back): each day is one Query of an index partition.
LOOKBACK_DAYS = 30
# What a withdrawn or erased value is replaced with where the field must stay (tickets).
ERASED = "[usunięto]"


class LifecycleStep(StrEnum):
    """What is due on the day an account is listed under."""

    ACTIVATION = "activation"  # a registration's link ends: removed if still pending
    NOTICE = "notice"  # a termination started and its day-0 notice is still to go out
    CLOSING = "closing"  # the termination's last day has passed: the account closes


class TerminationReason(StrEnum):
    """Why an account's §7 termination started."""

    RESIGNATION = "resignation"  # DELETE /me; the only one the customer can withdraw
    DEACTIVATION = "deactivation"  # staff deactivated the account (issue 12)
    CONTRACT_ENDED = "contract_ended"  # the billing import marked the contract ended


def lifecycle_key(step: LifecycleStep, day: date) -> str:
    """The `lifecycle` index key of `step` due on `day`."""
    return f"{step}#{day.isoformat()}"


def closing_day(started: date, days: int) -> date:
    """The day the account closes: `days` (14) after the termination started; access
    lasts until that day's job run."""
    return started + timedelta(days=days)


def due_days(today: date, lookback: int = LOOKBACK_DAYS) -> list[date]:
    """The days a job reads, oldest first: the last `lookback` days and today."""
    return [today - timedelta(days=back) for back in range(lookback, -1, -1)]


def withdrawable(reason: TerminationReason | str | None) -> bool:
    """Only the customer's own resignation can be withdrawn: staff deactivation is staff's
    decision and an ended contract is the billing system's fact."""
    return reason == TerminationReason.RESIGNATION


@dataclass(frozen=True)
class Termination:
    """A running termination as the customer sees it."""

    reason: TerminationReason
    started_on: date
    closing_on: date

    @property
    def withdrawable(self) -> bool:
        """True when the customer may withdraw it (a resignation)."""
        return withdrawable(self.reason)
