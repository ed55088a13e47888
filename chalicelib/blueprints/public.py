"""Public routes: health, terms, announcements, the OpenAPI document."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.content.terms import current_terms
from chalicelib.http.endpoint import ApiRequest, endpoint
from chalicelib.lazy import lazy_module
from chalicelib.settings import get_settings

bp = Blueprint(__name__)
schemas = lazy_module("chalicelib.schemas.public")
openapi_document = lazy_module("chalicelib.http.openapi")


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
    return schemas.TermsOut.from_result(current_terms(), get_settings().password_min_length)


@endpoint(
    bp, "/announcements", summary="Komunikaty", returns="public:AnnouncementList", public=True
)
def announcements(_: ApiRequest) -> Any:
    return schemas.AnnouncementList(items=[])


@endpoint(bp, "/openapi.json", summary="Dokument OpenAPI 3.1", public=True)
def openapi(_: ApiRequest) -> dict[str, Any]:
    return openapi_document.build_document(bp.current_app.routes)
