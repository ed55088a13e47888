"""The customer's personal data, all of it, for `GET /me/export` (GDPR art. 15 and 20):
the account (never a hash, token or secret), what the billing system knows of them, the
terms accepted and every consent decision, a pending e-mail change and until when it can
be confirmed, the e-mail suppression (address, reason, time), the live sessions (created,
last seen, IP, browser; never a token hash), login history, notifications, tickets with the
messages the customer can see (never internal notes) and their attachments' names, types
and sizes (never the files), the readings they submitted and the online payments they
started (with the e-mail given to the payment provider).

Not a hot path, but no Scan: 6 + T DynamoDB round trips besides the session, T being the
customer's tickets (the account GetItem, the strongly consistent Query of the sessions'
entries in the account's partition and one BatchGetItem of the sessions, the login
history Query, the billing partition's one Query, the `by_customer` index Query per page
of 100 tickets, and one Query per ticket for its messages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.accounts import Account, ActiveSession, LoginEvent
from chalicelib.domain.errors import NotFound
from chalicelib.domain.payments import Order
from chalicelib.domain.records import Customer, Reading
from chalicelib.domain.terms import TermsAcceptance
from chalicelib.domain.tickets import Thread
from chalicelib.services import notifications
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.settings import get_settings
from chalicelib.storage import account_records
from chalicelib.storage import accounts as account_store
from chalicelib.storage import summary as billing_store
from chalicelib.storage import tickets as ticket_store

TICKET_PAGE = 100


@dataclass(frozen=True)
class PersonalData:
    """Everything the portal keeps about one customer, as of `exported_at`."""

    exported_at: datetime
    account: Account
    customer: Customer | None
    terms: tuple[TermsAcceptance, ...]
    pending_email_until: datetime | None  # while an e-mail change waits for confirmation
    sessions: list[ActiveSession]
    login_history: list[LoginEvent]
    notifications: list[dict]
    tickets: list[Thread]  # customer-visible messages and events only
    readings: list[Reading]  # the ones the customer submitted
    payments: list[Order]  # online payments started in the portal


def notifications_of(login: str) -> list[dict]:
    """Every notification recorded for the customer, newest first (one Query per 100)."""
    found: list[dict] = []
    cursor: str | None = None
    while True:
        page = notifications.page(login, 100, cursor)
        found += [
            {
                "kind": str(n.kind),
                "title": n.title,
                "channels": [str(c) for c in n.channels],
                "sent_at": n.sent_at.isoformat(),
                "state": n.state,
            }
            for n in page.items
        ]
        cursor = page.next_cursor
        if cursor is None:
            return found


def _terms(account: Account) -> tuple[TermsAcceptance, ...]:
    """Every acceptance kept; an account older than the history shows its latest one."""
    if account.terms_history:
        return account.terms_history
    return (TermsAcceptance(version=account.terms_version, at=account.terms_accepted_at),)


def _customer_visible(thread: Thread) -> Thread:
    return Thread(
        ticket=thread.ticket,
        messages=[m for m in thread.messages if not m.internal],
        events=[e for e in thread.events if e.customer_visible],
        attachments=thread.attachments,
    )


def _tickets(login: str) -> list[Thread]:
    threads: list[Thread] = []
    cursor: str | None = None
    while True:
        page = ticket_store.customer_tickets(login, TICKET_PAGE, cursor)
        for ticket in page.items:
            thread = ticket_store.thread(ticket.id)
            if thread is not None and thread.ticket.customer == login:
                threads.append(_customer_visible(thread))
        cursor = page.next_cursor
        if not cursor:
            return threads


def export(login: str, deps: Collaborators | None = None) -> PersonalData:
    """All of the customer's personal data (see the module docstring for its cost)."""
    now = (deps or current()).clock.now()
    account = account_store.get_account(login)
    if account is None:
        raise NotFound()
    billing = billing_store.read_customer(login)
    idle = get_settings().session_idle_minutes * 60
    return PersonalData(
        exported_at=now,
        account=account,
        customer=billing.customer,
        terms=_terms(account),
        pending_email_until=account.email_change_until if account.pending_email else None,
        sessions=account_records.active_sessions(login, now, idle),
        login_history=account_store.recent_login_events(login, limit=None),
        notifications=notifications_of(login),
        tickets=_tickets(login),
        readings=[r for r in billing.readings if r.source == "customer"],
        payments=[o for o in billing.ledger.orders if o.customer_number == login],
    )
