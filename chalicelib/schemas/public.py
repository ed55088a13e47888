"""Bodies of the public routes."""

from __future__ import annotations

from chalicelib.schemas.base import Schema


class Health(Schema):
    """The service answers."""

    status: str


class TermsOut(Schema):
    """The current terms of service."""

    version: str
    effective_from: str
    title: str
    text: str
    format: str = "markdown"


class Announcement(Schema):
    """A notice for customers (planned works, failures)."""

    id: str
    title: str
    body: str
    published_at: str


class AnnouncementList(Schema):
    """Current notices, newest first."""

    items: list[Announcement]
