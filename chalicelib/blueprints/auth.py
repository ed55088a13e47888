"""Registration, activation, login, logout and password reset."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.domain.roles import EVERY_ROLE, STAFF_ROLES
from chalicelib.http.auth import (
    cleared_cookie,
    device_cookie,
    device_cookie_token,
    session_cookie,
)
from chalicelib.http.endpoint import ApiRequest, Reply, endpoint
from chalicelib.lazy import lazy_module
from chalicelib.settings import get_settings

bp = Blueprint(__name__)
schemas = lazy_module("chalicelib.schemas.auth")
profile = lazy_module("chalicelib.services.profile")
registration = lazy_module("chalicelib.services.registration")
second_factor = lazy_module("chalicelib.services.second_factor")
sessions = lazy_module("chalicelib.services.sessions")


@endpoint(
    bp,
    "/auth/register",
    "POST",
    summary="Rejestracja konta",
    body="auth:RegisterRequest",
    returns="auth:Registered",
    status=201,
    public=True,
    errors=(400, 409, 429),
)
def register(req: ApiRequest) -> Any:
    registered = registration.register(req.body, req.ip)
    return schemas.Registered(
        login=registered.login,
        activation_expires_at=registered.activation_expires_at.isoformat(),
        message="Konto utworzone. Sprawdź skrzynkę e-mail i kliknij link aktywacyjny.",
    )


@endpoint(
    bp,
    "/auth/activate",
    "POST",
    summary="Aktywacja konta linkiem z e-maila",
    body="auth:TokenRequest",
    returns="auth:Accepted",
    public=True,
    errors=(400,),
)
def activate(req: ApiRequest) -> Any:
    registration.activate(req.body.token)
    return schemas.Accepted(message="Konto zostało aktywowane. Możesz się zalogować.")


@endpoint(
    bp,
    "/auth/login",
    "POST",
    summary="Logowanie",
    body="auth:LoginRequest",
    returns="auth:LoggedIn",
    public=True,
    errors=(401, 429),
)
def login(req: ApiRequest) -> Reply:
    bearer = req.body.session == "bearer"
    device_token = req.body.device_token if bearer else device_cookie_token(req.raw.headers)
    session = sessions.login(
        req.body.login, req.body.password, req.ip, req.user_agent, device_token
    )
    settings = get_settings()
    staff = session.second_factor is not None
    body = schemas.LoggedIn(
        login=session.login,
        expires_at=session.expires_at.isoformat(),
        idle_timeout_minutes=(
            settings.staff_session_idle_minutes if staff else settings.session_idle_minutes
        ),
        token=session.token if bearer else None,
        device_token=session.device_token if bearer else None,
        second_factor=session.second_factor,
    )
    if bearer:
        return Reply(body)
    cookies = [
        session_cookie(session.token, session.max_age),
        device_cookie(session.device_token, settings.device_trust_days * 86400),
    ]
    return Reply(body, headers={"Set-Cookie": cookies})


@endpoint(
    bp,
    "/auth/login/totp",
    "POST",
    summary="Logowanie obsługi: kod z aplikacji uwierzytelniającej",
    body="auth:TotpRequest",
    returns="auth:SecondFactorGiven",
    errors=(400, 401, 403, 429),
    roles=STAFF_ROLES,
    before_second_factor=True,
)
def login_totp(req: ApiRequest) -> Reply:
    user = req.user
    session = second_factor.complete_login(user.login, user.token_hash, req.body.code, req.ip)
    body = schemas.SecondFactorGiven(
        message="Zalogowano.",
        expires_at=session.expires_at.isoformat(),
        token=None if user.via_cookie else session.token,
    )
    if not user.via_cookie:
        return Reply(body)
    return Reply(body, headers={"Set-Cookie": session_cookie(session.token, session.max_age)})


@endpoint(
    bp,
    "/auth/logout",
    "POST",
    summary="Wylogowanie",
    errors=(401,),
    roles=EVERY_ROLE,
    before_second_factor=True,
    before_terms=True,
)
def logout(req: ApiRequest) -> Reply:
    sessions.logout(req.user.token_hash)
    return Reply(None, status=204, headers={"Set-Cookie": cleared_cookie()})


@endpoint(
    bp,
    "/auth/password/forgot",
    "POST",
    summary="Nie pamiętam hasła",
    body="auth:ForgotRequest",
    returns="auth:Accepted",
    status=202,
    public=True,
    errors=(429,),
)
def forgot(req: ApiRequest) -> Any:
    sessions.forgot_password(req.body.login, req.ip)
    return schemas.Accepted(
        message=(
            "Jeśli konto istnieje, wysłaliśmy na jego adres e-mail link do ustawienia nowego hasła."
        )
    )


@endpoint(
    bp,
    "/auth/password/reset",
    "POST",
    summary="Nowe hasło z linku z e-maila",
    body="auth:ResetRequest",
    returns="auth:Accepted",
    public=True,
    errors=(400,),
)
def reset(req: ApiRequest) -> Any:
    sessions.reset_password(req.body.token, req.body.password)
    return schemas.Accepted(message="Hasło zostało zmienione. Zaloguj się nowym hasłem.")


@endpoint(
    bp,
    "/auth/email/confirm",
    "POST",
    summary="Potwierdzenie nowego adresu e-mail",
    body="auth:TokenRequest",
    returns="auth:Accepted",
    public=True,
    errors=(400,),
)
def confirm_email(req: ApiRequest) -> Any:
    profile.confirm_email(req.body.token)
    return schemas.Accepted(message="Nowy adres e-mail został potwierdzony.")


@endpoint(
    bp,
    "/auth/email/cancel",
    "POST",
    summary="Anulowanie zmiany adresu e-mail linkiem wysłanym na dotychczasowy adres",
    body="auth:TokenRequest",
    returns="auth:Accepted",
    public=True,
    errors=(400,),
)
def cancel_email_change(req: ApiRequest) -> Any:
    profile.cancel_email_change(req.body.token)
    return schemas.Accepted(
        message=(
            "Zmiana adresu e-mail została anulowana i wszystkie sesje konta zostały wylogowane. "
            "Jeśli to nie Ty zleciłeś zmianę, ustaw nowe hasło (opcja „Nie pamiętam hasła”)."
        )
    )
