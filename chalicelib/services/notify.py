"""Formatting shared by the e-mails the account services send."""

from __future__ import annotations

from datetime import datetime

from chalicelib.clock import to_warsaw
from chalicelib.settings import get_settings


def link(page: str, token: str) -> str:
    """A link to a frontend page carrying a one-time token in the fragment (never sent to
    servers, so it stays out of access logs and Referer headers)."""
    return f"{get_settings().public_url}/{page}#token={token}"


def local_time(moment: datetime) -> str:
    """A moment shown in Europe/Warsaw, as Polish customers read it."""
    return to_warsaw(moment).strftime("%d.%m.%Y %H:%M")


def mask_email(email: str) -> str:
    """Show an e-mail address partly hidden: j***@example.com."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"
