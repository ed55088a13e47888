"""Bodies of the /auth routes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from chalicelib.schemas.base import Schema, Strict
from chalicelib.schemas.fields import CustomerNumber, Email, Grosze, Password, Phone, Token


class ConsentChoices(Strict):
    """Optional consents; each is recorded with its text version and time."""

    email_notices: bool = False
    sms_notices: bool = False


def _passwords_match(password: str, confirm: str) -> None:
    if password != confirm:
        raise ValueError("Hasła nie są identyczne.")


class RegisterRequest(Strict):
    """Registration: proof of ownership, contact, password, terms, consents."""

    customer_number: CustomerNumber
    invoice_number: str = Field(min_length=1, max_length=40)
    invoice_gross: Grosze = Field(description='Kwota brutto faktury, np. "123,45" lub "123.45".')
    email: Email
    phone: Phone | None = None
    password: Password
    password_confirm: Password
    accept_terms: str = Field(max_length=20, description="Wersja akceptowanego regulaminu.")
    consents: ConsentChoices = ConsentChoices()

    @model_validator(mode="after")
    def _check(self) -> RegisterRequest:
        _passwords_match(self.password, self.password_confirm)
        if self.consents.sms_notices and not self.phone:
            raise ValueError("Zgoda na SMS wymaga podania numeru telefonu.")
        return self


class TokenRequest(Strict):
    """A one-time token from an e-mailed link."""

    token: Token


class LoginRequest(Strict):
    """Login with the customer number and password."""

    login: str = Field(min_length=1, max_length=64)
    password: Password
    session: Literal["cookie", "bearer"] = Field(
        "cookie", description="cookie: przeglądarka (__Host- cookie); bearer: token w odpowiedzi."
    )
    device_token: str | None = Field(
        None,
        max_length=200,
        description=(
            "bearer: `device_token` z poprzedniego udanego logowania na tym urządzeniu "
            "(przeglądarka ma go w ciasteczku __Host-ibok_device). Cudze nieudane próby "
            "nie spowalniają logowania ze znanego urządzenia."
        ),
    )


class ForgotRequest(Strict):
    """ "Nie pamiętam hasła": the login or the e-mail address."""

    login: str = Field(min_length=1, max_length=254)


class ResetRequest(Strict):
    """A new password set with the token from the reset e-mail."""

    token: Token
    password: Password
    password_confirm: Password

    @model_validator(mode="after")
    def _check(self) -> ResetRequest:
        _passwords_match(self.password, self.password_confirm)
        return self


class ChangePasswordRequest(Strict):
    """A password change by a logged-in customer."""

    current_password: Password
    password: Password
    password_confirm: Password

    @model_validator(mode="after")
    def _check(self) -> ChangePasswordRequest:
        _passwords_match(self.password, self.password_confirm)
        return self


class Accepted(Schema):
    """A request taken in; the outcome is told by e-mail."""

    status: Literal["accepted"] = "accepted"
    message: str


class Registered(Schema):
    """Registration done; activation e-mail sent."""

    login: str
    message: str
    activation_expires_at: str


class LoggedIn(Schema):
    """A new session."""

    login: str
    expires_at: str
    idle_timeout_minutes: int
    token: str | None = Field(None, description="Tylko dla session=bearer.")
    device_token: str | None = Field(
        None,
        description="Tylko dla session=bearer: znak tego urządzenia do kolejnych logowań.",
    )
    second_factor: Literal["totp"] | None = Field(
        None,
        description=(
            "Konta obsługi: sesja czeka na kod z aplikacji uwierzytelniającej "
            "(POST /auth/login/totp) i do tego czasu nie otwiera nic innego."
        ),
    )


class SecondFactorGiven(Schema):
    """The staff's second factor given: the waiting session is replaced by a new one."""

    status: Literal["accepted"] = "accepted"
    message: str
    expires_at: str
    token: str | None = Field(
        None,
        description=(
            "Sesja bearer: nowy token sesji, odtąd jedyny ważny (token z POST /auth/login "
            "przestaje działać). Sesja w ciasteczku: nowe ciasteczko przychodzi w Set-Cookie."
        ),
    )


class TotpRequest(Strict):
    """The staff's second factor: the 6-digit code of their authenticator app."""

    code: str = Field(min_length=1, max_length=10, description="Kod TOTP (6 cyfr).")
