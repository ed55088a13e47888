"""Terms of service (regulamin) versions and the gate: which version is in effect at a
moment, and whether a customer must accept it before the portal answers anything else."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TermsVersion:
    """One version of the terms: its label, title, text and when it takes effect."""

    version: str
    title: str
    text: str
    effective_from: datetime
    published_at: datetime | None = None  # None: the version the code ships with
    published_by: str | None = None

    def audit_state(self) -> dict[str, object]:
        """What the audit log records of a published version (the text by its length)."""
        return {
            "version": self.version,
            "title": self.title,
            "effective_from": self.effective_from,
            "text_length": len(self.text),
        }


@dataclass(frozen=True)
class TermsAcceptance:
    """A customer accepted terms `version` at `at`."""

    version: str
    at: datetime


def in_effect(versions: Iterable[TermsVersion], now: datetime) -> TermsVersion | None:
    """The version in effect at `now`: the one that took effect last, not later than now."""
    started = [v for v in versions if v.effective_from <= now]
    return max(started, key=lambda v: v.effective_from, default=None)


def must_accept(accepted: str | None, current: TermsVersion) -> bool:
    """True when a session whose customer accepted `accepted` must accept `current` first.

    None is a session opened before sessions carried the accepted version (they end within
    SESSION_ABSOLUTE_HOURS): it is not held back, and its next login brings the version."""
    return accepted is not None and accepted != current.version
