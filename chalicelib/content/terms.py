"""The current terms of service (regulamin) and consent texts, versioned.

A new version is added here (and, with the staff issue, published by staff); registration
requires accepting the current one and the account records which version it accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Terms:
    """One version of the terms of service."""

    version: str
    effective_from: str
    title: str
    text: str


CURRENT_TERMS_VERSION = "2026-11-01"

CONSENT_TEXTS = {
    "email_notices": (
        "2026-11-01",
        "Zgadzam się na otrzymywanie na podany adres e-mail powiadomień o nowych fakturach, "
        "terminach płatności, awariach i planowanych pracach.",
    ),
    "sms_notices": (
        "2026-11-01",
        "Zgadzam się na otrzymywanie SMS-ów z powiadomieniami o awariach, planowanych pracach "
        "i terminach płatności na podany numer telefonu.",
    ),
}


def current_terms() -> Terms:
    """The terms version a new customer must accept."""
    text = resources.files("chalicelib.content").joinpath("terms-2026-11-01.md").read_text("utf-8")
    return Terms(
        version=CURRENT_TERMS_VERSION,
        effective_from="2026-11-01",
        title="Regulamin Internetowego Biura Obsługi Klienta (IBOK)",
        text=text,
    )
