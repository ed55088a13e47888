"""Random secrets and their stored form."""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum

SESSION_TOKEN_BYTES = 32  # 256 bits
ONE_TIME_TOKEN_BYTES = 24  # 192 bits (at least 128 required)


class TokenKind(StrEnum):
    """What an e-mailed one-time token is for."""

    ACTIVATION = "activation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a kind, not a password)
    EMAIL_CHANGE = "email_change"  # its link goes to the new address and confirms the change
    EMAIL_CANCEL = "email_cancel"  # its link goes to the old address and cancels the change


def new_token(nbytes: int) -> str:
    """A URL-safe random token of `nbytes` random bytes."""
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    """The stored form of a token: SHA-256 hex (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
