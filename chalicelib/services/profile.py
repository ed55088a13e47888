"""The customer's own account: profile, consents, e-mail change, login history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib import clock
from chalicelib.adapters import mailer
from chalicelib.content.terms import CONSENT_TEXTS, CURRENT_TERMS_VERSION
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.tokens import TokenKind, token_hash
from chalicelib.models.accounts import Account, Consent
from chalicelib.models.billing import CustomerRecord
from chalicelib.schemas.me import (
    AddressOut,
    ConsentState,
    LoginAttempt,
    LoginHistory,
    Profile,
    ProfilePatch,
)
from chalicelib.services import sessions
from chalicelib.services.notify import link, local_time, mask_email
from chalicelib.services.registration import consents_from
from chalicelib.settings import get_settings
from chalicelib.storage import accounts as store
from chalicelib.telemetry import security_event

EMAIL_CHANGE_RACED = "Hasło do konta zmieniło się w trakcie zmiany adresu. Spróbuj ponownie."
EMAIL_CHANGE_FAILED = "Link potwierdzający jest nieprawidłowy, wygasł albo został już użyty."
EMAIL_CANCEL_FAILED = (
    "Link jest nieprawidłowy albo wygasł, albo zmiana adresu została już potwierdzona lub "
    "anulowana. Jeśli to nie Ty zmieniłeś adres, skontaktuj się z Biurem Obsługi Klienta."
)
EMAIL_CHANGE_KINDS = (TokenKind.EMAIL_CHANGE, TokenKind.EMAIL_CANCEL)


@dataclass(frozen=True)
class EmailChange:
    """A started e-mail change: its two links' tokens (never stored) and their end."""

    new_email: str
    confirm_token: str
    cancel_token: str
    valid_until: datetime


def _address(address: dict[str, str] | None) -> AddressOut | None:
    if not address:
        return None
    return AddressOut(**address)


def current_consents(consents: list[Consent]) -> dict[str, ConsentState]:
    """The latest decision on each consent kind."""
    state = {
        kind: ConsentState(granted=False, text_version=None, changed_at=None)
        for kind in CONSENT_TEXTS
    }
    for consent in sorted(consents, key=lambda c: c.at):
        state[consent.kind] = ConsentState(
            granted=consent.granted,
            text_version=consent.text_version,
            changed_at=consent.at.isoformat(),
        )
    return state


def to_profile(account: Account, customer: CustomerRecord | None) -> Profile:
    """Shape an account and its customer record for `GET /me`."""
    return Profile(
        login=account.login,
        customer_number=account.login,
        name=customer.name if customer else None,
        email=account.email,
        phone=account.phone,
        pending_email=account.pending_email,
        role=account.role,
        terms_version=account.terms_version,
        terms_current=account.terms_version == CURRENT_TERMS_VERSION,
        consents=current_consents(account.consents or []),
        service_address=_address(customer.service_address) if customer else None,
        correspondence_address=_address(customer.correspondence_address) if customer else None,
        contract_status=customer.contract_status if customer else None,
        created_at=account.created_at.isoformat(),
        activated_at=account.activated_at.isoformat() if account.activated_at else None,
    )


def get_profile(login: str) -> Profile:
    """The caller's profile (one BatchGetItem)."""
    account, customer = store.get_account_with_customer(login)
    if account is None:
        raise NotFound()
    return to_profile(account, customer)


def update_profile(login: str, patch: ProfilePatch, session: str) -> Profile:
    """Change phone and consents now; start an e-mail change that waits for confirmation."""
    account = store.get_account(login)
    if account is None:
        raise NotFound()
    changes = patch.model_dump(exclude_unset=True)
    actions = []
    phone = account.phone
    if "phone" in changes:
        phone = patch.phone
        actions.append(Account.phone.set(phone) if phone else Account.phone.remove())
    if patch.consents is not None:
        choices = {k: v for k, v in patch.consents.model_dump().items() if v is not None}
        wants_sms = choices.get(
            "sms_notices", current_consents(account.consents)["sms_notices"].granted
        )
        if wants_sms and not phone:
            raise InvalidInput(
                fields={"consents.sms_notices": "Zgoda na SMS wymaga numeru telefonu."}
            )
        if choices:
            actions.append(
                Account.consents.set((account.consents or []) + consents_from(choices, "profile"))
            )
    elif (
        "phone" in changes
        and not phone
        and current_consents(account.consents)["sms_notices"].granted
    ):
        actions.append(
            Account.consents.set(
                (account.consents or []) + consents_from({"sms_notices": False}, "profile")
            )
        )
    if patch.email is not None and patch.email.casefold() != account.email.casefold():
        # Whoever holds a session must not redirect the account's mail (and so its password
        # reset) to an address of theirs without knowing the password.
        sessions.check_current_password(
            account, patch.current_password, "current_password", session
        )
        change = _start_email_change(account, patch.email)
        actions += [
            Account.pending_email.set(patch.email),
            Account.email_change_id.set(token_hash(change.confirm_token)),
        ]
    else:
        change = None
    if change is not None:
        # The password was checked against the account as read; a password change or reset
        # that ran since (the owner answering a thief) must not be outlived by this change.
        if not store.update_account_if_password_unchanged(account, actions):
            store.delete_tokens_of(account.login, *EMAIL_CHANGE_KINDS)
            raise Conflict(EMAIL_CHANGE_RACED)
        # Only once the account names this change as the pending one.
        _send_email_change(account, change)
    elif actions:
        store.update_account(account, actions)
    return get_profile(login)


def _start_email_change(account: Account, new_email: str) -> EmailChange:
    """Store the tokens of a new e-mail change (an earlier pending one is dropped): one to
    confirm from the new address, one to cancel from the old address without logging in."""
    settings = get_settings()
    now = clock.now()
    valid_until = now + timedelta(hours=settings.email_change_hours)
    store.delete_tokens_of(account.login, *EMAIL_CHANGE_KINDS)
    confirm = store.issue_token(
        TokenKind.EMAIL_CHANGE, account.login, valid_until, new_email=new_email
    )
    cancel = store.issue_token(  # as long as the confirmation link
        TokenKind.EMAIL_CANCEL, account.login, valid_until, change_id=token_hash(confirm)
    )
    return EmailChange(new_email, confirm, cancel, valid_until)


def _send_email_change(account: Account, change: EmailChange) -> None:
    mailer.send(
        "email_change_confirm",
        change.new_email,
        {
            "login": account.login,
            "link": link("potwierdz-email", change.confirm_token),
            "valid_until": local_time(change.valid_until),
        },
    )
    mailer.send(
        "email_change_notice",
        account.email,
        {
            "login": account.login,
            "masked_email": mask_email(change.new_email),
            "link": link("anuluj-zmiane-email", change.cancel_token),
            "valid_until": local_time(change.valid_until),
        },
    )


def confirm_email(token: str) -> str:
    """Apply a pending e-mail change; return the login. Only the account's current pending
    change can be confirmed: not one cancelled, replaced or ended by a password change."""
    now = clock.now()
    record = store.find_token(token, TokenKind.EMAIL_CHANGE, now)
    redeemed = (
        record is not None
        and bool(record.new_email)
        and store.consume_token(
            record,
            now,
            [
                Account.email.set(record.new_email),
                Account.email_key.set(record.new_email.casefold()),
                Account.pending_email.remove(),
                Account.email_change_id.remove(),
            ],
            Account.email_change_id == token_hash(token),
        )
    )
    if not redeemed:
        raise InvalidInput(EMAIL_CHANGE_FAILED)
    # A reset link already sent to the old address (which may be read by someone else: a
    # common reason to change it) no longer works.
    store.delete_tokens_of(record.owner, TokenKind.EMAIL_CANCEL, TokenKind.PASSWORD_RESET)
    return record.owner


def cancel_email_change(token: str) -> str:
    """Cancel a pending e-mail change with the link sent to the old address (no login
    needed); end every session of the account, since someone who knew the password may
    hold one. Return the login."""
    now = clock.now()
    record = store.find_token(token, TokenKind.EMAIL_CANCEL, now)
    redeemed = (
        record is not None
        and bool(record.change_id)
        and store.consume_token(
            record,
            now,
            [Account.pending_email.remove(), Account.email_change_id.remove()],
            Account.email_change_id == record.change_id,
            delete_tokens=(record.change_id,),
        )
    )
    if not redeemed:
        raise InvalidInput(EMAIL_CANCEL_FAILED)
    store.delete_sessions_of(record.owner)
    security_event("email_change_cancelled", login=record.owner)
    return record.owner


def accept_terms(login: str, version: str) -> Profile:
    """Record that the customer accepted the current terms version."""
    if version != CURRENT_TERMS_VERSION:
        raise InvalidInput(
            fields={"version": f"Zaakceptuj aktualny regulamin (wersja {CURRENT_TERMS_VERSION})."}
        )
    account = store.get_account(login)
    if account is None:
        raise NotFound()
    store.update_account(
        account, [Account.terms_version.set(version), Account.terms_accepted_at.set(clock.now())]
    )
    return get_profile(login)


def login_history(login: str) -> LoginHistory:
    """Recent login attempts on the caller's account."""
    return LoginHistory(
        items=[
            LoginAttempt(at=e.at.isoformat(), ip=e.ip, user_agent=e.user_agent, result=e.result)
            for e in store.recent_login_events(login)
        ]
    )
