"""Unsubscribe tokens: a link in a notice withdraws one consent of one customer without
logging in (RFC 8058 one-click, and the portal's /wypisz page).

Stateless, like the device tokens: the login, the consent kind, the day of issue and an
HMAC-SHA256 over them with a key derived from the password pepper (the secret store), so
a token cannot be made or changed without the key. It only ever withdraws a consent, so
it is valid for `days` (a notice is read late) and may be used more than once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

KEY_LABEL = b"ibok-unsubscribe-v1"
MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True)
class UnsubscribeRequest:
    """What a valid token asks for."""

    login: str
    consent: str
    issued_day: int


def unsubscribe_key(pepper: bytes) -> bytes:
    """The signing key of unsubscribe tokens, derived from the password pepper."""
    return hmac.new(pepper, KEY_LABEL, hashlib.sha256).digest()


def _signature(key: bytes, login: str, consent: str, day: int) -> str:
    mac = hmac.new(key, f"{login}|{consent}|{day}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def issue(key: bytes, login: str, consent: str, today: int) -> str:
    """A token withdrawing `consent` of `login`, issued on epoch day `today`."""
    return f"{login}.{consent}.{today}.{_signature(key, login, consent, today)}"


def verify(
    key: bytes, token: str | None, today: int, days: int, consents: frozenset[str]
) -> UnsubscribeRequest | None:
    """What `token` asks for if it is ours, names one of `consents` and was issued within
    `days` of `today`; else None.

    >>> key = unsubscribe_key(b"pepper")
    >>> token = issue(key, "100016", "email_notices", 20000)
    >>> verify(key, token, 20010, 90, frozenset({"email_notices"})).login
    '100016'
    >>> verify(key, token.replace("100016", "100017"), 20010, 90, frozenset({"email_notices"}))
    >>> verify(key, token, 20091, 90, frozenset({"email_notices"}))
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    parts = token.split(".")
    if len(parts) != 4:
        return None
    login, consent, day_text, signature = parts
    # ASCII digits only: int() refuses some Unicode digits ("²") and reads others ("٣").
    if not (day_text.isascii() and day_text.isdigit()) or consent not in consents or not login:
        return None
    day = int(day_text)
    if not hmac.compare_digest(signature, _signature(key, login, consent, day)):
        return None
    if not 0 <= today - day < days:
        return None
    return UnsubscribeRequest(login, consent, day)
