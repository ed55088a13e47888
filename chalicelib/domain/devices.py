"""Device tokens: a browser or app that once logged in to an account is recognised later,
so a distributed password guesser cannot slow that customer's own logins down.

This is OWASP's "device cookie" defence. After a successful login the client gets a token
bound to the login; a later attempt that presents a valid token for the same login skips
the per-login slowdown (it is counted per device instead). Tokens are stateless: a random
nonce, the day they were issued, and an HMAC over the login, nonce and day. They prove
nothing about the password, so a stolen one only gives a guesser the per-device limit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

KEY_LABEL = b"ibok-device-token-v1"
NONCE_BYTES = 16


@dataclass(frozen=True)
class DeviceToken:
    """A verified device token: its nonce names the device in the throttle counters."""

    nonce: str
    issued_day: int


def device_key(pepper: bytes) -> bytes:
    """The signing key of device tokens, derived from the password pepper."""
    return hmac.new(pepper, KEY_LABEL, hashlib.sha256).digest()


def _signature(key: bytes, login: str, nonce: str, day: int) -> str:
    mac = hmac.new(key, f"{login}|{nonce}|{day}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def issue(key: bytes, login: str, today: int) -> str:
    """A new device token for `login`, issued on epoch day `today`."""
    nonce = secrets.token_urlsafe(NONCE_BYTES)
    return f"{nonce}.{today}.{_signature(key, login, nonce, today)}"


def verify(key: bytes, token: str | None, login: str, today: int, days: int) -> DeviceToken | None:
    """The device behind `token` if it was issued for `login` within `days`; else None.

    >>> key = device_key(b"pepper")
    >>> token = issue(key, "100001", 20000)
    >>> verify(key, token, "100001", 20010, 180).issued_day
    20000
    >>> verify(key, token, "100002", 20010, 180) is None
    True
    """
    if not token or len(token) > 200:
        return None
    nonce, _, rest = token.partition(".")
    day_text, _, signature = rest.partition(".")
    if not (nonce and day_text.isascii() and day_text.isdigit() and signature):
        return None
    day = int(day_text)
    if not 0 <= today - day <= days:
        return None
    expected = _signature(key, login, nonce, day)
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return None
    return DeviceToken(nonce=nonce, issued_day=day)
