"""Roles: deny by default. Every non-public route names the roles it admits; customer routes
admit only customers, so a system account (integration, staff) gets 403 on every one of
them; and a system login can never be a customer number.

403, not 404: the routes are public knowledge (the OpenAPI document lists them with their
roles), so a 404 would hide nothing; 404 stays for objects (another customer's invoice),
whose existence is the customer's business."""

from __future__ import annotations

import json

import pytest
from chalice import Blueprint

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.roles import EVERY_ROLE
from chalicelib.http.endpoint import endpoint
from chalicelib.services.system_accounts import create_system_account
from tests.factories import PASSWORD, active_account, bearer, customer_line, import_lines

SYSTEM_LOGIN = "billing-system"


def operations(app):
    """(method, path, operation) of every route declared through `endpoint`."""
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            operation = getattr(entry.view_function, "__openapi__", None)
            if operation is not None:
                yield method, path, operation


def concrete(path: str) -> str:
    return path.replace("{", "").replace("}", "")


@pytest.fixture
def system_headers(aws_env, client):
    create_system_account(SYSTEM_LOGIN, "it@wodociagi.example", PASSWORD, "integration")
    return bearer(client, SYSTEM_LOGIN, PASSWORD)


def test_every_route_is_declared_through_endpoint_and_names_its_roles(app):
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            if path.startswith("/_local"):
                continue  # local stage pages (tests/api/test_local_only.py)
            assert hasattr(entry.view_function, "__openapi__"), (method, path)
    checked = 0
    for method, path, operation in operations(app):
        if operation.public:
            assert operation.roles == frozenset(), (method, path)
            continue
        assert operation.roles, (method, path)
        assert operation.roles <= set(EVERY_ROLE), (method, path)
        checked += 1
    assert checked >= 20


def test_customer_routes_admit_customers_only(app):
    customer_routes = [
        (m, p) for m, p, op in operations(app) if not op.public and op.roles == {"customer"}
    ]
    assert ("GET", "/invoices") in customer_routes and ("POST", "/payments") in customer_routes
    other = {(m, p): op.roles for m, p, op in operations(app) if not op.public}
    assert other[("GET", "/integration/readings")] == {"integration", "staff", "admin"}
    assert other[("POST", "/auth/logout")] == set(EVERY_ROLE)  # anyone may end a session


def test_an_integration_account_gets_403_on_every_customer_route(
    app, client, outbox, system_headers
):
    active_account(client, outbox, "100200")  # customer data exists
    walked = 0
    for method, path, operation in operations(app):
        if operation.public or "customer" not in operation.roles or path == "/auth/logout":
            continue
        assert "integration" not in operation.roles, (method, path)
        response = client.http.request(
            method,
            concrete(path),
            headers={**system_headers, "Content-Type": "application/json"},
            body=json.dumps({"invoices": [], "value": "1"}).encode(),
        )
        assert response.status_code == 403, (method, path, response.status_code)
        error = response.json_body["error"]
        assert error["code"] == "forbidden" and error["message"], (method, path)
        walked += 1
    assert walked >= 20
    # Its own route answers, and it can log out.
    assert client.http.get("/integration/readings", headers=system_headers).status_code == 200
    logout = client.http.post("/auth/logout", headers=system_headers)
    assert logout.status_code == 204


def test_a_customer_gets_403_on_system_routes(client, outbox, aws_env):
    active_account(client, outbox, "100200")
    response = client.http.get("/integration/readings", headers=bearer(client, "100200"))
    assert response.status_code == 403


def test_a_route_naming_no_roles_is_a_customer_route_and_empty_roles_are_refused():
    bp = Blueprint("tests.roles_probe")

    @endpoint(bp, "/probe", summary="x")
    def probe(_req):
        return None

    assert probe.__openapi__.roles == {"customer"}
    for roles in ((), ("root",), "customer"):
        with pytest.raises(ValueError, match="roles"):
            endpoint(bp, "/probe2", summary="x", roles=roles)
    with pytest.raises(ValueError, match="public"):
        endpoint(bp, "/probe3", summary="x", public=True, roles=("staff",))


@pytest.mark.parametrize("login", ["k100200", "abc123", "wk-100-2", "ab-1"])
def test_a_system_login_that_looks_like_a_customer_number_is_refused(aws_env, login):
    with pytest.raises(InvalidInput) as refused:
        create_system_account(login, "it@wodociagi.example", PASSWORD, "integration")
    assert "numer klienta" in refused.value.fields["login"]


@pytest.mark.parametrize("number", ["system-billing", "SYSTEM-BILLING"])
def test_a_system_login_equal_to_a_customer_number_is_refused(aws_env, number):
    report = import_lines([customer_line(number)])
    assert report.invalid == 0, report.errors
    with pytest.raises(InvalidInput) as refused:
        create_system_account("system-billing", "it@wodociagi.example", PASSWORD, "staff")
    assert "numerem klienta" in refused.value.fields["login"]


def test_a_word_login_is_accepted(aws_env):
    account = create_system_account("staff-anna", "anna@wodociagi.example", PASSWORD, "staff")
    assert account.role == "staff"
