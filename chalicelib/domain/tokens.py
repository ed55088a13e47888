"""Random secrets and their stored form."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SESSION_TOKEN_BYTES = 32  # 256 bits
ONE_TIME_TOKEN_BYTES = 24  # 192 bits (at least 128 required)


def new_token(nbytes: int) -> str:
    """A URL-safe random token of `nbytes` random bytes."""
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    """The stored form of a token: SHA-256 hex (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two strings."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
