"""Bodies of the /me routes."""

from __future__ import annotations

from pydantic import Field

from chalicelib.schemas.base import Schema, Strict
from chalicelib.schemas.fields import Email, Password, Phone


class ConsentPatch(Strict):
    """Consents to change; a field left out keeps its value."""

    email_notices: bool | None = None
    sms_notices: bool | None = None


class ProfilePatch(Strict):
    """Profile changes. `phone: null` removes the phone; a new e-mail waits for confirmation."""

    phone: Phone | None = Field(None, description="Numer telefonu; null usuwa numer.")
    email: Email | None = None
    current_password: Password | None = Field(
        None, description="Obecne hasło: wymagane, gdy zmienia się adres e-mail."
    )
    consents: ConsentPatch | None = None


class ConsentState(Schema):
    """One consent as it stands now."""

    granted: bool
    text_version: str | None
    changed_at: str | None


class AddressOut(Schema):
    """A postal address."""

    street: str
    postal_code: str
    city: str


class Profile(Schema):
    """The customer's account and what the utility knows of them."""

    login: str
    customer_number: str
    name: str | None
    email: str
    phone: str | None
    pending_email: str | None = None
    role: str
    terms_version: str
    terms_current: bool
    consents: dict[str, ConsentState]
    service_address: AddressOut | None
    correspondence_address: AddressOut | None
    contract_status: str | None
    created_at: str
    activated_at: str | None


class LoginAttempt(Schema):
    """One login attempt on the account."""

    at: str
    ip: str | None
    user_agent: str | None
    result: str


class LoginHistory(Schema):
    """Recent login attempts, newest first."""

    items: list[LoginAttempt]


class TermsAcceptance(Strict):
    """Acceptance of a terms version (it must be the current one)."""

    version: str = Field(max_length=20)
