"""Bodies of the public routes."""

from __future__ import annotations

from pydantic import Field

from chalicelib.content.terms import CONSENT_TEXTS, Terms
from chalicelib.lazy import lazy_module
from chalicelib.schemas.base import Schema

# bcrypt is loaded with it: only when /terms is answered, not with /health.
passwords = lazy_module("chalicelib.domain.passwords")


class Health(Schema):
    """The service answers."""

    status: str


class ConsentText(Schema):
    """An optional consent as the customer is asked for it."""

    kind: str = Field(description="Nazwa zgody w `consents` (np. email_notices).")
    version: str
    text: str


class PasswordRules(Schema):
    """What a new password must be (the same rules the API checks)."""

    min_length: int
    max_length: int
    rules: list[str] = Field(description="Zasady po polsku, do pokazania przy polu hasła.")


class TermsOut(Schema):
    """The current terms of service, with what registration asks besides: the optional
    consents (their texts and versions) and the password rules."""

    version: str
    effective_from: str
    title: str
    text: str
    format: str = "markdown"
    consents: list[ConsentText]
    password_rules: PasswordRules

    @classmethod
    def from_result(cls, terms: Terms, password_min_length: int) -> TermsOut:
        """The current terms, the consent texts and the password rules."""
        return cls(
            version=terms.version,
            effective_from=terms.effective_from,
            title=terms.title,
            text=terms.text,
            consents=[
                ConsentText(kind=kind, version=version, text=text)
                for kind, (version, text) in CONSENT_TEXTS.items()
            ],
            password_rules=PasswordRules(
                min_length=password_min_length,
                max_length=passwords.MAX_LENGTH,
                rules=passwords.policy_rules(password_min_length),
            ),
        )


class Announcement(Schema):
    """A notice for customers (planned works, failures)."""

    id: str
    title: str
    body: str
    published_at: str


class AnnouncementList(Schema):
    """Current notices, newest first."""

    items: list[Announcement]
