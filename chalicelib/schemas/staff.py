"""Bodies of the /staff routes (the back office)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from chalicelib.schemas.base import Schema, Strict
from chalicelib.schemas.ledger import PageQuery
from chalicelib.schemas.me import LoginAttempt
from chalicelib.schemas.staff_tickets import StaffTicketSummary


class StaffMe(Schema):
    """The logged-in staff member: who they are and what their role lets them do."""

    login: str
    email: str
    role: Literal["staff", "admin"]
    idle_timeout_minutes: int = Field(description="Po tylu minutach bezczynności sesja wygasa.")


class StaffAccountView(Schema):
    """A customer's portal account as staff see it: never a hash, token or secret."""

    login: str
    email: str
    phone: str | None
    status: str
    created_at: str
    activated_at: str | None
    terms_version: str
    terms_accepted_at: str
    termination_started_at: str | None = Field(
        description="Początek 14-dniowego okresu wypowiedzenia (konto dezaktywowane)."
    )


class StaffCustomerRecord(Schema):
    """The billing system's record of the customer."""

    name: str
    kind: str
    service_address: str
    correspondence_address: str | None
    email: str | None
    phone: str | None
    contract_status: str


class StaffCustomer(Schema):
    """What the back office shows of a customer."""

    number: str
    account: StaffAccountView | None
    customer: StaffCustomerRecord | None
    logins: list[LoginAttempt]
    tickets: list[StaffTicketSummary] = Field(description="Najnowsze zgłoszenia klienta.")

    @classmethod
    def from_result(cls, file: Any) -> StaffCustomer:
        """From `services.staff.CustomerFile`."""
        account = file.account
        customer = file.customer

        def address(a: Any) -> str | None:
            return f"{a.street}, {a.postal_code} {a.city}" if a else None

        def iso(value: Any) -> str | None:
            return value.isoformat() if value else None

        return cls(
            number=file.number,
            account=StaffAccountView(
                login=account.login,
                email=account.email,
                phone=account.phone,
                status=str(account.status),
                created_at=account.created_at.isoformat(),
                activated_at=iso(account.activated_at),
                terms_version=account.terms_version,
                terms_accepted_at=account.terms_accepted_at.isoformat(),
                termination_started_at=iso(account.termination_started_at),
            )
            if account
            else None,
            customer=StaffCustomerRecord(
                name=customer.name,
                kind=str(customer.kind),
                service_address=address(customer.service_address) or "",
                correspondence_address=address(customer.correspondence_address),
                email=customer.email,
                phone=customer.phone,
                contract_status=str(customer.contract_status),
            )
            if customer
            else None,
            logins=[
                LoginAttempt(at=e.at.isoformat(), ip=e.ip, user_agent=e.user_agent, result=e.result)
                for e in file.logins
            ],
            tickets=[StaffTicketSummary.from_ticket(t) for t in file.tickets],
        )


class Deactivated(Schema):
    """A deactivated account: the 14-day termination runs from `termination_started_at`."""

    number: str
    status: str
    termination_started_at: str
    termination_ends_at: str


class ImportReportOut(Schema):
    """One report of the billing import."""

    key: str
    batch: str
    written_at: str
    size: int


class ImportReports(Schema):
    """Import reports, newest first."""

    items: list[ImportReportOut]
    next_cursor: str | None

    @classmethod
    def from_result(cls, page: Any) -> ImportReports:
        """From a page of `adapters.import_reports.ImportReportFile`."""
        return cls(
            items=[
                ImportReportOut(
                    key=r.key, batch=r.batch, written_at=r.written_at.isoformat(), size=r.size
                )
                for r in page.items
            ],
            next_cursor=page.next_cursor,
        )


class AuditQuery(PageQuery):
    """The audit log: one target's entries, or one UTC day's (today by default)."""

    target: str | None = Field(None, max_length=200, description="Np. customer:100200.")
    day: dt.date | None = Field(None, description="Dzień (UTC), domyślnie dziś.")


class AuditEntryOut(Schema):
    """One audit entry."""

    at: str
    actor: str
    action: str
    target: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditLog(Schema):
    """Audit entries, newest first."""

    items: list[AuditEntryOut]
    next_cursor: str | None

    @classmethod
    def from_result(cls, page: Any) -> AuditLog:
        """From a page of `domain.audit.AuditEntry`."""
        return cls(
            items=[
                AuditEntryOut(
                    at=e.at.isoformat(),
                    actor=e.actor,
                    action=e.action,
                    target=e.target,
                    before=e.before,
                    after=e.after,
                )
                for e in page.items
            ],
            next_cursor=page.next_cursor,
        )


class DeactivateRequest(Strict):
    """Deactivating a customer's account: why (kept in the audit log)."""

    reason: str | None = Field(None, max_length=500, description="Powód (do dziennika).")
