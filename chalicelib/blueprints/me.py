"""The customer's own account."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.http.endpoint import ApiRequest, Reply, endpoint
from chalicelib.schemas.auth import ChangePasswordRequest
from chalicelib.schemas.me import LoginHistory, Profile, ProfilePatch, TermsAcceptance
from chalicelib.services import profile, sessions

bp = Blueprint(__name__)


@endpoint(bp, "/me", summary="Moje konto", returns=Profile, errors=(401,))
def me(req: ApiRequest) -> Profile:
    return profile.get_profile(req.user.login)


@endpoint(
    bp,
    "/me",
    "PATCH",
    summary="Zmiana telefonu, zgód lub e-maila",
    body=ProfilePatch,
    returns=Profile,
    errors=(400, 401, 403),
)
def update_me(req: ApiRequest) -> Profile:
    return profile.update_profile(req.user.login, req.body)


@endpoint(
    bp,
    "/me/password",
    "POST",
    summary="Zmiana hasła",
    body=ChangePasswordRequest,
    errors=(400, 401, 403),
)
def change_password(req: ApiRequest) -> Reply:
    sessions.change_password(
        req.user.login,
        req.body.current_password,
        req.body.password,
        keep_session=req.user.token_hash,
    )
    return Reply(None, status=204)


@endpoint(bp, "/me/logins", summary="Historia logowań", returns=LoginHistory, errors=(401,))
def logins(req: ApiRequest) -> LoginHistory:
    return profile.login_history(req.user.login)


@endpoint(
    bp,
    "/me/terms/accept",
    "POST",
    summary="Akceptacja aktualnego regulaminu",
    body=TermsAcceptance,
    returns=Profile,
    errors=(400, 401, 403),
)
def accept_terms(req: ApiRequest) -> Profile:
    return profile.accept_terms(req.user.login, req.body.version)
