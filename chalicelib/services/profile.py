"""The customer's own account: profile, consents, e-mail change, login history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.content.terms import CONSENT_TEXTS
from chalicelib.domain.accounts import Account, Consent, ConsentText, LoginEvent, Profile
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.notifications import NotificationKind
from chalicelib.domain.tokens import TokenKind, token_hash
from chalicelib.schemas.me import ProfilePatch
from chalicelib.services import notifications, sessions, terms
from chalicelib.services.collaborators import Collaborators, current
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


def current_consents(consents: tuple[Consent, ...]) -> dict[str, Consent | None]:
    """The latest decision on each consent kind (None: never asked)."""
    state: dict[str, Consent | None] = dict.fromkeys(CONSENT_TEXTS)
    for consent in sorted(consents, key=lambda c: c.at):
        state[consent.kind] = consent
    return state


def _granted(consents: tuple[Consent, ...], kind: str) -> bool:
    latest = current_consents(consents).get(kind)
    return latest is not None and latest.granted


def get_profile(login: str) -> Profile:
    """The caller's profile (one BatchGetItem; the terms in effect from the per-container
    copy, services/terms.py)."""
    in_effect = terms.copy_reader()
    account, customer = store.get_account_with_customer(login)
    if account is None:
        raise NotFound()
    return Profile(
        account=account,
        customer=customer,
        consents=current_consents(account.consents),
        terms_current=account.terms_version == in_effect().version,
        consent_texts={kind: ConsentText(*wording) for kind, wording in CONSENT_TEXTS.items()},
    )


def update_profile(
    login: str, patch: ProfilePatch, session: str, deps: Collaborators | None = None
) -> Profile:
    """Change phone and consents now; start an e-mail change that waits for confirmation."""
    deps = deps or current()
    account = store.get_account(login)
    if account is None:
        raise NotFound()
    changes = patch.model_dump(exclude_unset=True)
    phone_change: dict[str, str | None] = {}
    new_consents: list[Consent] = []
    phone = account.phone
    if "phone" in changes:
        phone = patch.phone
        phone_change["phone"] = phone
    if patch.consents is not None:
        choices = {k: v for k, v in patch.consents.model_dump().items() if v is not None}
        wants_sms = choices.get("sms_notices", _granted(account.consents, "sms_notices"))
        if wants_sms and not phone:
            raise InvalidInput(
                fields={"consents.sms_notices": "Zgoda na SMS wymaga numeru telefonu."}
            )
        new_consents = consents_from(choices, "profile", deps)
    elif "phone" in changes and not phone and _granted(account.consents, "sms_notices"):
        new_consents = consents_from({"sms_notices": False}, "profile", deps)
    if patch.email is not None and patch.email.casefold() != account.email.casefold():
        # Whoever holds a session must not redirect the account's mail (and so its password
        # reset) to an address of theirs without knowing the password.
        sessions.check_current_password(
            account, patch.current_password, "current_password", session, deps
        )
        change = _start_email_change(account, patch.email, deps)
        # The password was checked against the account as read; a password change or reset
        # that ran since (the owner answering a thief) must not be outlived by this change.
        if not store.update_profile(
            account,
            **phone_change,
            new_consents=new_consents,
            email_change=(patch.email, token_hash(change.confirm_token), change.valid_until),
        ):
            store.delete_tokens_of(account.login, *EMAIL_CHANGE_KINDS)
            raise Conflict(EMAIL_CHANGE_RACED)
        # Only once the account names this change as the pending one.
        _send_email_change(account, change, deps)
    elif phone_change or new_consents:
        store.update_profile(account, **phone_change, new_consents=new_consents)
    return get_profile(login)


def _start_email_change(account: Account, new_email: str, deps: Collaborators) -> EmailChange:
    """Store the tokens of a new e-mail change (an earlier pending one is dropped): one to
    confirm from the new address, one to cancel from the old address without logging in."""
    settings = get_settings()
    now = deps.clock.now()
    valid_until = now + timedelta(hours=settings.email_change_hours)
    store.delete_tokens_of(account.login, *EMAIL_CHANGE_KINDS)
    confirm = store.issue_token(
        TokenKind.EMAIL_CHANGE, account.login, valid_until, new_email=new_email
    )
    cancel = store.issue_token(  # as long as the confirmation link
        TokenKind.EMAIL_CANCEL, account.login, valid_until, change_id=token_hash(confirm)
    )
    return EmailChange(new_email, confirm, cancel, valid_until)


def _send_email_change(account: Account, change: EmailChange, deps: Collaborators) -> None:
    notifications.notify(
        account.login,
        NotificationKind.EMAIL_CHANGE_CONFIRM,
        {
            "login": account.login,
            "link": link("potwierdz-email", change.confirm_token),
            "valid_until": local_time(change.valid_until),
        },
        to=change.new_email,
        account=account,
        deps=deps,
    )
    notifications.notify(
        account.login,
        NotificationKind.EMAIL_CHANGE_NOTICE,
        {
            "login": account.login,
            "masked_email": mask_email(change.new_email),
            "link": link("anuluj-zmiane-email", change.cancel_token),
            "valid_until": local_time(change.valid_until),
        },
        account=account,
        deps=deps,
    )


def confirm_email(token: str, deps: Collaborators | None = None) -> str:
    """Apply a pending e-mail change; return the login. Only the account's current pending
    change can be confirmed: not one cancelled, replaced or ended by a password change."""
    now = (deps or current()).clock.now()
    record = store.find_token(token, TokenKind.EMAIL_CHANGE, now)
    redeemed = (
        record is not None and bool(record.new_email) and store.confirm_email_change(record, now)
    )
    if not redeemed:
        raise InvalidInput(EMAIL_CHANGE_FAILED)
    # A reset link already sent to the old address (which may be read by someone else: a
    # common reason to change it) no longer works.
    store.delete_tokens_of(record.owner, TokenKind.EMAIL_CANCEL, TokenKind.PASSWORD_RESET)
    return record.owner


def cancel_email_change(token: str, deps: Collaborators | None = None) -> str:
    """Cancel a pending e-mail change with the link sent to the old address (no login
    needed); end every session of the account, since someone who knew the password may
    hold one. Return the login."""
    now = (deps or current()).clock.now()
    record = store.find_token(token, TokenKind.EMAIL_CANCEL, now)
    redeemed = (
        record is not None and bool(record.change_id) and store.cancel_pending_email(record, now)
    )
    if not redeemed:
        raise InvalidInput(EMAIL_CANCEL_FAILED)
    store.delete_sessions_of(record.owner)
    security_event("email_change_cancelled", login=record.owner)
    return record.owner


def accept_terms(login: str, version: str, deps: Collaborators | None = None) -> Profile:
    """Record that the customer accepted the terms version in effect (with its time, in
    the account's history and on every open session of the login)."""
    deps = deps or current()
    in_effect = terms.current_version(deps)
    if version != in_effect.version:
        raise InvalidInput(
            fields={"version": f"Zaakceptuj aktualny regulamin (wersja {in_effect.version})."}
        )
    account = store.get_account(login)
    if account is None:
        raise NotFound()
    store.accept_terms(account.login, version, deps.clock.now())
    return get_profile(login)


def login_history(login: str) -> list[LoginEvent]:
    """Recent login attempts on the caller's account, newest first."""
    return store.recent_login_events(login)
