"""Public routes: health, terms, announcements, the OpenAPI document."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.http.endpoint import ApiRequest, endpoint
from chalicelib.lazy import lazy_module
from chalicelib.settings import get_settings

bp = Blueprint(__name__)
schemas = lazy_module("chalicelib.schemas.public")
openapi_document = lazy_module("chalicelib.http.openapi")
notices = lazy_module("chalicelib.services.announcements")
terms_versions = lazy_module("chalicelib.services.terms")


@endpoint(bp, "/health", summary="Stan usługi", returns="public:Health", public=True)
def health(_: ApiRequest) -> dict[str, str]:
    return {"status": "ok"}


@endpoint(
    bp,
    "/terms",
    summary="Aktualny regulamin, treści zgód i zasady haseł",
    returns="public:TermsOut",
    public=True,
)
def terms(_: ApiRequest) -> Any:
    current = terms_versions.current_version()
    return schemas.TermsOut.from_result(current, get_settings().password_min_length)


@endpoint(
    bp,
    "/announcements",
    summary="Aktualne komunikaty (prace planowe, awarie), najnowsze najpierw; filtry: kod "
    "pocztowy, ulica",
    query="public:AnnouncementQuery",
    returns="public:AnnouncementList",
    errors=(400,),
    public=True,
)
def announcements(req: ApiRequest) -> Any:
    found = notices.current_for(postal_code=req.query.postal_code, street=req.query.street)
    return schemas.AnnouncementList(items=[schemas.Announcement.from_result(a) for a in found])


@endpoint(bp, "/openapi.json", summary="Dokument OpenAPI 3.1", public=True)
def openapi(_: ApiRequest) -> dict[str, Any]:
    return openapi_document.build_document(bp.current_app.routes)
