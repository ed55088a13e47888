"""The customer's own account."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from chalice import Blueprint

from chalicelib.http.endpoint import ApiRequest, Reply, endpoint
from chalicelib.lazy import lazy_module

bp = Blueprint(__name__)
WARSAW = ZoneInfo("Europe/Warsaw")
schemas = lazy_module("chalicelib.schemas.me")
profile = lazy_module("chalicelib.services.profile")
sessions = lazy_module("chalicelib.services.sessions")
personal_data = lazy_module("chalicelib.services.personal_data")
export_schemas = lazy_module("chalicelib.schemas.export")
termination = lazy_module("chalicelib.services.termination")


@endpoint(bp, "/me", summary="Moje konto", returns="me:Profile", errors=(401,), before_terms=True)
def me(req: ApiRequest) -> Any:
    return schemas.Profile.from_result(profile.get_profile(req.user.login))


@endpoint(
    bp,
    "/me",
    "PATCH",
    summary="Zmiana telefonu, zgód lub e-maila",
    body="me:ProfilePatch",
    returns="me:Profile",
    errors=(400, 401, 403, 429),
    before_terms=True,
)
def update_me(req: ApiRequest) -> Any:
    updated = profile.update_profile(req.user.login, req.body, req.user.token_hash)
    return schemas.Profile.from_result(updated)


@endpoint(
    bp,
    "/me/password",
    "POST",
    summary="Zmiana hasła",
    body="auth:ChangePasswordRequest",
    errors=(400, 401, 403, 429),
    before_terms=True,
)
def change_password(req: ApiRequest) -> Reply:
    sessions.change_password(
        req.user.login,
        req.body.current_password,
        req.body.password,
        keep_session=req.user.token_hash,
    )
    return Reply(None, status=204)


@endpoint(
    bp,
    "/me/logins",
    summary="Historia logowań",
    returns="me:LoginHistory",
    errors=(401,),
    before_terms=True,
)
def logins(req: ApiRequest) -> Any:
    return schemas.LoginHistory.from_result(profile.login_history(req.user.login))


@endpoint(
    bp,
    "/me/terms/accept",
    "POST",
    summary="Akceptacja aktualnego regulaminu",
    body="me:TermsAcceptance",
    returns="me:Profile",
    errors=(400, 401, 403),
    before_terms=True,
)
def accept_terms(req: ApiRequest) -> Any:
    return schemas.Profile.from_result(profile.accept_terms(req.user.login, req.body.version))


@endpoint(
    bp,
    "/me/export",
    summary="Wszystkie moje dane osobowe (plik JSON do pobrania)",
    returns="export:PersonalDataExport",
    errors=(401,),
    before_terms=True,
)
def export(req: ApiRequest) -> Reply:
    data = personal_data.export(req.user.login)
    day = data.exported_at.astimezone(WARSAW).date().isoformat()
    filename = f"ibok-moje-dane-{req.user.login}-{day}.json"
    return Reply(
        export_schemas.PersonalDataExport.from_result(data),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@endpoint(
    bp,
    "/me",
    "DELETE",
    summary="Rezygnacja z konta (§7: zamknięcie po 14 dniach)",
    body="me:ResignRequest",
    returns="me:TerminationOut",
    status=202,
    errors=(400, 401, 409, 429),
    before_terms=True,
)
def resign(req: ApiRequest) -> Any:
    started = termination.resign(req.user.login, req.body.password, req.user.token_hash)
    return Reply(schemas.TerminationOut.from_result(started), status=202)


@endpoint(
    bp,
    "/me/resignation/withdraw",
    "POST",
    summary="Wycofanie rezygnacji z konta przed dniem zamknięcia",
    body="me:ResignationWithdrawal",
    returns="me:Profile",
    errors=(401, 409),
    before_terms=True,
)
def withdraw_resignation(req: ApiRequest) -> Any:
    termination.withdraw_resignation(req.user.login)
    return schemas.Profile.from_result(profile.get_profile(req.user.login))
