"""An audit entry for every staff action, found by a walk of the app's route table: every
route staff or admins call that is not a GET (and the GETs that read a customer's personal
data) is called as an admin with a valid body, must succeed, and must leave an entry in the
audit log naming its action, the admin and its target - read through the service behind
GET /staff/audit. A new staff route fails here until a case for it is added to `CASES`
(or, with a written reason, to `EXCLUDED`), so none can be left without `audit.record`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain.roles import ADMIN, STAFF
from tests.api.test_isolation import MINE, TICKETS, orders, two_customers
from tests.api.test_permission_matrix import call, routes
from tests.factories import staff_account, staff_bearer

__all__ = ["orders", "two_customers"]  # the fixtures, used below

STAFF_LOGIN, ADMIN_LOGIN = "anna-nowak", "ewa-admin"

# Staff routes left out of the walk, each with its reason.
EXCLUDED = {
    ("POST", "/auth/login/totp"): "the second step of logging in, not an action on anyone's "
    "data; the session it opens is kept in the account's logins (a lock after too many "
    "wrong codes is audited, tests/api/test_staff_login.py)",
    ("POST", "/auth/logout"): "every role's route ending the caller's own session; no data "
    "of anyone else is read or changed",
}
# GET routes whose reading is an audited action (they show a customer's personal data).
AUDITED_READS = {
    ("GET", "/staff/customers/{number}"),
    ("GET", "/staff/tickets/{ticket_id}"),
}


@dataclass(frozen=True)
class Case:
    """One successful call of a route and the audit entry it must leave. `prepare` makes
    what the call acts on and returns its concrete path; `target` names the entry's target
    from the path and the answer's body."""

    prepare: Callable[[], str]
    body: dict[str, Any] | None
    action: str
    target: Callable[[str, dict[str, Any]], str]


def _draft() -> str:
    """A draft announcement written by an operator (not the admin the walk checks)."""
    from chalicelib.domain.announcements import AnnouncementKind, Area
    from chalicelib.services import announcements

    draft = announcements.Draft(
        kind=AnnouncementKind.FAILURE,
        title="Awaria sieci",
        text="Brak wody przy ul. Wodnej.",
        area=Area(whole=False, streets=("ul. Wodna",)),
        starts_at=datetime(2026, 12, 1, tzinfo=UTC),
        ends_at=None,
    )
    return announcements.create("operator", draft).id


def _published() -> str:
    from chalicelib.services import announcements

    identifier = _draft()
    announcements.publish(identifier, "operator")
    return identifier


def _announcement(suffix: str, made: Callable[[], str]) -> Callable[[], str]:
    return lambda: f"/staff/announcements/{made()}{suffix}"


def _fixed(path: str) -> Callable[[], str]:
    return lambda: path


def _last_part(index: int) -> Callable[[str, dict[str, Any]], str]:
    """The target named by a path segment ("ticket:" + the id in /staff/tickets/{id}/…)."""
    kinds = {"tickets": "ticket", "customers": "customer", "announcements": "announcement"}

    def target(path: str, _answer: dict[str, Any]) -> str:
        parts = path.strip("/").split("/")
        return f"{kinds[parts[index - 1]]}:{parts[index]}"

    return target


TICKET = f"/staff/tickets/{TICKETS[MINE]}"
ANNOUNCEMENT_BODY = {
    "kind": "planned_works",
    "title": "Prace na sieci",
    "text": "W godzinach 8–14 możliwe spadki ciśnienia.",
    "postal_codes": ["41-709"],
    "starts_at": "2026-12-10T08:00:00+01:00",
    "ends_at": "2026-12-11T14:00:00+01:00",
}
TERMS_BODY = {
    "version": "2027-01",
    "title": "Regulamin IBOK",
    "text": "§1. Nowa wersja regulaminu IBOK.",
    "effective_from": "2027-01-01T00:00:00+01:00",
}

# Every walked route: its cases (a route doing two audited things has one case each).
CASES: dict[tuple[str, str], tuple[Case, ...]] = {
    ("POST", "/staff/announcements"): (
        Case(
            _fixed("/staff/announcements"),
            ANNOUNCEMENT_BODY,
            "announcement.created",
            lambda _path, answer: f"announcement:{answer['id']}",
        ),
    ),
    ("PATCH", "/staff/announcements/{announcement_id}"): (
        Case(
            _announcement("", _draft),
            {"title": "Prace na sieci wodociągowej"},
            "announcement.changed",
            _last_part(2),
        ),
    ),
    ("POST", "/staff/announcements/{announcement_id}/publish"): (
        Case(_announcement("/publish", _draft), {}, "announcement.published", _last_part(2)),
    ),
    ("POST", "/staff/announcements/{announcement_id}/withdraw"): (
        Case(
            _announcement("/withdraw", _published),
            {"note": "Prace zakończone."},
            "announcement.withdrawn",
            _last_part(2),
        ),
    ),
    ("GET", "/staff/customers/{number}"): (
        Case(_fixed(f"/staff/customers/{MINE}"), None, "customer.viewed", _last_part(2)),
    ),
    ("POST", "/staff/customers/{number}/deactivate"): (
        Case(
            _fixed(f"/staff/customers/{MINE}/deactivate"),
            {"reason": "Wniosek klienta."},
            "customer.deactivated",
            _last_part(2),
        ),
    ),
    ("POST", "/staff/terms"): (
        Case(
            _fixed("/staff/terms"),
            TERMS_BODY,
            "terms.published",
            lambda _path, answer: f"terms:{answer['version']}",
        ),
    ),
    ("GET", "/staff/tickets/{ticket_id}"): (
        Case(_fixed(TICKET), None, "ticket.viewed", _last_part(2)),
    ),
    ("POST", "/staff/tickets/{ticket_id}/assign"): (
        Case(
            _fixed(f"{TICKET}/assign"), {"assignee": STAFF_LOGIN}, "ticket.assigned", _last_part(2)
        ),
    ),
    ("POST", "/staff/tickets/{ticket_id}/messages"): (
        Case(
            _fixed(f"{TICKET}/messages"),
            {"body": "Dzień dobry, sprawdzamy odczyt."},
            "ticket.replied",
            _last_part(2),
        ),
        Case(
            _fixed(f"{TICKET}/messages"),
            {"body": "Notatka dla zespołu.", "internal": True},
            "ticket.noted",
            _last_part(2),
        ),
    ),
    ("POST", "/staff/tickets/{ticket_id}/status"): (
        Case(_fixed(f"{TICKET}/status"), {"status": "in_progress"}, "ticket.status_changed",
             _last_part(2)),
    ),
}  # fmt: skip
# Walked last: it ends customer A's account, which the calls before it need.
LAST = {("POST", "/staff/customers/{number}/deactivate")}


def staff_actions(app: Any) -> set[tuple[str, str]]:
    """(method, path template) of every route the walk must cover: staff or admin routes
    that are not GETs, and the audited reads."""
    found = set()
    for method, path, operation in routes(app):
        if not {STAFF, ADMIN} & set(operation.roles):
            continue
        if method != "GET" or (method, path) in AUDITED_READS:
            found.add((method, path))
    return found


def logged() -> Counter[tuple[str, str, str]]:
    """(action, actor, target) of every entry of today, as GET /staff/audit reads them."""
    from chalicelib.services import staff

    page = staff.audit_log(limit=1000)
    assert page.next_cursor is None
    return Counter((e.action, e.actor, e.target) for e in page.items)


def test_every_staff_route_has_a_case_or_a_reason(app):
    walked = staff_actions(app)
    missing = sorted(walked - set(CASES) - set(EXCLUDED))
    assert missing == [], (
        f"staff routes without a case: {missing} - add a valid body and the audit entry it "
        "must leave to CASES in tests/api/test_audit_walk.py (or a reason to EXCLUDED)"
    )
    stale = sorted((set(CASES) | set(EXCLUDED) | AUDITED_READS) - walked)
    assert stale == [], f"no such staff routes (any more): {stale}"
    assert all(reason.strip() for reason in EXCLUDED.values())


@pytest.fixture
def admin(client, two_customers) -> dict[str, str]:
    staff_account(STAFF_LOGIN)  # the assignee
    return staff_bearer(client, ADMIN_LOGIN, staff_account(ADMIN_LOGIN, ADMIN))


def test_every_staff_action_leaves_an_audit_entry(app, client, admin):
    walked = staff_actions(app)
    missing = sorted(walked - set(CASES) - set(EXCLUDED))
    assert missing == [], f"add cases for {missing} to CASES in tests/api/test_audit_walk.py"
    order = sorted(walked - set(EXCLUDED), key=lambda route: (route in LAST, route[1], route[0]))
    unaudited = []
    for method, template in order:
        for case in CASES[(method, template)]:
            path = case.prepare()
            before = logged()
            answer = call(client, method, path, admin, case.body)
            assert 200 <= answer.status_code < 300, (method, path, answer.body)
            entry = (case.action, ADMIN_LOGIN, case.target(path, answer.json_body or {}))
            if (logged() - before)[entry] != 1:
                unaudited.append((method, template, entry))
    assert unaudited == []
    assert len(order) >= 11
