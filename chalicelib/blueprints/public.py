"""Public routes: health, terms, announcements, the OpenAPI document."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.content.terms import current_terms
from chalicelib.http.endpoint import ApiRequest, endpoint
from chalicelib.http.openapi import build_document
from chalicelib.schemas.base import Schema

bp = Blueprint(__name__)


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


@endpoint(bp, "/health", summary="Stan usługi", returns=Health, public=True, tags=["public"])
def health(_: ApiRequest) -> Health:
    return Health(status="ok")


@endpoint(
    bp, "/terms", summary="Aktualny regulamin", returns=TermsOut, public=True, tags=["public"]
)
def terms(_: ApiRequest) -> TermsOut:
    current = current_terms()
    return TermsOut(
        version=current.version,
        effective_from=current.effective_from,
        title=current.title,
        text=current.text,
    )


@endpoint(
    bp,
    "/announcements",
    summary="Komunikaty",
    returns=AnnouncementList,
    public=True,
    tags=["public"],
)
def announcements(_: ApiRequest) -> AnnouncementList:
    return AnnouncementList(items=[])


@endpoint(bp, "/openapi.json", summary="Dokument OpenAPI 3.1", public=True, tags=["public"])
def openapi(_: ApiRequest) -> dict:
    return build_document(bp.current_app.routes)
