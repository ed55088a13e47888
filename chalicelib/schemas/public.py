"""Bodies of the public routes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from chalicelib.content.terms import CONSENT_TEXTS
from chalicelib.lazy import lazy_module
from chalicelib.schemas.base import Schema, Strict

if TYPE_CHECKING:
    from chalicelib.domain import announcements
    from chalicelib.domain.terms import TermsVersion

WARSAW = ZoneInfo("Europe/Warsaw")

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
    effective_from: str = Field(description="Dzień wejścia w życie (w Polsce), RRRR-MM-DD.")
    effective_at: str = Field(description="Chwila wejścia w życie (ISO 8601).")
    title: str
    text: str
    format: str = "markdown"
    consents: list[ConsentText]
    password_rules: PasswordRules

    @classmethod
    def from_result(cls, terms: TermsVersion, password_min_length: int) -> TermsOut:
        """The current terms, the consent texts and the password rules."""
        return cls(
            version=terms.version,
            effective_from=terms.effective_from.astimezone(WARSAW).date().isoformat(),
            effective_at=terms.effective_from.isoformat(),
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
    """A current notice of the utility (planned works, a failure, a general one) and the
    area it concerns: the whole service area, or postal codes and/or streets."""

    id: str
    kind: Literal["planned_works", "failure", "general"]
    title: str
    text: str
    starts_at: str = Field(description="ISO 8601.")
    ends_at: str | None = Field(description="ISO 8601; brak: do odwołania.")
    whole_area: bool
    postal_codes: list[str]
    streets: list[str]

    @classmethod
    def from_result(cls, announcement: announcements.Announcement) -> Announcement:
        """A current announcement as shown to everyone."""
        a = announcement
        return cls(
            id=a.id,
            kind=str(a.kind),  # type: ignore[arg-type]
            title=a.title,
            text=a.text,
            starts_at=a.starts_at.isoformat(),
            ends_at=a.ends_at.isoformat() if a.ends_at else None,
            whole_area=a.area.whole,
            postal_codes=list(a.area.postal_codes),
            streets=list(a.area.streets),
        )


class AnnouncementQuery(Strict):
    """Only the announcements for an address: its postal code and/or street (with or
    without the house number); the whole service area's ones are always included."""

    postal_code: str | None = Field(None, pattern=r"^\d{2}-\d{3}$", description="NN-NNN.")
    street: str | None = Field(None, min_length=2, max_length=100)


class AnnouncementList(Schema):
    """Current notices, newest first."""

    items: list[Announcement]
