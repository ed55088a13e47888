"""The regulations' §7 termination of a portal account (docs/jobs.md, "Termination").

It starts when the customer resigns (`DELETE /me`, password required), when staff
deactivate the account (services/staff.py), or when the billing import marks the contract
ended (the terminations job reads the billing table's `contracts_ended` index). On day 0
the customer is told (a transactional e-mail, `tell_customer`) that access ends in
`TERMINATION_DAYS` days and to download the e-invoices now; on the closing day the
terminations job closes the account (`close`): sessions and tokens end, login stops, and
the portal's personal data is erased, while the billing data the utility must keep stays.

Only a resignation can be withdrawn, before the closing day (`withdraw_resignation`):
staff deactivation is staff's decision, and an ended contract is the billing system's fact.
A resignation or an ended contract keeps the account usable until it closes; a
deactivation ends access at once (issue 12) and only its erasure waits for day 14.
"""

from __future__ import annotations

from datetime import date

from chalicelib.adapters import uploads
from chalicelib.domain.accounts import Account, AccountStatus
from chalicelib.domain.audit import AuditAction
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.lifecycle import (
    ERASED,
    Termination,
    TerminationReason,
    closing_day,
)
from chalicelib.domain.notifications import NotificationKind
from chalicelib.domain.records import Customer
from chalicelib.domain.tickets import pending_key, quarantine_key
from chalicelib.logs import logger
from chalicelib.services import audit
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.services.notifications import notify
from chalicelib.services.sessions import check_current_password
from chalicelib.settings import get_settings
from chalicelib.storage import accounts as accounts_store
from chalicelib.storage import billing, job_marks
from chalicelib.storage import lifecycle as store
from chalicelib.storage import tickets as tickets_store

NOTICE_JOB = "termination-notice"  # its own mark: one notice per termination start
CLOSING_ACTOR = "job:terminations"  # the audit log's actor of a closure
ALREADY_RUNNING = "Rezygnacja z konta już trwa. Możesz ją wycofać przed dniem zamknięcia."
NOTHING_TO_WITHDRAW = "Nie ma rezygnacji, którą można wycofać."


def tell_customer(
    account: Account, termination: Termination, context: dict, deps: Collaborators
) -> None:
    """Send the customer the day-0 notice: a transactional notification (sent whatever the
    consents, not to a suppressed address), once per termination start (its natural key
    `termination_notice:<start day>`)."""
    notify(
        account.login,
        NotificationKind.TERMINATION_NOTICE,
        context,
        key=f"termination_notice:{termination.started_on.isoformat()}",
        account=account,
        deps=deps,
    )


def _notice_context(account: Account, termination: Termination) -> dict:
    return {
        "login": account.login,
        "reason": str(termination.reason),
        "closing_on": termination.closing_on.strftime("%d.%m.%Y"),
        "days": get_settings().termination_days,
        "access_until_closing": account.status == AccountStatus.ACTIVE,
        "withdrawable": termination.withdrawable,
        "link": f"{get_settings().public_url}/faktury",
    }


def send_notice(login: str, deps: Collaborators | None = None) -> bool:
    """Send the day-0 notice of the termination running on `login`, once (a job mark per
    start day), and list the account under its closing day. False when there is nothing
    to tell (no termination, noticed already). Raises if the e-mail fails (the claim is
    given back, and the account stays listed for the terminations job to retry)."""
    deps = deps or current()
    account = accounts_store.get_account(login)
    termination = account.termination if account else None
    if account is None or termination is None:
        return False
    day = termination.started_on.isoformat()
    if not job_marks.claim(NOTICE_JOB, day, login, deps.clock.now()):
        store.notice_sent(login, termination.started_on, termination.closing_on)
        return False
    try:
        context = _notice_context(account, termination)
        tell_customer(account, termination, context, deps)
    except Exception:
        job_marks.release(NOTICE_JOB, day, login)
        raise
    job_marks.done(NOTICE_JOB, day, login, deps.clock.now())
    store.notice_sent(login, termination.started_on, termination.closing_on)
    return True


def _notice_now(login: str, deps: Collaborators) -> None:
    """Tell the customer at once; if the e-mail fails the terminations job sends it."""
    try:
        send_notice(login, deps)
    except Exception:
        logger.exception("termination notice failed; the terminations job will retry")


def _start(login: str, reason: TerminationReason, deps: Collaborators) -> date | None:
    today = deps.clock.today()
    closing_on = closing_day(today, get_settings().termination_days)
    if not store.start_termination(login, reason, deps.clock.now(), today, closing_on):
        return None
    return closing_on


def resign(
    login: str, password: str, session: str, deps: Collaborators | None = None
) -> Termination:
    """The customer resigns (`DELETE /me`): with the current password (re-checked and
    throttled like every re-authentication), the termination starts today and the notice
    goes out. Conflict if one is running already."""
    deps = deps or current()
    account = accounts_store.get_account(login)
    if account is None:
        raise NotFound()
    if account.closing_on is not None:
        raise Conflict(ALREADY_RUNNING)
    check_current_password(account, password, "password", session, deps)
    if _start(login, TerminationReason.RESIGNATION, deps) is None:
        raise Conflict(ALREADY_RUNNING)
    _notice_now(login, deps)
    started = accounts_store.get_account(login)
    termination = started.termination if started else None
    if termination is None:  # closed or withdrawn in between: nothing runs
        raise Conflict(NOTHING_TO_WITHDRAW)
    return termination


def withdraw_resignation(login: str) -> Account:
    """Withdraw the customer's own resignation before the closing day: the account is as
    before (the notice's mark stays, harmlessly). Conflict when none runs."""
    if not store.withdraw_resignation(login):
        raise Conflict(NOTHING_TO_WITHDRAW)
    try:  # the contract ended meanwhile: its termination runs instead
        start_if_contract_ended(login, billing.customer(login))
    except Exception:  # the withdrawal stands either way
        logger.exception("termination of an ended contract not started at withdrawal")
    account = accounts_store.get_account(login)
    if account is None:
        raise NotFound()
    return account


def contract_ended(customer_number: str, deps: Collaborators | None = None) -> bool:
    """The billing import marked the customer's contract ended: start the termination of
    the portal account, if an active one exists and none runs, and tell the customer.
    False when nothing started (no account, not active, or running already)."""
    deps = deps or current()
    account = accounts_store.get_account(customer_number)
    if account is None or account.role != "customer" or account.status != AccountStatus.ACTIVE:
        return False
    if _start(customer_number, TerminationReason.CONTRACT_ENDED, deps) is None:
        return False
    send_notice(customer_number, deps)
    return True


def start_if_contract_ended(
    login: str, customer: Customer | None, deps: Collaborators | None = None
) -> bool:
    """An account became active (activated, or its resignation withdrawn) while the
    billing import says the customer's contract ended by today (`customer`, the billing
    record): the termination starts now, so the 14 days count from this notice (if the
    e-mail fails, the terminations job sends it). The job's own listing of the contract
    may be gone by then (it takes a handled one off). True when it started."""
    deps = deps or current()
    ended_on = customer.contract_ended_on if customer else None
    if customer is None or customer.contract_status != "terminated" or ended_on is None:
        return False
    if ended_on > deps.clock.today():  # a later end: the job starts it on that day
        return False
    if _start(login, TerminationReason.CONTRACT_ENDED, deps) is None:
        return False
    _notice_now(login, deps)
    return True


def deactivated(login: str, deps: Collaborators | None = None) -> None:
    """Staff deactivated the account (its termination was recorded in the same write):
    tell the customer now."""
    _notice_now(login, deps or current())


def close(login: str, deps: Collaborators | None = None) -> bool:
    """Close an account whose closing day has come (§7, day 14), and erase the portal's
    personal data of the customer:

    - the account becomes a tombstone: login, status, dates, why it ended, terms version
      and the consent decisions (kind, decision, text version, time, source: the proof
      the utility must keep); e-mail, phone, password hash, pending changes, TOTP removed;
    - sessions and one-time tokens deleted (login stops at once), login history deleted;
    - tickets keep the complaint record (reference, kind, category, invoice/meter, status
      history, dates) but lose the description, location, phone, every message's text and
      the attachments (files deleted, names erased);
    - online payment orders lose the e-mail address (the orders are billing data);
    - the notifications sent and the marks of their keys are erased.

    The billing data the utility must keep (customer record, invoices, payments,
    balances, meters, readings, contracts, documents) stays. The audit log gets one
    entry with ids only. True when this call closed it; a retried closure (the account
    closed already) erases again, idempotently, and returns False."""
    deps = deps or current()
    account = accounts_store.get_account(login)
    termination = account.termination if account else None
    closed_now = store.close_account(login, deps.clock.today(), deps.clock.now())
    if not closed_now and not store.is_closed(login):
        return False
    store.keep_consent_proof(login)  # its own item: a new registration replaces the tombstone
    accounts_store.delete_sessions_of(login)
    accounts_store.delete_all_tokens_of(login)
    store.erase_login_history(login)
    store.erase_notifications(login)
    for ticket in tickets_store.erase_customer_tickets(login, ERASED):
        uploads.delete(
            *ticket.attachment_keys,
            *(pending_key(ticket.id, attachment) for attachment in ticket.attachment_ids),
            *(quarantine_key(ticket.id, attachment) for attachment in ticket.attachment_ids),
        )
    store.erase_payment_emails(login)
    if closed_now:
        audit.record(
            CLOSING_ACTOR,
            AuditAction.CUSTOMER_CLOSED,
            f"customer:{login}",
            after={
                "status": AccountStatus.CLOSED,
                "reason": termination.reason if termination else None,
                "closing_on": termination.closing_on if termination else None,
            },
            deps=deps,
        )
    return closed_now
