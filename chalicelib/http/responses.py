"""Response shapes: the JSON error body of DESIGN.md and security headers."""

from __future__ import annotations

import json
from typing import Any

from chalice import Response

from chalicelib.errors import DomainError

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


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    """The one error shape: {"error": {"code", "message", "fields"}}."""
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response(exc: DomainError) -> Response:
    """A domain error as an HTTP response."""
    return json_response(
        error_body(exc.code, exc.message, exc.fields), status=exc.status, headers=exc.headers
    )


def json_response(
    body: Any, status: int = 200, headers: dict[str, str | list[str]] | None = None
) -> Response:
    """Serialise `body` as UTF-8 JSON."""
    return Response(
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        headers={"Content-Type": JSON, **(headers or {})},
    )
