"""Announcements of the utility: planned works, failures and general notices, each for an
affected area (postal codes and/or streets, or the whole service area) and valid from a
moment until another (or until withdrawn). States: draft → published → withdrawn."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class AnnouncementKind(StrEnum):
    """What an announcement is about."""

    PLANNED_WORKS = "planned_works"
    FAILURE = "failure"
    GENERAL = "general"


class AnnouncementState(StrEnum):
    """Where an announcement is in its life: only drafts change, only published ones show."""

    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


# Which state each action needs.
PUBLISHABLE = AnnouncementState.DRAFT
WITHDRAWABLE = AnnouncementState.PUBLISHED

_PREFIX = re.compile(r"^(ul\.?|al\.?|aleja|os\.?|osiedle|pl\.?|plac)\s+")
_HOUSE_NUMBER = re.compile(r"(\s+\d[\w/.-]*)+$")


def street_name(street: str) -> str:
    """The street's name as compared: case and spacing ignored, without a leading "ul."
    (or "al.", "os.", "pl.") and without the house number ("ul. Wodna 1/3" → "wodna")."""
    name = " ".join(street.casefold().split())
    name = _PREFIX.sub("", name)
    return _HOUSE_NUMBER.sub("", name).strip()


@dataclass(frozen=True)
class Area:
    """The affected area: the whole service area, or the listed postal codes and streets
    (an address is in the area when its postal code or its street is listed)."""

    whole: bool
    postal_codes: tuple[str, ...] = ()
    streets: tuple[str, ...] = ()

    def covers(self, postal_code: str | None = None, street: str | None = None) -> bool:
        """Whether an address with this postal code and/or street is in the area (no
        address at all: only the whole service area's announcements)."""
        if self.whole:
            return True
        if postal_code is not None and postal_code in self.postal_codes:
            return True
        if street is not None:
            wanted = street_name(street)
            return any(street_name(listed) == wanted for listed in self.streets)
        return False


@dataclass(frozen=True)
class Announcement:
    """One announcement."""

    id: str
    kind: AnnouncementKind
    title: str
    text: str
    area: Area
    starts_at: datetime
    ends_at: datetime | None
    state: AnnouncementState
    created_at: datetime
    created_by: str
    updated_at: datetime
    published_at: datetime | None = None
    withdrawn_at: datetime | None = None

    def is_current(self, now: datetime) -> bool:
        """Published and valid at `now`."""
        return (
            self.state is AnnouncementState.PUBLISHED
            and self.starts_at <= now
            and (self.ends_at is None or now < self.ends_at)
        )

    def audit_state(self) -> dict:
        """What the audit log records of it."""
        return {
            "kind": str(self.kind),
            "title": self.title,
            "text": self.text,
            "whole_area": self.area.whole,
            "postal_codes": list(self.area.postal_codes),
            "streets": list(self.area.streets),
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "state": str(self.state),
        }


def newest_first(items: list[Announcement]) -> list[Announcement]:
    """Announcements by the start of their validity, the latest first (then the latest
    written first)."""
    return sorted(items, key=lambda a: (a.starts_at, a.created_at, a.id), reverse=True)


def valid_window(starts_at: datetime, ends_at: datetime | None) -> bool:
    """The validity ends after it starts (or never)."""
    return ends_at is None or ends_at > starts_at
