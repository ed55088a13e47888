"""Bodies of the /me routes."""

from __future__ import annotations

from pydantic import Field

from chalicelib.domain import accounts, records
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

    @classmethod
    def from_result(cls, consent: accounts.Consent | None) -> ConsentState:
        """The state a latest decision (None: never asked) leaves."""
        if consent is None:
            return cls(granted=False, text_version=None, changed_at=None)
        return cls(
            granted=consent.granted,
            text_version=consent.text_version,
            changed_at=consent.at.isoformat(),
        )


class AddressOut(Schema):
    """A postal address."""

    street: str
    postal_code: str
    city: str

    @classmethod
    def from_result(cls, address: records.Address | None) -> AddressOut | None:
        """The address shown, if there is one."""
        if address is None:
            return None
        return cls(street=address.street, postal_code=address.postal_code, city=address.city)


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

    @classmethod
    def from_result(cls, profile: accounts.Profile) -> Profile:
        """Shape an account and its customer record for `GET /me`."""
        account, customer = profile.account, profile.customer
        return cls(
            login=account.login,
            customer_number=account.login,
            name=customer.name if customer else None,
            email=account.email,
            phone=account.phone,
            pending_email=account.pending_email,
            role=account.role,
            terms_version=account.terms_version,
            terms_current=profile.terms_current,
            consents={k: ConsentState.from_result(c) for k, c in profile.consents.items()},
            service_address=AddressOut.from_result(customer.service_address) if customer else None,
            correspondence_address=(
                AddressOut.from_result(customer.correspondence_address) if customer else None
            ),
            contract_status=customer.contract_status if customer else None,
            created_at=account.created_at.isoformat(),
            activated_at=account.activated_at.isoformat() if account.activated_at else None,
        )


class LoginAttempt(Schema):
    """One login attempt on the account."""

    at: str
    ip: str | None
    user_agent: str | None
    result: str


class LoginHistory(Schema):
    """Recent login attempts, newest first."""

    items: list[LoginAttempt]

    @classmethod
    def from_result(cls, events: list[accounts.LoginEvent]) -> LoginHistory:
        """The login attempts, in the order given."""
        return cls(
            items=[
                LoginAttempt(at=e.at.isoformat(), ip=e.ip, user_agent=e.user_agent, result=e.result)
                for e in events
            ]
        )


class TermsAcceptance(Strict):
    """Acceptance of a terms version (it must be the current one)."""

    version: str = Field(max_length=20)
