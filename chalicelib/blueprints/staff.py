"""The staff's back office (roles `staff` and `admin`, with the second factor given): who
is logged in, customers, their deactivation, the import reports, the audit log (admins)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalice import Blueprint

from chalicelib.domain.roles import ADMIN, STAFF_ROLES
from chalicelib.http.endpoint import ApiRequest, endpoint
from chalicelib.lazy import lazy_module
from chalicelib.settings import get_settings

bp = Blueprint(__name__)
schemas = lazy_module("chalicelib.schemas.staff")
staff = lazy_module("chalicelib.services.staff")


@endpoint(
    bp,
    "/staff/me",
    summary="Zalogowany pracownik: login, adres e-mail, rola",
    returns="staff:StaffMe",
    errors=(401, 403, 404),
    roles=STAFF_ROLES,
)
def staff_me(req: ApiRequest) -> Any:
    account = staff.staff_member(req.user.login)
    return schemas.StaffMe(
        login=account.login,
        email=account.email,
        role=account.role,
        idle_timeout_minutes=get_settings().staff_session_idle_minutes,
    )


@endpoint(
    bp,
    "/staff/customers/{number}",
    summary="Klient: konto, dane z systemu rozliczeniowego, historia logowań",
    returns="staff:StaffCustomer",
    errors=(401, 403, 404),
    roles=STAFF_ROLES,
)
def customer(req: ApiRequest, number: str) -> Any:
    return schemas.StaffCustomer.from_result(staff.view_customer(req.user.login, number))


@endpoint(
    bp,
    "/staff/customers/{number}/deactivate",
    "POST",
    summary="Dezaktywacja konta klienta (początek 14-dniowego wypowiedzenia)",
    body="staff:DeactivateRequest",
    returns="staff:Deactivated",
    errors=(401, 403, 404, 409),
    roles=STAFF_ROLES,
)
def deactivate(req: ApiRequest, number: str) -> Any:
    account = staff.deactivate_customer(req.user.login, number, req.body.reason)
    started = account.termination_started_at
    return schemas.Deactivated(
        number=number,
        status=str(account.status),
        termination_started_at=started.isoformat(),
        termination_ends_at=(started + timedelta(days=staff.termination_days())).isoformat(),
    )


@endpoint(
    bp,
    "/staff/imports",
    summary="Raporty importu danych z systemu rozliczeniowego, od najnowszych",
    query="ledger:PageQuery",
    returns="staff:ImportReports",
    errors=(400, 401, 403),
    roles=STAFF_ROLES,
)
def imports(req: ApiRequest) -> Any:
    page = staff.import_report_list(req.query.cursor, req.query.limit)
    return schemas.ImportReports.from_result(page)


@endpoint(
    bp,
    "/staff/audit",
    summary="Dziennik zdarzeń obsługi (administratorzy)",
    query="staff:AuditQuery",
    returns="staff:AuditLog",
    errors=(400, 401, 403),
    roles=(ADMIN,),
)
def audit_log(req: ApiRequest) -> Any:
    q = req.query
    return schemas.AuditLog.from_result(staff.audit_log(q.target, q.day, q.cursor, q.limit))
