"""CORS for the one configured origin: the preflight API Gateway (and `chalice local`) answer
from each route's `CORSConfig`, and per-request headers that only that origin ever gets."""

from __future__ import annotations

from typing import Any

from chalice import CORSConfig, Response

from chalicelib.http.auth import CSRF_HEADER
from chalicelib.settings import get_settings

EXPOSED_HEADERS = ("X-Request-Id", "Retry-After")
MAX_AGE_SECONDS = 600
CORS_HEADERS = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Headers",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
)


def route_cors() -> CORSConfig:
    """The CORS configuration of an API route: the configured origin, with credentials.
    Chalice turns it into the OPTIONS (preflight) answer; it is read when the app is loaded,
    which `chalice deploy` does with the stage's environment."""
    return CORSConfig(
        allow_origin=get_settings().cors_origin,
        allow_headers=[CSRF_HEADER.upper()],
        expose_headers=list(EXPOSED_HEADERS),
        max_age=MAX_AGE_SECONDS,
        allow_credentials=True,
    )


def granted_headers(origin: str) -> dict[str, str]:
    """The headers that let `origin` (the configured one) read a credentialed answer; also
    what API Gateway's own error answers carry (infra/gateway_responses.py)."""
    if origin == "*" or not origin:
        raise ValueError("CORS needs one configured origin, never '*'")
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": ",".join(EXPOSED_HEADERS),
        "Vary": "Origin",
    }


def apply_cors(response: Response, request: Any) -> None:
    """Grant the configured origin, and only it, on this response; never `*`."""
    origin = request.headers.get("origin") if request is not None else None
    allowed = get_settings().cors_origin
    response.headers["Vary"] = "Origin"
    if origin and origin == allowed:
        response.headers.update(granted_headers(allowed))
        return
    for name in CORS_HEADERS:  # Chalice adds the route's headers to every response
        response.headers.pop(name, None)
