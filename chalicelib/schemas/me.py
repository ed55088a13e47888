"""Bodies of the /me routes."""

from __future__ import annotations

from pydantic import Field

from chalicelib.domain import accounts, records
from chalicelib.domain.lifecycle import Termination
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
    """One consent as it stands now, with the wording it is given with now."""

    granted: bool
    text_version: str | None = Field(description="Wersja treści, której dotyczy decyzja.")
    changed_at: str | None
    text: str | None = Field(
        description="Aktualna treść zgody (co oznacza jej wyrażenie teraz); null: zgoda "
        "już nie jest zbierana."
    )
    current_text_version: str | None = Field(description="Wersja aktualnej treści zgody.")

    @classmethod
    def from_result(
        cls, consent: accounts.Consent | None, wording: accounts.ConsentText | None
    ) -> ConsentState:
        """The state a latest decision (None: never asked) leaves, and today's wording."""
        return cls(
            granted=consent.granted if consent else False,
            text_version=consent.text_version if consent else None,
            changed_at=consent.at.isoformat() if consent else None,
            text=wording.text if wording else None,
            current_text_version=wording.version if wording else None,
        )


class ConsentDecision(Schema):
    """One consent given or withdrawn: the history kept for the customer to see."""

    kind: str
    granted: bool
    text_version: str
    at: str
    source: str = Field(description="Gdzie: registration (rejestracja) albo profile (profil).")

    @classmethod
    def from_result(cls, consent: accounts.Consent) -> ConsentDecision:
        """One recorded decision."""
        return cls(
            kind=consent.kind,
            granted=consent.granted,
            text_version=consent.text_version,
            at=consent.at.isoformat(),
            source=consent.source,
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


class TerminationOut(Schema):
    """The account's running termination (§7): why, since when, the closing day."""

    reason: str = Field(
        description="resignation (rezygnacja klienta), deactivation (dezaktywacja przez BOK) "
        "albo contract_ended (rozwiązana umowa)."
    )
    started_on: str
    closing_on: str = Field(description="Dzień zamknięcia konta i usunięcia danych osobowych.")
    withdrawable: bool = Field(description="Czy klient może wycofać (tylko własną rezygnację).")

    @classmethod
    def from_result(cls, termination: Termination) -> TerminationOut:
        """Shape a running termination."""
        return cls(
            reason=str(termination.reason),
            started_on=termination.started_on.isoformat(),
            closing_on=termination.closing_on.isoformat(),
            withdrawable=termination.withdrawable,
        )


class ResignRequest(Strict):
    """A resignation from the account (`DELETE /me`): the current password."""

    password: Password


class ResignationWithdrawal(Strict):
    """Withdrawing the customer's own resignation: an empty JSON object."""


class Profile(Schema):
    """The customer's account and what the utility knows of them."""

    login: str
    customer_number: str
    name: str | None
    email: str
    phone: str | None
    pending_email: str | None = None
    email_suppressed: bool = Field(
        False,
        description="Adres e-mail odrzuca wiadomości (zwrot albo zgłoszenie spamu): nic nie jest "
        "na niego wysyłane, dopóki klient nie zmieni adresu.",
    )
    role: str
    terms_version: str
    terms_accepted_at: str
    terms_current: bool
    consents: dict[str, ConsentState]
    consent_history: list[ConsentDecision] = Field(
        description="Każda decyzja o zgodach (wyrażenie, wycofanie), od najnowszej."
    )
    service_address: AddressOut | None
    correspondence_address: AddressOut | None
    contract_status: str | None
    created_at: str
    activated_at: str | None
    termination: TerminationOut | None = Field(
        None, description="Trwające wypowiedzenie konta (§7), jeśli jest."
    )

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
            email_suppressed=account.email_suppressed,
            role=account.role,
            terms_version=account.terms_version,
            terms_accepted_at=account.terms_accepted_at.isoformat(),
            terms_current=profile.terms_current,
            consents={
                kind: ConsentState.from_result(consent, profile.consent_texts.get(kind))
                for kind, consent in profile.consents.items()
            },
            consent_history=[
                ConsentDecision.from_result(c)
                for c in sorted(account.consents, key=lambda c: c.at, reverse=True)
            ],
            service_address=AddressOut.from_result(customer.service_address) if customer else None,
            correspondence_address=(
                AddressOut.from_result(customer.correspondence_address) if customer else None
            ),
            contract_status=customer.contract_status if customer else None,
            created_at=account.created_at.isoformat(),
            activated_at=account.activated_at.isoformat() if account.activated_at else None,
            termination=(
                TerminationOut.from_result(account.termination) if account.termination else None
            ),
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
