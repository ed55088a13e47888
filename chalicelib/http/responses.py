"""Response shapes: the JSON error body of DESIGN.md and security headers. Every error the
app answers (domain errors, Chalice's own, unexpected exceptions) is shaped here."""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any

from chalice import Response

from chalicelib.domain.errors import DomainError

JSON = "application/json; charset=utf-8"

API_SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cross-Origin-Resource-Policy": "same-origin",
}


# The id of the request being answered (set by the middleware; also the X-Request-Id header).
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    """The one error shape: {"error": {"code", "message", "fields"}}."""
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_reply(
    status: int,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """An error as an HTTP response; a 5xx also names the request id, which finds its log."""
    body = error_body(code, message, fields)
    if status >= 500:
        body["error"]["request_id"] = current_request_id.get()
    return json_response(body, status=status, headers=dict(headers or {}))


def error_response(exc: DomainError) -> Response:
    """A domain error as an HTTP response."""
    return error_reply(exc.status, exc.code, exc.message, exc.fields, exc.headers)


def json_response(
    body: Any, status: int = 200, headers: dict[str, str | list[str]] | None = None
) -> Response:
    """Serialise `body` as UTF-8 JSON."""
    return Response(
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        headers={"Content-Type": JSON, **(headers or {})},
    )
