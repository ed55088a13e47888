"""The staff's back office: who the logged-in staff member is, a customer's account as
staff see it with their tickets (reading it is audited), deactivation (the start of the
regulations' 14-day termination, audited), the billing import's reports, and the audit log
(admins)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.adapters import import_reports
from chalicelib.adapters.import_reports import ImportReportFile
from chalicelib.domain.accounts import Account, AccountStatus, LoginEvent
from chalicelib.domain.audit import AuditAction, AuditEntry
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.lifecycle import closing_day
from chalicelib.domain.records import Customer
from chalicelib.domain.roles import STAFF_ROLES
from chalicelib.domain.tickets import Ticket
from chalicelib.paging import DEFAULT_LIMIT, Page, paginate
from chalicelib.services import audit, termination
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.settings import get_settings
from chalicelib.storage import accounts as store
from chalicelib.storage import tickets as ticket_store

LOGIN_HISTORY = 20
TICKET_HISTORY = 20


def termination_days() -> int:
    """Days from a termination's start to the account's closing (`TERMINATION_DAYS`)."""
    return get_settings().termination_days


@dataclass(frozen=True)
class CustomerFile:
    """What staff see of a customer: the portal account (if any), the billing record (if
    any), the newest login attempts and the newest tickets."""

    number: str
    account: Account | None
    customer: Customer | None
    logins: list[LoginEvent]
    tickets: list[Ticket]


def customer_target(number: str) -> str:
    """The audit log's name of a customer."""
    return f"customer:{number}"


def view_customer(actor: str, number: str, deps: Collaborators | None = None) -> CustomerFile:
    """A customer's account, billing record and login history; NotFound if the number has
    neither. Audited: reading a customer's personal data is a staff action."""
    account, customer = store.get_account_with_customer(number)
    if account is not None and account.role != "customer":
        account = None  # a system login is nobody's customer number
    if account is None and customer is None:
        raise NotFound("Nie ma klienta o tym numerze.")
    logins = store.recent_login_events(number, LOGIN_HISTORY) if account else []
    tickets = ticket_store.customer_tickets(number, TICKET_HISTORY).items
    audit.record(actor, AuditAction.CUSTOMER_VIEWED, customer_target(number), deps=deps)
    return CustomerFile(number, account, customer, logins, tickets)


def staff_member(login: str) -> Account:
    """The logged-in staff member's own account (who they are and their role), for the
    back office's pages; NotFound if the login is no longer a staff account."""
    account = store.get_account(login)
    if account is None or account.role not in STAFF_ROLES:
        raise NotFound("Nie ma takiego konta obsługi.")
    return account


def deactivate_customer(
    actor: str, number: str, reason: str | None = None, deps: Collaborators | None = None
) -> Account:
    """Deactivate a customer's active account: its sessions end and the 14-day termination
    starts now (recorded on the account). Audited with the state before and after."""
    deps = deps or current()
    account = store.get_account(number)
    if account is None or account.role != "customer":
        raise NotFound("Nie ma konta klienta o tym numerze.")
    if account.status != AccountStatus.ACTIVE:
        raise Conflict("To konto nie jest aktywne.")
    now = deps.clock.now()
    today = deps.clock.today()
    closing_on = closing_day(today, get_settings().termination_days)
    if not store.deactivate(number, now, today, closing_on):
        raise Conflict("To konto nie jest aktywne.")
    store.delete_sessions_of(number)
    audit.record(
        actor,
        AuditAction.CUSTOMER_DEACTIVATED,
        customer_target(number),
        before={"status": account.status},
        after={
            "status": AccountStatus.DEACTIVATED,
            "termination_started_at": now,
            "closing_on": closing_on,
            "reason": reason,
        },
        deps=deps,
    )
    termination.deactivated(number, deps)
    return store.get_account(number) or account


def import_report_list(
    cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> Page[ImportReportFile]:
    """The billing import's reports, newest first, a page at a time."""
    return paginate(import_reports.list_reports(), lambda report: report.key, cursor, limit)


def audit_log(
    target: str | None = None,
    day: date | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    deps: Collaborators | None = None,
) -> Page[AuditEntry]:
    """The audit log (admins): the entries about one target, or of one UTC day (today
    unless given), newest first."""
    if target:
        return audit.entries_about(target, cursor, limit)
    return audit.entries_of_day(day, cursor, limit, deps=deps)
