"""Every route answers bad input with a 4xx in the one error shape, never a 500; security
headers on every response; CORS only for the configured origin."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from chalice.config import Config
from chalice.deploy.swagger import SwaggerGenerator
from chalice.local import LocalGateway
from chalice.test import HTTPResponse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import NotFound
from chalicelib.ids import decode_id, encode_id
from chalicelib.services.system_accounts import create_system_account
from chalicelib.settings import get_settings
from tests.factories import (
    PASSWORD,
    active_account,
    bearer,
    import_lines,
    meter_line,
    post,
    register_body,
    staff_account,
    staff_bearer,
)

ROOT = Path(__file__).resolve().parents[2]
ALLOWED_ORIGIN = "http://127.0.0.1:8000"  # CORS_ORIGIN's default, the one the tests run with
FOREIGN_ORIGIN = "https://evil.example"
LOGOUT = "/auth/logout"

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

# Bad values per query parameter (by its name in the URL).
BAD_QUERY_VALUES = {
    "limit": ["abc", "0", "-1", "100000", "1.5", "1e3"],
    "cursor": ["garbage", "junk", "%%%", "x" * 1000, encode_id("no-such-position"), "////"],
    "from": ["notadate", "2026-13-45", "2026-02-30", "01.10.2026"],
    "to": ["notadate", "2026-00-10"],
    "kind": ["nope"],
    "status": ["nope"],
    "period": ["x", "year"],
    "target": ["x" * 201],
    "day": ["notadate", "2026-13-45"],
    "due_by": ["notadate", "2026-02-30", "x" * 50],
    "category": ["nope", "x" * 100],
    "assignee": ["A B", "x" * 100, "--"],
    "postal_code": ["abc", "00000", "00-0000", "41-709x"],
    "street": ["x", "x" * 101],
}


def assert_error_shape(response):
    assert 400 <= response.status_code < 500, (response.status_code, response.body)
    error = response.json_body["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    assert "Traceback" not in response.body.decode()


def assert_security_headers(response):
    headers = {k.lower(): v for k, v in response.headers.items()}
    hsts = headers["strict-transport-security"]
    assert int(hsts.split("max-age=", 1)[1].split(";")[0]) >= 31_536_000, hsts
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"  # every API answer may carry personal data
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-request-id"]


def operation_of(app, path, method):
    return app.routes[path][method].view_function.__openapi__


def concrete(path):
    return path.replace("{", "").replace("}", "")


def json_routes(app):
    for path, methods in app.routes.items():
        for method in methods:
            if method in ("POST", "PATCH", "PUT"):
                yield path, method


def send(client, method, path, body, headers):
    return client.http.request(
        method, concrete(path), headers={**headers, "Content-Type": "application/json"}, body=body
    )


@pytest.fixture
def auth_headers(client, outbox, aws_env):
    active_account(client, outbox)
    return bearer(client)


@pytest.fixture
def admin_headers(client, aws_env):
    """An admin's session, second factor given (for the /staff routes)."""
    return staff_bearer(client, "ewa-admin", staff_account("ewa-admin", "admin"))


def signed_in_headers(app, path, method, auth_headers, admin_headers):
    """The customer's session on customer routes, the admin's on staff routes."""
    roles = operation_of(app, path, method).roles
    return admin_headers if roles and "customer" not in roles and "admin" in roles else auth_headers


@pytest.fixture
def fresh_settings():
    """Settings re-read from the environment, and again after the test."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_malformed_bodies_on_every_route(client, app, auth_headers):
    routes = list(json_routes(app))
    assert len(routes) >= 9
    private_checked = 0
    for path, method in routes:
        public = operation_of(app, path, method).public
        for body in MALFORMED:
            anonymous = send(client, method, path, body, {})
            assert_error_shape(anonymous)
            assert_security_headers(anonymous)
            if not public:
                assert anonymous.status_code == 401, (method, path)
            if path == LOGOUT:
                continue  # takes no body: it would end the session the other routes use
            signed_in = send(client, method, path, body, auth_headers)
            assert_error_shape(signed_in)
            assert_security_headers(signed_in)
            if not public:  # the body was judged, not the session
                assert signed_in.status_code != 401, (method, path, body)
                private_checked += 1
    assert private_checked >= 5 * len(MALFORMED)
    assert client.http.get("/me", headers=auth_headers).status_code == 200


def test_logout_takes_no_body_and_ends_the_session_whatever_is_sent(client, auth_headers):
    response = send(client, "POST", LOGOUT, b"\xff{", auth_headers)
    assert response.status_code == 204
    assert_security_headers(response)
    assert client.http.get("/me", headers=auth_headers).status_code == 401


def test_malformed_query_strings_on_every_route_that_takes_them(
    client, app, auth_headers, admin_headers
):
    create_system_account("billing-system", "it@wodociagi.example", PASSWORD, "integration")
    system_headers = bearer(client, "billing-system", PASSWORD)
    import_lines([meter_line("meter_id")])  # the concrete path of /meters/{meter_id}/readings
    checked = set()
    for path, methods in app.routes.items():
        entry = methods.get("GET")
        query_model = entry and entry.view_function.__openapi__.query
        if query_model is None:
            continue
        headers = (
            system_headers
            if path.startswith("/integration/")
            else signed_in_headers(app, path, "GET", auth_headers, admin_headers)
        )
        valid = client.http.get(concrete(path), headers=headers)
        assert valid.status_code == 200, (path, valid.body)  # so a 4xx below is the query's
        names = [f.alias or name for name, f in query_model.model_fields.items()]
        cases = [(name, value) for name in names for value in BAD_QUERY_VALUES[name]]
        cases.append(("unknown", "1"))
        if {"from", "to"} <= set(names):
            cases.append(("from", "2026-10-02&to=2026-10-01"))
        for name, value in cases:
            query = urlencode({name: value}).replace("%26to%3D", "&to=")
            response = client.http.get(f"{concrete(path)}?{query}", headers=headers)
            assert_error_shape(response)
            assert response.status_code not in (401, 403), (path, query)
            assert_security_headers(response)
        checked.add(path)
    assert {"/invoices", "/consumption", "/integration/readings"} <= checked
    assert "/meters/{meter_id}/readings" in checked


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
        "/auth/email/cancel",
    ):
        response = client.http.post(
            path, headers={"Content-Type": "application/json"}, body=json.dumps(body)
        )
        assert response.status_code < 500
        assert_security_headers(response)
        if response.status_code >= 400:
            assert_error_shape(response)


def test_wrong_content_type_is_415_in_the_error_shape(client, app):
    response = client.http.post(
        "/auth/login", headers={"Content-Type": "text/plain"}, body="login=1&password=2"
    )
    assert response.status_code == 415
    assert_error_shape(response)
    assert_security_headers(response)
    assert response.json_body["error"]["code"] == "unsupported_media_type"


def test_method_not_allowed_in_the_error_shape(client, app):
    response = client.http.request("DELETE", "/auth/login")
    assert response.status_code == 405
    assert_error_shape(response)
    assert_security_headers(response)


def test_not_found_in_the_error_shape_with_security_headers(client, app, auth_headers):
    unknown = (f"/invoices/{encode_id('FV/NIE/ISTNIEJE')}", "/invoices/%%%", "/meters/X/readings")
    for path in unknown:
        response = client.http.get(path, headers=auth_headers)
        assert response.status_code == 404, (path, response.body)
        assert_error_shape(response)
        assert_security_headers(response)


@pytest.fixture
def dynamodb_key_size_limit(monkeypatch):
    """DynamoDB's ValidationException for a key value over 1024 bytes (moto does not check
    it on reads)."""
    make_api_call = BaseClient._make_api_call

    def checked(self, operation, params):
        values = [*params.get("Key", {}).values()]
        values += params.get("ExpressionAttributeValues", {}).values()
        if any(len(v.get("S", "").encode()) > 1024 for v in values if isinstance(v, dict)):
            error = {"Code": "ValidationException", "Message": "key too large"}
            raise ClientError({"Error": error}, operation)
        return make_api_call(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", checked)


@pytest.mark.parametrize("length", [201, 1100])
def test_over_long_path_ids_are_404_before_any_lookup(
    client, app, auth_headers, dynamodb_key_size_limit, length
):
    """DynamoDB refuses a sort key over 1024 bytes (a 500); a key that long is no key of ours."""
    long_id = encode_id("FV/" + "1" * (length - 3))
    paths = (
        f"/invoices/{long_id}",
        f"/invoices/{long_id}/pdf",
        f"/contracts/{long_id}/file",
        f"/contracts/{encode_id('U/1')}/annexes/{long_id}/file",
        f"/contracts/{long_id}/annexes/{encode_id('A/1')}/file",
    )
    for path in paths:
        response = client.http.get(path, headers=auth_headers)
        assert response.status_code == 404, (path, response.body)
        assert_error_shape(response)


def test_a_path_id_of_the_longest_allowed_key_is_looked_up():
    assert decode_id(encode_id("ż" * 100), "x") == "ż" * 100
    with pytest.raises(NotFound):
        decode_id(encode_id("ż" * 100 + "1"), "x")


def gateway_answer(kind: str) -> HTTPResponse:
    """What API Gateway answers for a response type, as configured for the test's origin."""
    from infra.gateway_responses import definitions

    answer = definitions(ALLOWED_ORIGIN)[kind]
    headers = {
        name.removeprefix("gatewayresponse.header."): value[1:-1]  # the static value
        for name, value in answer["responseParameters"].items()
    }
    headers["X-Request-Id"] = "r-1"  # API Gateway's own header (x-amzn-RequestId) aside
    body = answer["responseTemplates"]["application/json"].replace("$context.requestId", "r-1")
    return HTTPResponse(
        body=body.encode(), headers=headers, status_code=int(answer.get("statusCode", 400))
    )


def test_unknown_routes_are_answered_by_the_gateway_with_the_headers():
    """API Gateway answers an unknown route (MISSING_AUTHENTICATION_TOKEN, as 404) and its
    own 4xx/5xx before the app runs; the gateway responses carry the app's headers and CORS
    answer instead (every type: tests/infra/test_definitions.py)."""
    for kind in ("MISSING_AUTHENTICATION_TOKEN", "ACCESS_DENIED", "THROTTLED", "DEFAULT_4XX"):
        response = gateway_answer(kind)
        assert_error_shape(response)
        assert_security_headers(response)
        assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
        assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert gateway_answer("MISSING_AUTHENTICATION_TOKEN").status_code == 404
    assert gateway_answer("THROTTLED").status_code == 429


@pytest.fixture
def local_server():
    """The local stack's HTTP server (scripts/local_stack.py) on a free port, serving a
    one-route app."""
    from chalice import Chalice

    from chalicelib.http.middleware import http_middleware
    from scripts.local_stack import _serve

    probe = Chalice(app_name="ibok-local-probe")
    probe.register_middleware(http_middleware, "http")

    @probe.route("/health")
    def health():
        return {"status": "ok"}

    server = _serve(probe, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server.server_address[:2]
    yield f"http://{host}:{port}"
    server.server.shutdown()
    server.server.server_close()
    thread.join(timeout=5)


def test_the_local_servers_404_carries_the_gateways_headers(local_server):
    assert urllib.request.urlopen(f"{local_server}/health", timeout=10).status == 200
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(f"{local_server}/no/such/route", timeout=10)
    error = answer.value
    response = HTTPResponse(
        body=error.read(), headers=dict(error.headers.items()), status_code=error.code
    )
    assert response.status_code == 404
    assert_error_shape(response)
    assert_security_headers(response)
    assert response.json_body["error"]["code"] == "not_found"
    assert response.json_body["error"]["request_id"] == response.headers["X-Request-Id"]
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN


def test_throttled_is_429_with_retry_after_and_the_headers(
    client, aws_env, monkeypatch, fresh_settings
):
    monkeypatch.setenv("REGISTER_MAX_PER_SOURCE", "1")
    get_settings.cache_clear()
    post(client, "/auth/register", register_body("999999"))
    response = post(client, "/auth/register", register_body("999999"))
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert_error_shape(response)
    assert_security_headers(response)


def test_unexpected_exception_is_a_500_with_request_id_and_details_only_in_the_log(
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
    assert_security_headers(response)
    error = response.json_body["error"]
    assert error["code"] == "internal_error"
    request_id = response.headers["X-Request-Id"]
    assert error["request_id"] == request_id
    for detail in ("secret internals", "RuntimeError", "Traceback", "boom"):
        assert detail not in response.body.decode()
    lines = [json.loads(line) for line in captured_logs.getvalue().splitlines() if line]
    failures = [line for line in lines if "secret internals" in json.dumps(line)]
    assert failures, "the exception is not in the log"
    for line in failures:
        assert line["request_id"] == request_id  # the body's id finds the log line
        assert line["level"] == "ERROR"
        assert "Traceback" in line["exception"] and "boom" in line["exception"]


def test_security_headers_on_every_response(client, app):
    for response in (
        client.http.get("/health"),
        client.http.get("/me"),
        client.http.post("/auth/login", headers={"Content-Type": "text/plain"}, body="x"),
    ):
        assert_security_headers(response)


def preflight(app, path, origin, method="GET"):
    """The OPTIONS answer Chalice gives locally, from the same route CORS config it deploys."""
    answer = LocalGateway(app, Config()).handle_request(
        "OPTIONS",
        path,
        {
            "origin": origin,
            "access-control-request-method": method,
            "access-control-request-headers": "content-type,x-ibok-csrf",
        },
        b"",
    )
    return answer["statusCode"], answer["headers"]


def test_preflight_allows_the_configured_origin_with_credentials(app):
    for path, method in (("/me", "PATCH"), ("/auth/login", "POST"), ("/invoices", "GET")):
        status, headers = preflight(app, path, ALLOWED_ORIGIN, method)
        assert status == 200
        assert headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
        assert headers["Access-Control-Allow-Credentials"] == "true"
        assert method in headers["Access-Control-Allow-Methods"].split(",")
        allowed = {h.lower() for h in headers["Access-Control-Allow-Headers"].split(",")}
        assert {"content-type", "x-ibok-csrf", "authorization"} <= allowed
        # A foreign origin gets the same fixed answer, which names only ours: browsers refuse.
        _, foreign = preflight(app, path, FOREIGN_ORIGIN, method)
        assert foreign["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN


def test_deployed_preflight_names_only_the_configured_origin(app):
    document = SwaggerGenerator(
        "eu-central-1", {"api_handler_arn": "arn:aws:lambda:eu-central-1:1:function:ibok"}
    ).generate_swagger(app)
    checked = 0
    for path, entries in app.routes.items():
        if not any(hasattr(e.view_function, "__openapi__") for e in entries.values()):
            continue
        options = document["paths"][path]["options"]["x-amazon-apigateway-integration"]
        params = options["responses"]["default"]["responseParameters"]
        header = "method.response.header.Access-Control-"
        assert params[f"{header}Allow-Origin"] == f"'{ALLOWED_ORIGIN}'", path
        assert params[f"{header}Allow-Credentials"] == "'true'", path
        checked += 1
    assert checked >= 20


def cookie_session(client):
    response = post(client, "/auth/login", {"login": "100200", "password": PASSWORD})
    assert response.status_code == 200
    cookies = response.headers["Set-Cookie"]
    cookies = [cookies] if isinstance(cookies, str) else cookies
    return next(c for c in cookies if c.startswith("__Host-ibok_session=")).split(";")[0]


def test_credentialed_request_from_the_configured_origin_only(client, outbox, aws_env):
    active_account(client, outbox)
    cookie = cookie_session(client)
    allowed = client.http.get("/me", headers={"Cookie": cookie, "Origin": ALLOWED_ORIGIN})
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Origin" in allowed.headers["Vary"]
    foreign = client.http.get("/me", headers={"Cookie": cookie, "Origin": FOREIGN_ORIGIN})
    assert "Access-Control-Allow-Origin" not in foreign.headers
    assert "Access-Control-Allow-Credentials" not in foreign.headers
    no_origin = client.http.get("/me", headers={"Cookie": cookie})
    assert "Access-Control-Allow-Origin" not in no_origin.headers


def test_cors_only_for_the_configured_origin(client, app):
    allowed = client.http.get("/health", headers={"Origin": ALLOWED_ORIGIN})
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
    other = client.http.get("/health", headers={"Origin": FOREIGN_ORIGIN})
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
            response = client.http.request(
                method, concrete(path), headers={"Content-Type": "application/json"}, body=b"{}"
            )
            assert response.status_code == 401, (method, path, response.status_code)
            assert_security_headers(response)
            checked += 1
    assert checked >= 5


def deeply_nested(depth: int) -> bytes:
    """An array nested `depth` levels deep."""
    return b"[" * depth + b"]" * depth


def test_deeply_nested_json_is_a_400_on_every_json_route(
    client, app, auth_headers, admin_headers, captured_logs
):
    """json.loads recurses per level: a deep body was a RecursionError (a 500 and a stack trace
    in the log). 30,000 levels fit in the body limit; 100,000 do not, and are a 400 too."""
    routes = [(p, m) for p, m in json_routes(app) if p != LOGOUT and not p.startswith("/_local")]
    assert ("/auth/login", "POST") in routes and ("/payments", "POST") in routes
    nested_object = b'{"a":' * 40 + b"1" + b"}" * 40  # deeper than 32, also in objects
    for path, method in routes:
        content_types = app.routes[path][method].content_types
        if "application/json" not in content_types:
            continue  # form routes (the ITN) parse no JSON
        signed_in = signed_in_headers(app, path, method, auth_headers, admin_headers)
        for body in (deeply_nested(100_000), deeply_nested(30_000), nested_object):
            for headers in ({}, signed_in):
                response = send(client, method, path, body, headers)
                assert_error_shape(response)
                assert_security_headers(response)
                public = operation_of(app, path, method).public
                if public or headers:
                    assert response.status_code == 400, (method, path, response.status_code)
    login = send(client, "POST", "/auth/login", deeply_nested(30_000), {})
    assert "zagnieżdżona" in login.json_body["error"]["message"]
    lines = [json.loads(line) for line in captured_logs.getvalue().splitlines() if line]
    assert [line for line in lines if line["level"] in ("ERROR", "CRITICAL")] == []


def test_a_number_too_long_to_convert_is_a_400(client, app):
    response = send(client, "POST", "/auth/login", b'{"login": ' + b"1" * 5000 + b"}", {})
    assert response.status_code == 400
    assert_error_shape(response)


def test_a_domain_5xx_keeps_its_code_and_message_with_the_request_id(
    client, aws_env, captured_logs
):
    """Registration while SES refuses: 503 mail_unavailable in Polish, with the request id
    (once reshaped into a generic internal_error)."""
    from chalicelib.services.collaborators import using
    from chalicelib.services.registration import MailUnavailable
    from tests.factories import seed_customer

    class SesDown:
        def send(self, *_args, **_kwargs):
            error = {"Code": "ServiceUnavailable", "Message": "SES is down"}
            raise ClientError({"Error": error}, "SendEmail")

    seed_customer("100200")
    with using(mailer=SesDown()):
        response = post(client, "/auth/register", register_body("100200"))
    assert response.status_code == 503
    assert_security_headers(response)
    error = response.json_body["error"]
    assert error["code"] == "mail_unavailable"
    assert error["message"] == MailUnavailable.message
    assert error["fields"] == {}
    assert error["request_id"] == response.headers["X-Request-Id"]
    assert "SES is down" not in response.body.decode()
    lines = [json.loads(line) for line in captured_logs.getvalue().splitlines() if line]
    (logged,) = [line for line in lines if "SES is down" in json.dumps(line)]
    assert logged["request_id"] == error["request_id"]


def test_four_hundreds_carry_no_request_id_in_the_body(client, app):
    response = client.http.get("/me")
    assert response.status_code == 401
    assert "request_id" not in response.json_body["error"]
