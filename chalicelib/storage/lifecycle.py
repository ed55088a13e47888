"""An account's lifecycle steps in the accounts table: listing accounts by the day a step is
due (the sparse `lifecycle` index), and each step as one conditional write that also moves
or removes the index key, so a step is taken once whoever runs it and however often.

Erasure at closure (`close_account`, `erase_login_history`) is here too:
what of the account's partition goes, and what the tombstone keeps."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.domain.accounts import AccountStatus
from chalicelib.domain.lifecycle import LifecycleStep, TerminationReason, lifecycle_key
from chalicelib.models.accounts import Account, AccountsItem, ConsentProof, LoginEvent
from chalicelib.models.billing import BillingItem, CustomerRecord
from chalicelib.models.payments import OnlinePayment
from chalicelib.storage.errors import is_condition_failure

# What a closed account's tombstone loses: every attribute holding personal data or a
# credential. It keeps its key, login (the customer number), role, status, the dates of
# creation, activation, termination and closing, why it ended, the terms version accepted
# and the consent decisions (kind, decision, text version, time, source: the proof the
# utility must keep that a consent was given or withdrawn; no address or number in them).
PERSONAL_ATTRIBUTES = (
    Account.email,
    Account.email_key,
    Account.phone,
    Account.password_hash,
    Account.password_changed_at,
    Account.pending_email,
    Account.email_change_id,
    Account.email_change_until,
    Account.email_change_day,
    Account.totp_secret,
    Account.totp_last_step,
    Account.pending_until,
    Account.expires_at,
    Account.suppressed_email,
    Account.suppressed_reason,
    Account.suppressed_at,
)


def logins_due(step: LifecycleStep, day: date) -> list[str]:
    """The logins of the accounts whose `step` is due on `day` (one Query of the sparse
    index, keys only; a page is 1 MB, some 20,000 keys)."""
    return [
        item.pk.removeprefix("ACCOUNT#")
        for item in Account.lifecycle.query(lifecycle_key(step, day))
    ]


def customers_whose_contract_ended(day: date) -> list[str]:
    """The customer numbers whose contract ended on `day`, as the billing import recorded
    it (the billing table's sparse `contracts_ended` index)."""
    return [
        item.pk.removeprefix("CUSTOMER#")
        for item in CustomerRecord.contracts_ended.query(day.isoformat())
    ]


def contract_end_seen(customer_number: str, today: date) -> None:
    """Take a customer whose ended contract the terminations job has handled off the
    `contracts_ended` index (the attribute is its key), so the job's 30-day look-back does
    not list it every day again. Conditional on a listing day not after `today`: a later
    end day listed since is kept. A newer import of a changed line lists it again."""
    try:
        CustomerRecord(f"CUSTOMER#{customer_number}", CustomerRecord.SORT_KEY).update(
            actions=[CustomerRecord.contract_ended_on.remove()],
            condition=CustomerRecord.contract_ended_on <= today.isoformat(),
        )
    except UpdateError as exc:
        if not is_condition_failure(exc):
            raise


def _apply(login: str, actions: list[Any], condition: Any) -> bool:
    try:
        Account(*Account.key(login)).update(
            actions=actions, condition=Account.pk.exists() & condition
        )
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def expire_registration(login: str, now: datetime) -> bool:
    """Delete a registration never activated whose link has ended, with its partition's
    login events; False if the account is gone, activated or registered anew meanwhile."""
    try:
        Account(*Account.key(login)).delete(
            condition=(Account.status == AccountStatus.PENDING) & (Account.pending_until < now)
        )
    except DeleteError as exc:
        if is_condition_failure(exc):
            return False
        raise
    erase_login_history(login)
    return True


def start_termination(
    login: str,
    reason: TerminationReason,
    now: datetime,
    started_on: date,
    closing_on: date,
) -> bool:
    """Start the §7 termination of an active customer account that has none running: it
    closes on `closing_on` and its day-0 notice is due (listed under `notice#<started_on>`
    until sent). False if the account is not active or a termination runs already."""
    return _apply(
        login,
        [
            Account.termination_started_at.set(now),
            Account.termination_reason.set(reason),
            Account.closing_on.set(closing_on.isoformat()),
            Account.lifecycle_day.set(lifecycle_key(LifecycleStep.NOTICE, started_on)),
        ],
        (Account.status == AccountStatus.ACTIVE)
        & (Account.role == "customer")
        & Account.closing_on.does_not_exist(),
    )


def notice_sent(login: str, started_on: date, closing_on: date) -> bool:
    """The day-0 notice went out: list the account under its closing day instead. False if
    the termination is no longer the one noticed (withdrawn, or closed)."""
    return _apply(
        login,
        [Account.lifecycle_day.set(lifecycle_key(LifecycleStep.CLOSING, closing_on))],
        (Account.lifecycle_day == lifecycle_key(LifecycleStep.NOTICE, started_on))
        & (Account.closing_on == closing_on.isoformat()),
    )


def withdraw_resignation(login: str) -> bool:
    """End a running resignation (not a deactivation or an ended contract) before its
    closing: the account is as before. False if none is running."""
    return _apply(
        login,
        [
            Account.termination_started_at.remove(),
            Account.termination_reason.remove(),
            Account.closing_on.remove(),
            Account.lifecycle_day.remove(),
        ],
        (Account.status == AccountStatus.ACTIVE)
        & (Account.termination_reason == TerminationReason.RESIGNATION)
        & Account.closing_on.exists(),
    )


def close_account(login: str, today: date, now: datetime) -> bool:
    """Close an account whose termination's closing day has come: it becomes a tombstone
    without personal data (`PERSONAL_ATTRIBUTES` removed). False if it is not due (no
    termination, withdrawn, closing later, or closed already)."""
    return _apply(
        login,
        [
            Account.status.set(AccountStatus.CLOSED),
            Account.closed_at.set(now),
            Account.lifecycle_day.remove(),
            Account.account_shard.remove(),
            *(attribute.remove() for attribute in PERSONAL_ATTRIBUTES),
        ],
        Account.closing_on.exists()
        & (Account.closing_on <= today.isoformat())
        & (Account.status != AccountStatus.CLOSED),
    )


def is_closed(login: str) -> bool:
    """True when the account with this login is a closed account's tombstone."""
    try:
        item = Account.get(*Account.key(login), consistent_read=True, attributes_to_get=["status"])
    except Account.DoesNotExist:
        return False
    return item.status == AccountStatus.CLOSED


def keep_consent_proof(login: str) -> bool:
    """Copy a closed account's consent decisions and terms acceptances to an item of their
    own (ConsentProof, keyed by the closure's time, so a retry writes the same item); False
    when the account is not closed."""
    try:
        tombstone = Account.get(*Account.key(login), consistent_read=True)
    except Account.DoesNotExist:
        return False
    if tombstone.status != AccountStatus.CLOSED or tombstone.closed_at is None:
        return False
    ConsentProof(
        *ConsentProof.key(login, tombstone.closed_at.isoformat()),
        closed_at=tombstone.closed_at,
        consents=tombstone.consents,
        terms_history=tombstone.terms_history,
    ).save()
    return True


def erase_notifications(login: str) -> int:
    """Delete every notification record of `login` and the marks of their natural keys
    (what was sent to the customer, and when); return how many items."""
    doomed = [
        (item.pk, item.sk)
        for prefix in ("NOTE#", "NOTIFYKEY#")
        for item in AccountsItem.query(f"ACCOUNT#{login}", AccountsItem.sk.startswith(prefix))
    ]
    with AccountsItem.batch_write() as batch:
        for pk, sk in doomed:
            batch.delete(AccountsItem(pk, sk))
    return len(doomed)


def erase_login_history(login: str) -> int:
    """Delete every login event of `login` (the IP addresses and browsers it logged in
    from); return how many."""
    doomed = [
        (item.pk, item.sk)
        for item in LoginEvent.query(
            LoginEvent.partition(login), LoginEvent.sk.startswith("LOGIN#")
        )
    ]
    with LoginEvent.batch_write() as batch:
        for pk, sk in doomed:
            batch.delete(LoginEvent(pk, sk))
    return len(doomed)


def erase_payment_emails(customer_number: str) -> int:
    """Remove the e-mail address from the customer's online payment orders (the orders
    themselves are billing data and stay); return how many orders had one."""
    changed = 0
    for order in OnlinePayment.query(
        BillingItem.partition(customer_number),
        OnlinePayment.sk.startswith(OnlinePayment.PREFIX),
        filter_condition=OnlinePayment.email.exists(),
    ):
        order.update(actions=[OnlinePayment.email.remove()])
        changed += 1
    return changed
