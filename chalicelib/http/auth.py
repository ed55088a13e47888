"""Who is calling: session token from the `__Host-` cookie or `Authorization: Bearer`,
with a custom-header CSRF defence for cookie-authenticated unsafe requests."""

from __future__ import annotations

from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any

from chalicelib import clock
from chalicelib.domain.errors import Forbidden, Unauthorized
from chalicelib.domain.tokens import token_hash
from chalicelib.lazy import lazy_module
from chalicelib.settings import get_settings

store = lazy_module("chalicelib.storage.accounts")

COOKIE_NAME = "__Host-ibok_session"
DEVICE_COOKIE_NAME = "__Host-ibok_device"
CSRF_HEADER = "x-ibok-csrf"
CSRF_VALUE = "1"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    login: str
    role: str
    token_hash: str
    via_cookie: bool
    second_factor_pending: bool = False  # a staff session waiting for its TOTP code
    terms_version: str | None = None  # a customer's: the terms version they accepted


def _cookie_token(headers: Any, name: str = COOKIE_NAME) -> str | None:
    raw = headers.get("cookie")
    if not raw:
        return None
    jar = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


def device_cookie_token(headers: Any) -> str | None:
    """The device token a browser carries in its device cookie, if any."""
    return _cookie_token(headers, DEVICE_COOKIE_NAME)


def _bearer_token(headers: Any) -> str | None:
    raw = headers.get("authorization") or ""
    scheme, _, value = raw.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def presented_token(headers: Any) -> tuple[str | None, bool]:
    """The session token the request carries and whether it came in the cookie."""
    bearer = _bearer_token(headers)
    if bearer:
        return bearer, False
    return _cookie_token(headers), True


def _check_csrf(value: str | None) -> None:
    """The custom header a cookie-authenticated unsafe request must carry: `X-IBOK-CSRF: 1`."""
    if value is None:
        raise Forbidden("Brak nagłówka X-IBOK-CSRF. Odśwież stronę i spróbuj ponownie.")
    if value != CSRF_VALUE:
        raise Forbidden(
            f"Nagłówek X-IBOK-CSRF ma nieprawidłową wartość: powinien mieć wartość {CSRF_VALUE}. "
            "Odśwież stronę i spróbuj ponownie."
        )


def authenticate(request: Any) -> Principal:
    """Resolve and extend the caller's session; Unauthorized or Forbidden (CSRF) otherwise."""
    token, via_cookie = presented_token(request.headers)
    if not token or len(token) > 128:
        raise Unauthorized()
    if via_cookie and request.method not in SAFE_METHODS:
        _check_csrf(request.headers.get(CSRF_HEADER))
    settings = get_settings()
    hashed = token_hash(token)
    now = int(clock.now().timestamp())
    session = store.touch_session(
        hashed,
        now,
        settings.session_idle_minutes * 60,
        staff_idle_seconds=settings.staff_session_idle_minutes * 60,
    )
    return Principal(
        login=session.owner,
        role=session.role,
        token_hash=hashed,
        via_cookie=via_cookie,
        second_factor_pending=session.second_factor_pending,
        terms_version=session.terms_version,
    )


def session_cookie(token: str, max_age: int) -> str:
    """The Set-Cookie value carrying a new session token."""
    return f"{COOKIE_NAME}={token}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={max_age}"


def device_cookie(token: str, max_age: int) -> str:
    """The Set-Cookie value marking this browser as a known device of the login."""
    return (
        f"{DEVICE_COOKIE_NAME}={token}; Path=/; Secure; HttpOnly; SameSite=Strict; "
        f"Max-Age={max_age}"
    )


def cleared_cookie() -> str:
    """The Set-Cookie value that removes the session cookie."""
    return f"{COOKIE_NAME}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"
