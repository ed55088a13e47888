"""The permission matrix: every route of the app's route table, called as anonymous,
customer A, customer B (with A's objects), staff whose second factor is still to come,
staff and admin. The outcome each call must have comes from the route's declaration
(public, roles, `before_second_factor`) and from whose object the path names, so a new
route is walked as soon as it exists; one whose path parameters the walk cannot fill fails
until a concrete call for it is added here (or to tests/api/test_isolation.object_paths).

Outcomes: `unauthorized` (401, no session), `second_factor_required` (401, staff without
the TOTP code), `forbidden` (403, a role the route does not name), `terms_not_accepted`
(403, a customer held back by the terms gate: every customer route but the account's own,
declared `before_terms`), `not_found` (404, another customer's object), `admitted` (the
access gate let the call through: no gate code, no 5xx, and the object of A found by A)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib import clock
from chalicelib.domain.roles import ADMIN, CUSTOMER, STAFF
from tests.api.test_isolation import (
    MINE,
    THEIRS,
    TICKETS,
    object_paths,
    orders,
    route_of,
    two_customers,
)
from tests.factories import bearer, staff_account, staff_bearer

__all__ = ["orders", "two_customers"]  # the fixtures, used below

GATE_CODES = {"unauthorized", "forbidden", "second_factor_required", "terms_not_accepted"}
STAFF_LOGIN, ADMIN_LOGIN = "anna-nowak", "ewa-admin"
# Walked last: it ends customer A's account, which the calls before it need.
LAST = {("POST", "/staff/customers/{number}/deactivate")}

CALLERS = ("anonymous", "customer_a", "customer_b", "staff_pending", "staff", "admin")
ROLE = {
    "anonymous": None,
    "customer_a": CUSTOMER,
    "customer_b": CUSTOMER,
    "staff_pending": STAFF,
    "staff": STAFF,
    "admin": ADMIN,
}


def routes(app: Any) -> Iterator[tuple[str, str, Any]]:
    """(method, path template, operation) of every route but the local stage's pages."""
    for path, methods in app.routes.items():
        if path.startswith("/_local"):
            continue
        for method, entry in methods.items():
            yield method, path, entry.view_function.__openapi__


def staff_object_paths(customer: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every staff call that names an object of `customer` (method, path, body)."""
    ticket = f"/staff/tickets/{TICKETS[customer]}"
    return [
        ("GET", ticket, None),
        ("POST", f"{ticket}/assign", {"assignee": STAFF_LOGIN}),
        ("POST", f"{ticket}/messages", {"body": "Notatka.", "internal": True}),
        ("POST", f"{ticket}/status", {"status": "in_progress"}),
    ]


def announcement_paths(identifier: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every staff call that names an announcement (not a customer's object)."""
    path = f"/staff/announcements/{identifier}"
    return [
        ("PATCH", path, {"title": "Prace na sieci"}),
        ("POST", f"{path}/publish", {}),
        ("POST", f"{path}/withdraw", {"note": "Prace zakończone."}),
    ]


def concrete(
    method: str, template: str, order: str, announcement: str = "-"
) -> tuple[str, Any, bool]:
    """The path and body of the call, and whether it names an object of customer A."""
    for m, path, body in announcement_paths(announcement):
        if m == method and "{" in template and route_of(template).match(path):
            return path, body, False
    for m, path, body in object_paths(MINE, order) + staff_object_paths(MINE):
        if m == method and (
            path == template or ("{" in template and route_of(template).match(path))
        ):
            return path, body, True
    if "{number}" in template:
        return template.replace("{number}", MINE), {}, False
    assert "{" not in template, f"{method} {template}: add a concrete call to the matrix"
    return template, {}, False


def expected(operation: Any, caller: str, names_object_of_a: bool, terms_due: bool = False) -> str:
    """The outcome the declaration gives this caller (`terms_due`: a customer who has not
    accepted the terms version in effect)."""
    if operation.public:
        return "admitted"
    role = ROLE[caller]
    if role is None:
        return "unauthorized"
    if role not in operation.roles:
        return "forbidden"
    if caller == "staff_pending" and not operation.before_second_factor:
        return "second_factor_required"
    if terms_due and role == CUSTOMER and not operation.before_terms:
        return "terms_not_accepted"
    if caller == "customer_b" and names_object_of_a:
        return "not_found"
    return "admitted"


def outcome(response: Any, names_object_of_a: bool) -> str:
    """What the call's answer says, in the matrix's terms."""
    error = (response.json_body or {}).get("error", {}) if response.body else {}
    code = error.get("code") if isinstance(error, dict) else None
    if code in GATE_CODES:
        return code
    if response.status_code == 404 and names_object_of_a:
        return "not_found"
    assert response.status_code < 500, response.body
    return "admitted"


def session(client: Any, caller: str, secrets: dict[str, str]) -> dict[str, str]:
    """A fresh session of `caller` (its Authorization header)."""
    return {
        "anonymous": lambda: {},
        "customer_a": lambda: bearer(client, MINE),
        "customer_b": lambda: bearer(client, THEIRS),
        "staff_pending": lambda: staff_bearer(client, STAFF_LOGIN),
        "staff": lambda: staff_bearer(client, STAFF_LOGIN, secrets[STAFF_LOGIN]),
        "admin": lambda: staff_bearer(client, ADMIN_LOGIN, secrets[ADMIN_LOGIN]),
    }[caller]()


def call(client: Any, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
    return client.http.request(
        method,
        path,
        headers={"Content-Type": "application/json", **headers},
        body=json.dumps(body).encode() if method != "GET" else b"",
    )


@pytest.fixture
def announcement(two_customers) -> str:
    """A draft announcement the staff routes name."""
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


def test_every_route_answers_every_caller_as_its_declaration_says(
    app, client, two_customers, orders, announcement
):
    secrets = {
        STAFF_LOGIN: staff_account(STAFF_LOGIN),
        ADMIN_LOGIN: staff_account(ADMIN_LOGIN, ADMIN),
    }
    walk = sorted(routes(app), key=lambda r: ((r[0], r[1]) in LAST, r[1], r[0]))
    headers = {caller: session(client, caller, secrets) for caller in CALLERS}
    wrong = []
    admitted = 0
    for method, template, operation in walk:
        path, body, names_object_of_a = concrete(method, template, orders[MINE], announcement)
        for caller in CALLERS:
            want = expected(operation, caller, names_object_of_a)
            got = outcome(call(client, method, path, headers[caller], body), names_object_of_a)
            if got != want:
                wrong.append((method, template, caller, want, got))
            admitted += want == "admitted"
            if got == "admitted" and method != "GET" and not operation.public:
                # The call may have ended its session (logout, a password change).
                headers[caller] = session(client, caller, secrets)
    assert wrong == []
    assert len(walk) >= 40 and admitted >= 60


def test_a_customer_who_has_not_accepted_the_terms_reaches_only_their_account(
    app, client, two_customers, orders
):
    """A terms version takes effect that customer A has not accepted: every customer route
    answers `terms_not_accepted` but those declared `before_terms`; other callers are as
    before (customer B is walked too, before they accept: what names A's objects is then
    refused by the gate first)."""
    from chalicelib.services import terms

    version = terms.NewVersion("2099-01", "Regulamin", "§1. Nowa wersja regulaminu.", clock.now())
    terms.publish("operator", version)
    walk = sorted(routes(app), key=lambda r: ((r[0], r[1]) in LAST, r[1], r[0]))
    headers = {caller: session(client, caller, {}) for caller in ("customer_a", "customer_b")}
    wrong = []
    held = 0
    for method, template, operation in walk:
        if CUSTOMER not in operation.roles:
            continue
        path, body, names_object_of_a = concrete(method, template, orders[MINE])
        for caller in headers:
            want = expected(operation, caller, names_object_of_a, terms_due=True)
            got = outcome(call(client, method, path, headers[caller], body), names_object_of_a)
            if got != want:
                wrong.append((method, template, caller, want, got))
            held += want == "terms_not_accepted"
            if method != "GET":
                headers[caller] = session(client, caller, {})
    assert wrong == []
    assert held >= 40


def test_the_matrix_expects_what_the_rules_say():
    """The derivation itself, on declarations made up for it."""
    from chalicelib.http.endpoint import Operation

    def op(roles=(), public=False, before=False):
        return Operation(
            "x",
            None,
            None,
            200,
            public,
            (),
            (),
            roles=frozenset(roles),
            before_second_factor=before,
        )

    staff_route = op({STAFF, ADMIN})
    assert [expected(staff_route, c, False) for c in CALLERS] == [
        "unauthorized", "forbidden", "forbidden", "second_factor_required", "admitted", "admitted",
    ]  # fmt: skip
    customer_route = op({CUSTOMER})
    assert [expected(customer_route, c, True) for c in CALLERS] == [
        "unauthorized", "admitted", "not_found", "forbidden", "forbidden", "forbidden",
    ]  # fmt: skip
    totp_route = op({STAFF, ADMIN}, before=True)
    assert expected(totp_route, "staff_pending", False) == "admitted"
    assert expected(op(public=True), "anonymous", False) == "admitted"
    assert expected(op({ADMIN}), "staff", False) == "forbidden"


# The access policy written out by hand, apart from the declarations the matrix walks: a
# route declared with the wrong roles (or left public, or let past the second factor or
# the terms gate) fails here even though the matrix, derived from its declaration, agrees
# with itself. A new route follows its path's rule or is named below.
PUBLIC = {
    ("GET", "/announcements"),
    ("GET", "/health"),
    ("GET", "/openapi.json"),
    ("GET", "/terms"),
    ("POST", "/auth/register"),
    ("POST", "/auth/activate"),
    ("POST", "/auth/login"),
    ("POST", "/auth/password/forgot"),
    ("POST", "/auth/password/reset"),
    ("POST", "/auth/email/confirm"),
    ("POST", "/auth/email/cancel"),
    ("POST", "/payments/notify/bluemedia"),
    ("GET", "/payments/return/bluemedia"),
    ("GET", "/unsubscribe"),
    ("POST", "/unsubscribe"),
}
ADMIN_ONLY = {("GET", "/staff/audit"), ("GET", "/staff/terms"), ("POST", "/staff/terms")}
EVERY_ROLE = {("POST", "/auth/logout")}
BEFORE_SECOND_FACTOR = {("POST", "/auth/login/totp"), ("POST", "/auth/logout")}
INTEGRATION = "integration"  # the billing system's account


def policy(method: str, path: str) -> tuple[bool, frozenset[str], bool, bool]:
    """(public, roles, before the second factor, before the terms) the rules give."""
    route = (method, path)
    if route in PUBLIC:
        return True, frozenset(), False, False
    if route in EVERY_ROLE:
        roles = frozenset({CUSTOMER, STAFF, ADMIN, INTEGRATION})
    elif route in ADMIN_ONLY:
        roles = frozenset({ADMIN})
    elif path.startswith("/staff/") or path == "/auth/login/totp":
        roles = frozenset({STAFF, ADMIN})
    elif path.startswith("/integration/"):
        roles = frozenset({INTEGRATION, STAFF, ADMIN})
    else:
        roles = frozenset({CUSTOMER})
    before_terms = route in EVERY_ROLE or path == "/me" or path.startswith("/me/")
    return False, roles, route in BEFORE_SECOND_FACTOR, before_terms


def test_every_declaration_follows_the_written_access_policy(app):
    declared = {
        (method, path): (
            operation.public,
            frozenset(operation.roles),
            operation.before_second_factor,
            operation.before_terms,
        )
        for method, path, operation in routes(app)
    }
    wrong = {route: got for route, got in declared.items() if got != policy(*route)}
    assert wrong == {}
    assert set(declared) >= PUBLIC | ADMIN_ONLY | BEFORE_SECOND_FACTOR  # no stale entries
