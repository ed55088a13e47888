"""The staff's announcements (roles `staff` and `admin`, second factor given): the list,
drafts and their changes, publishing and withdrawing (each audited,
services/announcements.py)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.domain.roles import STAFF_ROLES
from chalicelib.http.endpoint import ApiRequest, endpoint
from chalicelib.lazy import lazy_module

bp = Blueprint(__name__)
notices = lazy_module("chalicelib.services.announcements")
schemas = lazy_module("chalicelib.schemas.announcements")


@endpoint(
    bp,
    "/staff/announcements",
    summary="Komunikaty (szkice, opublikowane, wycofane), najnowsze najpierw",
    query="ledger:PageQuery",
    returns="announcements:StaffAnnouncementList",
    errors=(400, 401, 403),
    roles=STAFF_ROLES,
)
def staff_announcements(req: ApiRequest) -> Any:
    page = notices.staff_list(limit=req.query.limit, cursor=req.query.cursor)
    return schemas.StaffAnnouncementList.from_result(page)


@endpoint(
    bp,
    "/staff/announcements",
    "POST",
    summary="Nowy szkic komunikatu",
    body="announcements:AnnouncementCreate",
    returns="announcements:StaffAnnouncement",
    status=201,
    errors=(400, 401, 403),
    roles=STAFF_ROLES,
)
def create_announcement(req: ApiRequest) -> Any:
    draft = notices.Draft(**req.body.draft_fields())
    return schemas.StaffAnnouncement.from_result(notices.create(req.user.login, draft))


@endpoint(
    bp,
    "/staff/announcements/{announcement_id}",
    "PATCH",
    summary="Zmiana szkicu komunikatu",
    body="announcements:AnnouncementChange",
    returns="announcements:StaffAnnouncement",
    errors=(400, 401, 403, 404, 409),
    roles=STAFF_ROLES,
)
def change_announcement(req: ApiRequest, announcement_id: str) -> Any:
    changed = notices.change(announcement_id, req.user.login, req.body.draft_fields())
    return schemas.StaffAnnouncement.from_result(changed)


@endpoint(
    bp,
    "/staff/announcements/{announcement_id}/publish",
    "POST",
    summary="Publikacja szkicu komunikatu (i jego rozesłanie przez powiadomienia)",
    body="announcements:StateChange",
    returns="announcements:StaffAnnouncement",
    errors=(400, 401, 403, 404, 409),
    roles=STAFF_ROLES,
)
def publish_announcement(req: ApiRequest, announcement_id: str) -> Any:
    published = notices.publish(announcement_id, req.user.login, note=req.body.note)
    return schemas.StaffAnnouncement.from_result(published)


@endpoint(
    bp,
    "/staff/announcements/{announcement_id}/withdraw",
    "POST",
    summary="Wycofanie opublikowanego komunikatu",
    body="announcements:StateChange",
    returns="announcements:StaffAnnouncement",
    errors=(400, 401, 403, 404, 409),
    roles=STAFF_ROLES,
)
def withdraw_announcement(req: ApiRequest, announcement_id: str) -> Any:
    withdrawn = notices.withdraw(announcement_id, req.user.login, note=req.body.note)
    return schemas.StaffAnnouncement.from_result(withdrawn)
