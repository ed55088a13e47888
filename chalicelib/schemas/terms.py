"""Bodies of the staff's terms routes (/staff/terms): a new version and the list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import AwareDatetime, Field, field_validator

from chalicelib.schemas.base import Schema, Strict

if TYPE_CHECKING:
    from chalicelib.domain.terms import TermsVersion


# A request body holds at most 64 kB (http/endpoint.py MAX_BODY_BYTES): the text 60 kB of
# UTF-8 of it, four times the regulations the utilities publish today (about 15 kB).
TEXT_BYTES = 60_000


class TermsVersionCreate(Strict):
    """A new terms version: its label (what customers accept), title, text (Markdown) and
    the moment it takes effect (now or later, after every version before it)."""

    version: str = Field(
        pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]{0,19}$", description="Np. 2027-01-01."
    )
    title: str = Field(min_length=3, max_length=200)
    text: str = Field(min_length=20, max_length=TEXT_BYTES)
    effective_from: AwareDatetime

    @field_validator("text")
    @classmethod
    def _fits_an_item(cls, text: str) -> str:
        if len(text.encode("utf-8")) > TEXT_BYTES:
            raise ValueError("Treść regulaminu jest za długa (najwyżej 60 kB).")
        return text


class StaffTermsVersion(Schema):
    """A terms version as the staff see it."""

    version: str
    title: str
    text: str
    effective_from: str
    published_at: str | None = Field(description="Puste dla wersji dostarczonej z aplikacją.")
    published_by: str | None

    @classmethod
    def from_result(cls, version: TermsVersion) -> StaffTermsVersion:
        """Shape one version."""
        return cls(
            version=version.version,
            title=version.title,
            text=version.text,
            effective_from=version.effective_from.isoformat(),
            published_at=version.published_at.isoformat() if version.published_at else None,
            published_by=version.published_by,
        )


class StaffTermsList(Schema):
    """Every terms version, the latest effective date first, and the one in effect now."""

    in_effect: str
    items: list[StaffTermsVersion]

    @classmethod
    def from_result(cls, versions: list[TermsVersion], in_effect: TermsVersion) -> StaffTermsList:
        """Shape the list."""
        return cls(
            in_effect=in_effect.version,
            items=[StaffTermsVersion.from_result(v) for v in versions],
        )
