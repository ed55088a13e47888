"""Unsubscribe tokens: a link in a notice withdraws one consent of one customer without
logging in (RFC 8058 one-click, and the portal's /wypisz page).

Stateless, like the device tokens: the login, the consent kind, the day of issue, the
holder's mark and an HMAC-SHA256 over them with a key derived from the password pepper (the
secret store), so a token cannot be made or changed without the key. It only ever
withdraws a consent, so it is valid for `days` (a notice is read late) and may be used
more than once.

The holder's mark binds the token to the address it was sent to and to the account as it
was registered (`holder_mark`: a keyed hash of the address and the account's creation
time): after an e-mail change, or after the number was closed and registered again, a
link from an older e-mail names someone else and is refused, though its signature holds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

KEY_LABEL = b"ibok-unsubscribe-v2"
HOLDER_MARK_LENGTH = 11  # characters of base64: 66 bits
MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True)
class UnsubscribeRequest:
    """What a valid token asks for."""

    login: str
    consent: str
    issued_day: int
    holder: str  # compare with `holder_mark` of the account as it is now


def unsubscribe_key(pepper: bytes) -> bytes:
    """The signing key of unsubscribe tokens, derived from the password pepper."""
    return hmac.new(pepper, KEY_LABEL, hashlib.sha256).digest()


def holder_mark(key: bytes, address: str, registered_at: str) -> str:
    """The mark of the token's holder: a keyed hash of the e-mail address (case-folded)
    and the account's creation time (ISO 8601)."""
    text = f"holder|{address.casefold()}|{registered_at}".encode()
    mac = hmac.new(key, text, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii")[:HOLDER_MARK_LENGTH]


def _signature(key: bytes, login: str, consent: str, day: int, holder: str) -> str:
    mac = hmac.new(key, f"{login}|{consent}|{day}|{holder}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def issue(key: bytes, login: str, consent: str, today: int, holder: str) -> str:
    """A token withdrawing `consent` of `login`, issued on epoch day `today` to `holder`
    (`holder_mark`)."""
    return f"{login}.{consent}.{today}.{holder}.{_signature(key, login, consent, today, holder)}"


def verify(
    key: bytes, token: str | None, today: int, days: int, consents: frozenset[str]
) -> UnsubscribeRequest | None:
    """What `token` asks for if it is ours, names one of `consents` and was issued within
    `days` of `today`; else None. (Its holder is the caller's to compare.)

    >>> key = unsubscribe_key(b"pepper")
    >>> holder = holder_mark(key, "jan@example.pl", "2026-12-01T09:00:00+00:00")
    >>> token = issue(key, "100016", "email_notices", 20000, holder)
    >>> verify(key, token, 20010, 90, frozenset({"email_notices"})).login
    '100016'
    >>> verify(key, token.replace("100016", "100017"), 20010, 90, frozenset({"email_notices"}))
    >>> verify(key, token, 20091, 90, frozenset({"email_notices"}))
    """
    # ASCII only: hmac.compare_digest raises on other text, and int() would read some
    # Unicode digits ("٣") as another spelling of the same day.
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    parts = token.split(".")
    if len(parts) != 5:
        return None
    login, consent, day_text, holder, signature = parts
    if not day_text.isdigit() or consent not in consents or not login:
        return None
    day = int(day_text)
    if not hmac.compare_digest(signature, _signature(key, login, consent, day, holder)):
        return None
    if not 0 <= today - day < days:
        return None
    return UnsubscribeRequest(login, consent, day, holder)
