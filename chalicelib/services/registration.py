"""Registration with proof of ownership, and account activation."""

from __future__ import annotations

from datetime import timedelta

from pynamodb.exceptions import DoesNotExist

from chalicelib import clock
from chalicelib.adapters import mailer, secrets
from chalicelib.content.terms import CONSENT_TEXTS, CURRENT_TERMS_VERSION
from chalicelib.domain import passwords
from chalicelib.domain.accounts import AccountStatus
from chalicelib.domain.errors import DomainError, InvalidInput, Throttled
from chalicelib.domain.throttle import window_start
from chalicelib.domain.tokens import TokenKind
from chalicelib.models.accounts import Account, Consent
from chalicelib.models.billing import BillingItem, InvoiceRecord
from chalicelib.schemas.auth import RegisterRequest
from chalicelib.services.notify import link, local_time
from chalicelib.settings import get_settings
from chalicelib.storage import accounts as store
from chalicelib.storage import throttle
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


def _check_throttle(ip: str) -> None:
    settings = get_settings()
    now = int(clock.now().timestamp())
    window = settings.register_window_seconds
    scope = {"register": f"register#{ip}"}
    if not throttle.reserve(scope, {"register": settings.register_max_per_source}, now, window):
        raise Throttled(window - now % window, "Zbyt wiele prób rejestracji. Spróbuj później.")


def _check_proof(customer_number: str, invoice_number: str, gross: int) -> None:
    """The proof of ownership, limited per customer number whatever the source: invoice
    numbers are predictable, so the gross amount is the one secret and could otherwise be
    tried from many addresses. The check is counted as failed before it is made (so neither
    concurrent guesses nor timing probes get more checks than the limit) and taken back
    when it holds; once at the limit even a right proof waits for the next window."""
    settings = get_settings()
    now = int(clock.now().timestamp())
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
    try:
        invoice = InvoiceRecord.get(
            BillingItem.partition(customer_number), InvoiceRecord.sort_key(invoice_number)
        )
    except DoesNotExist:
        return False
    return int(invoice.gross) == gross


def consents_from(choices: dict[str, bool], source: str) -> list[Consent]:
    """Consent records for the given choices, with text versions and the current time."""
    now = clock.now()
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


def register(request: RegisterRequest, ip: str) -> tuple[Account, str]:
    """Create a pending account and e-mail its activation link; return it and the link's end."""
    settings = get_settings()
    _check_throttle(ip)
    if request.accept_terms != CURRENT_TERMS_VERSION:
        raise InvalidInput(
            fields={
                "accept_terms": f"Zaakceptuj aktualny regulamin (wersja {CURRENT_TERMS_VERSION})."
            }
        )
    reason = passwords.policy_violation(
        request.password,
        min_length=settings.password_min_length,
        login=request.customer_number,
        email=request.email,
    )
    if reason:
        raise InvalidInput(fields={"password": reason})
    _check_proof(request.customer_number, request.invoice_number, request.invoice_gross)

    now = clock.now()
    pending_until = now + timedelta(days=settings.activation_days)
    login = request.customer_number
    account = Account(
        *Account.key(login),
        login=login,
        email=request.email,
        email_key=request.email.casefold(),
        phone=request.phone,
        status=AccountStatus.PENDING,
        password_hash=passwords.hash_password(
            request.password, secrets.password_pepper(), settings.bcrypt_cost
        ),
        created_at=now,
        pending_until=pending_until,
        expires_at=pending_until + PENDING_ACCOUNT_KEPT,
        terms_version=request.accept_terms,
        terms_accepted_at=now,
        consents=consents_from(request.consents.model_dump(), "registration"),
    )
    store.create_account(account, now)
    token = store.issue_token(TokenKind.ACTIVATION, login, pending_until)
    try:
        mailer.send(
            "activation",
            account.email,
            {
                "login": login,
                "link": link("aktywacja", token),
                "valid_until": local_time(pending_until),
            },
        )
    except Exception as exc:  # SES refused or is unreachable: undo, so the customer can retry
        store.discard_token(token)
        account.delete(condition=Account.status == AccountStatus.PENDING)
        raise MailUnavailable() from exc
    return account, pending_until.isoformat()


def activate(token: str) -> str:
    """Activate the account the token belongs to; return its login."""
    now = clock.now()
    record = store.find_token(token, TokenKind.ACTIVATION, now)
    redeemed = record is not None and store.consume_token(
        record,
        now,
        [
            Account.status.set(AccountStatus.ACTIVE),
            Account.activated_at.set(now),
            Account.pending_until.remove(),
            Account.expires_at.remove(),
        ],
        Account.status == AccountStatus.PENDING,
    )
    if not redeemed:
        raise InvalidInput(ACTIVATION_FAILED)
    return record.owner
