"""Registration, activation, login, logout and password reset."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.http.auth import cleared_cookie, session_cookie
from chalicelib.http.endpoint import ApiRequest, Reply, endpoint
from chalicelib.schemas.auth import (
    Accepted,
    ForgotRequest,
    LoggedIn,
    LoginRequest,
    Registered,
    RegisterRequest,
    ResetRequest,
    TokenRequest,
)
from chalicelib.services import profile, registration, sessions
from chalicelib.settings import get_settings

bp = Blueprint(__name__)


@endpoint(
    bp,
    "/auth/register",
    "POST",
    summary="Rejestracja konta",
    body=RegisterRequest,
    returns=Registered,
    status=201,
    public=True,
    errors=(400, 409, 429),
)
def register(req: ApiRequest) -> Registered:
    account, until = registration.register(req.body, req.ip)
    return Registered(
        login=account.login,
        activation_expires_at=until,
        message="Konto utworzone. Sprawdź skrzynkę e-mail i kliknij link aktywacyjny.",
    )


@endpoint(
    bp,
    "/auth/activate",
    "POST",
    summary="Aktywacja konta linkiem z e-maila",
    body=TokenRequest,
    returns=Accepted,
    public=True,
    errors=(400,),
)
def activate(req: ApiRequest) -> Accepted:
    registration.activate(req.body.token)
    return Accepted(message="Konto zostało aktywowane. Możesz się zalogować.")


@endpoint(
    bp,
    "/auth/login",
    "POST",
    summary="Logowanie",
    body=LoginRequest,
    returns=LoggedIn,
    public=True,
    errors=(401, 429),
)
def login(req: ApiRequest) -> Reply:
    session = sessions.login(req.body.login, req.body.password, req.ip, req.user_agent)
    body = LoggedIn(
        login=session.login,
        expires_at=session.expires_at.isoformat(),
        idle_timeout_minutes=get_settings().session_idle_minutes,
        token=session.token if req.body.session == "bearer" else None,
    )
    headers = (
        {}
        if req.body.session == "bearer"
        else {"Set-Cookie": session_cookie(session.token, session.max_age)}
    )
    return Reply(body, headers=headers)


@endpoint(bp, "/auth/logout", "POST", summary="Wylogowanie", errors=(401,))
def logout(req: ApiRequest) -> Reply:
    sessions.logout(req.user.token_hash)
    return Reply(None, status=204, headers={"Set-Cookie": cleared_cookie()})


@endpoint(
    bp,
    "/auth/password/forgot",
    "POST",
    summary="Nie pamiętam hasła",
    body=ForgotRequest,
    returns=Accepted,
    status=202,
    public=True,
)
def forgot(req: ApiRequest) -> Accepted:
    sessions.forgot_password(req.body.login)
    return Accepted(
        message=(
            "Jeśli konto istnieje, wysłaliśmy na jego adres e-mail link do ustawienia nowego hasła."
        )
    )


@endpoint(
    bp,
    "/auth/password/reset",
    "POST",
    summary="Nowe hasło z linku z e-maila",
    body=ResetRequest,
    returns=Accepted,
    public=True,
    errors=(400,),
)
def reset(req: ApiRequest) -> Accepted:
    sessions.reset_password(req.body.token, req.body.password)
    return Accepted(message="Hasło zostało zmienione. Zaloguj się nowym hasłem.")


@endpoint(
    bp,
    "/auth/email/confirm",
    "POST",
    summary="Potwierdzenie nowego adresu e-mail",
    body=TokenRequest,
    returns=Accepted,
    public=True,
    errors=(400,),
)
def confirm_email(req: ApiRequest) -> Accepted:
    profile.confirm_email(req.body.token)
    return Accepted(message="Nowy adres e-mail został potwierdzony.")
