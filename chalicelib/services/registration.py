"""Registration with proof of ownership, and account activation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.content.terms import CONSENT_TEXTS
from chalicelib.domain import passwords
from chalicelib.domain.accounts import Account, AccountStatus, Consent
from chalicelib.domain.errors import DomainError, InvalidInput, Throttled
from chalicelib.domain.notifications import NotificationKind
from chalicelib.domain.terms import TermsAcceptance
from chalicelib.domain.throttle import window_start
from chalicelib.domain.tokens import TokenKind
from chalicelib.logs import logger
from chalicelib.schemas.auth import RegisterRequest
from chalicelib.services import notifications, termination, terms
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.services.notify import link, local_time
from chalicelib.settings import get_settings
from chalicelib.storage import accounts as store
from chalicelib.storage import billing, ownership, throttle
from chalicelib.telemetry import security_event

PROOF_FAILED = (
    "Podane dane nie zgadzają się z naszymi danymi. Sprawdź numer klienta, numer faktury "
    "i kwotę brutto z tej faktury."
)
ACTIVATION_FAILED = "Link aktywacyjny jest nieprawidłowy, wygasł albo został już użyty."
# A registration never activated is removed by TTL this long after its activation link ends.
PENDING_ACCOUNT_KEPT = timedelta(days=1)
PROOF_LOCKED = (
    "Zbyt wiele nieudanych prób rejestracji dla tego numeru klienta. Spróbuj ponownie jutro "
    "albo skontaktuj się z Biurem Obsługi Klienta."
)
PROOF_WINDOW_SECONDS = 86400  # failed proofs per customer number are counted per UTC day


class MailUnavailable(DomainError):
    """The e-mail could not be sent; nothing was kept."""

    status = 503
    code = "mail_unavailable"
    message = "Nie udało się wysłać wiadomości e-mail. Spróbuj ponownie za kilka minut."


@dataclass(frozen=True)
class Registration:
    """A pending account just registered, and the end of its activation link."""

    login: str
    activation_expires_at: datetime


def _check_throttle(ip: str, deps: Collaborators) -> None:
    settings = get_settings()
    now = int(deps.clock.now().timestamp())
    window = settings.register_window_seconds
    scope = {"register": f"register#{ip}"}
    if not throttle.reserve(scope, {"register": settings.register_max_per_source}, now, window):
        raise Throttled(window - now % window, "Zbyt wiele prób rejestracji. Spróbuj później.")


def _check_proof(
    customer_number: str, invoice_number: str, gross: int, deps: Collaborators
) -> None:
    """The proof of ownership, limited per customer number whatever the source: invoice
    numbers are predictable, so the gross amount is the one secret and could otherwise be
    tried from many addresses. The check is counted as failed before it is made (so neither
    concurrent guesses nor timing probes get more checks than the limit) and taken back
    when it holds; once at the limit even a right proof waits for the next window."""
    settings = get_settings()
    now = int(deps.clock.now().timestamp())
    window = PROOF_WINDOW_SECONDS
    scope = {"proof": f"register-proof#{customer_number}"}
    cap = {"proof": settings.register_max_failed_proofs_per_customer}
    if not throttle.reserve(scope, cap, now, window):
        security_event("registration_proof_throttled", customer_number=customer_number)
        raise Throttled(window_start(now, window) + window - now, PROOF_LOCKED)
    if not _proof_holds(customer_number, invoice_number, gross):
        security_event("registration_proof_failed", customer_number=customer_number)
        raise InvalidInput(PROOF_FAILED)  # the reserved check stays counted
    throttle.release([], list(scope.values()), now, window)


def _proof_holds(customer_number: str, invoice_number: str, gross: int) -> bool:
    invoice = ownership.invoice_of(customer_number, invoice_number)
    return invoice is not None and invoice.gross == gross


def consents_from(
    choices: dict[str, bool], source: str, deps: Collaborators | None = None
) -> list[Consent]:
    """Consent records for the given choices, with text versions and the current time."""
    now = (deps or current()).clock.now()
    return [
        Consent(
            kind=kind,
            granted=granted,
            text_version=CONSENT_TEXTS[kind][0],
            at=now,
            source=source,
        )
        for kind, granted in choices.items()
    ]


def register(request: RegisterRequest, ip: str, deps: Collaborators | None = None) -> Registration:
    """Create a pending account and e-mail its activation link."""
    deps = deps or current()
    settings = get_settings()
    _check_throttle(ip, deps)
    in_effect = terms.current_version(deps)
    if request.accept_terms != in_effect.version:
        raise InvalidInput(
            fields={"accept_terms": f"Zaakceptuj aktualny regulamin (wersja {in_effect.version})."}
        )
    reason = passwords.policy_violation(
        request.password,
        min_length=settings.password_min_length,
        login=request.customer_number,
        email=request.email,
    )
    if reason:
        raise InvalidInput(fields={"password": reason})
    _check_proof(request.customer_number, request.invoice_number, request.invoice_gross, deps)

    now = deps.clock.now()
    pending_until = now + timedelta(days=settings.activation_days)
    login = request.customer_number
    account = Account(
        login=login,
        email=request.email,
        phone=request.phone,
        status=AccountStatus.PENDING,
        password_hash=passwords.hash_password(
            request.password, deps.secrets.password_pepper(), settings.bcrypt_cost
        ),
        created_at=now,
        pending_until=pending_until,
        expires_at=pending_until + PENDING_ACCOUNT_KEPT,
        terms_version=request.accept_terms,
        terms_accepted_at=now,
        terms_history=(TermsAcceptance(version=request.accept_terms, at=now),),
        consents=tuple(consents_from(request.consents.model_dump(), "registration", deps)),
    )
    store.create_account(account, now)
    token = store.issue_token(TokenKind.ACTIVATION, login, pending_until)
    try:
        notifications.notify(
            login,
            NotificationKind.ACTIVATION,
            {
                "login": login,
                "link": link("aktywacja", token),
                "valid_until": local_time(pending_until),
            },
            account=account,
            deps=deps,
        )
    except Exception as exc:  # SES refused or is unreachable: undo, so the customer can retry
        store.discard_token(token)
        store.discard_registration(login)
        raise MailUnavailable() from exc
    return Registration(login, pending_until)


def activate(token: str, deps: Collaborators | None = None) -> str:
    """Activate the account the token belongs to; return its login. A customer whose
    contract has ended by today (the billing import says so) gets their 14 days of §7 from now:
    the termination starts and its notice goes out, as it would for an account that
    existed when the contract ended."""
    deps = deps or current()
    now = deps.clock.now()
    record = store.find_token(token, TokenKind.ACTIVATION, now)
    if record is None:
        raise InvalidInput(ACTIVATION_FAILED)
    # Read before the token is spent: if the read fails, the link still works.
    known = billing.customer(record.owner)
    if not store.activate(record, now):
        raise InvalidInput(ACTIVATION_FAILED)
    try:
        termination.start_if_contract_ended(record.owner, known, deps)
    except Exception:  # the account is active either way; staff see it in the log
        logger.exception("termination of an ended contract not started at activation")
    return record.owner
