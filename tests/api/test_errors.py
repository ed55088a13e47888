"""Every route answers bad input with a 4xx in the one error shape, never a 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import active_account, bearer

MALFORMED = [
    b"",
    b"{",
    b"null",
    b"[]",
    b'"text"',
    b"123",
    b'{"a": 1}',
    json.dumps({"token": {"nested": [1, 2]}}).encode(),
    json.dumps({"login": None, "password": 5, "email": ["x"]}).encode(),
    json.dumps({"customer_number": "x" * 5000, "password": "p" * 5000}).encode(),
    b"\xff\xfe\x00garbage",
    json.dumps({"invoice_gross": 1e308, "consents": "yes", "phone": {"x": 1}}).encode(),
]


def assert_error_shape(response):
    assert 400 <= response.status_code < 500, (response.status_code, response.body)
    error = response.json_body["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    assert "Traceback" not in response.body.decode()


def json_routes(app):
    for path, methods in app.routes.items():
        for method in methods:
            if method in ("POST", "PATCH", "PUT"):
                yield path, method


@pytest.fixture
def auth_headers(client, outbox, aws_env):
    active_account(client, outbox)
    return bearer(client)


def test_malformed_bodies_on_every_route(client, app, auth_headers):
    routes = list(json_routes(app))
    assert len(routes) >= 9
    for path, method in routes:
        for body in MALFORMED:
            for headers in (auth_headers, {}):
                response = client.http.request(
                    method, path, headers={**headers, "Content-Type": "application/json"}, body=body
                )
                if response.status_code < 400 and path == "/auth/logout":
                    continue  # logout takes no body: a valid session logs out
                assert_error_shape(response)


@given(
    body=st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=50),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=20), children, max_size=6)
        ),
        max_leaves=20,
    )
)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_random_json_never_breaks_public_routes(client, app, body):
    for path in (
        "/auth/register",
        "/auth/login",
        "/auth/activate",
        "/auth/password/forgot",
        "/auth/password/reset",
        "/auth/email/confirm",
    ):
        response = client.http.post(
            path, headers={"Content-Type": "application/json"}, body=json.dumps(body)
        )
        assert response.status_code < 500
        if response.status_code >= 400:
            assert_error_shape(response)


def test_wrong_content_type_is_415_in_the_error_shape(client, app):
    response = client.http.post(
        "/auth/login", headers={"Content-Type": "text/plain"}, body="login=1&password=2"
    )
    assert response.status_code == 415
    assert_error_shape(response)
    assert response.json_body["error"]["code"] == "unsupported_media_type"


def test_method_not_allowed_in_the_error_shape(client, app):
    response = client.http.request("DELETE", "/auth/login")
    assert response.status_code == 405
    assert_error_shape(response)


def test_unexpected_exception_is_a_500_with_request_id_and_no_trace(
    client, app, monkeypatch, captured_logs
):
    from chalicelib.services import sessions

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(sessions, "login", boom)
    response = client.http.post(
        "/auth/login",
        headers={"Content-Type": "application/json"},
        body=json.dumps({"login": "1", "password": "2"}),
    )
    assert response.status_code == 500
    error = response.json_body["error"]
    assert error["code"] == "internal_error"
    assert error["request_id"] == response.headers["X-Request-Id"]
    assert "secret internals" not in response.body.decode()


def test_security_headers_on_every_response(client, app):
    for response in (
        client.http.get("/health"),
        client.http.get("/me"),
        client.http.post("/auth/login", headers={"Content-Type": "text/plain"}, body="x"),
    ):
        headers = {k.lower(): v for k, v in response.headers.items()}
        assert headers["strict-transport-security"].startswith("max-age=")
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-request-id"]


def test_cors_only_for_the_configured_origin(client, app):
    allowed = client.http.get("/health", headers={"Origin": "http://127.0.0.1:8000"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8000"
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
    other = client.http.get("/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    for response in (allowed, other):
        assert response.headers.get("Access-Control-Allow-Origin") != "*"


def test_unauthenticated_walk_of_every_private_route_is_401(client, app):
    public = {"/health", "/terms", "/announcements", "/openapi.json"}
    checked = 0
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            operation = getattr(entry.view_function, "__openapi__", None)
            if operation is None or operation.public or path in public:
                continue
            concrete = path.replace("{", "").replace("}", "")
            response = client.http.request(
                method, concrete, headers={"Content-Type": "application/json"}, body=b"{}"
            )
            assert response.status_code == 401, (method, path, response.status_code)
            checked += 1
    assert checked >= 5
