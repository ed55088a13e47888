"""Portal accounts as services see them: states, the account, its consents, sessions,
one-time tokens and login attempts (storage hands these out, never a PynamoDB item)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from chalicelib.clock import to_warsaw
from chalicelib.domain.lifecycle import Termination, TerminationReason
from chalicelib.domain.records import Customer
from chalicelib.domain.terms import TermsAcceptance
from chalicelib.domain.tokens import TokenKind


class AccountStatus(StrEnum):
    """A portal account's state."""

    PENDING = "pending"  # registered, waiting for activation (removed by TTL if never)
    ACTIVE = "active"
    DISABLED = "disabled"
    # Deactivated by staff: no login from then on; the regulations' 14-day termination runs
    # from `termination_started_at` and closes the account on `closing_on`.
    DEACTIVATED = "deactivated"
    # Closed (§7, day 14): a tombstone without personal data (storage never hands it out
    # as an account: login, sessions and every customer endpoint see no account).
    CLOSED = "closed"


class LoginResult(StrEnum):
    """How one login attempt ended (the customer's login history)."""

    SUCCESS = "success"
    FAILURE = "failure"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class Consent:
    """One consent as given or withdrawn: kind, decision, text version, time, source."""

    kind: str
    granted: bool
    text_version: str
    at: datetime
    source: str


@dataclass(frozen=True)
class Account:
    """A portal account; a customer's login is their customer number."""

    login: str
    email: str
    status: AccountStatus
    password_hash: str
    created_at: datetime
    terms_version: str
    terms_accepted_at: datetime
    role: str = "customer"
    phone: str | None = None
    activated_at: datetime | None = None
    pending_until: datetime | None = None  # a registration: when its activation link ends
    expires_at: datetime | None = None  # a registration: removed (by TTL) after this
    consents: tuple[Consent, ...] = ()  # every decision, in the order made
    password_changed_at: datetime | None = None
    pending_email: str | None = None  # an e-mail change waiting for confirmation
    # The hash of the pending e-mail change's confirmation token.
    email_change_id: str | None = None
    email_change_until: datetime | None = None  # when its confirmation link ends
    # Staff: the TOTP secret, sealed (domain/totp.py); never shown after creation.
    totp_secret: str | None = None
    totp_failures: int = 0  # failed TOTP codes since the last right one
    # The regulations' §7 termination (domain/lifecycle.py): when and why it started and
    # the day the account closes; None when none is running.
    termination_started_at: datetime | None = None
    # Every terms acceptance, oldest first (empty for accounts older than the history).
    terms_history: tuple[TermsAcceptance, ...] = ()
    # The address SES reported as bouncing or complaining (lower-cased), and why.
    suppressed_email: str | None = None
    suppressed_reason: str | None = None
    suppressed_at: datetime | None = None

    @property
    def email_suppressed(self) -> bool:
        """True while the account's address is the one suppressed: nothing is sent to it."""
        return bool(self.suppressed_email) and self.suppressed_email == self.email.casefold()

    termination_reason: str | None = None
    closing_on: date | None = None

    @property
    def termination(self) -> Termination | None:
        """The §7 termination running on this account, if any."""
        if self.closing_on is None or self.termination_started_at is None:
            return None
        return Termination(
            reason=TerminationReason(self.termination_reason or TerminationReason.DEACTIVATION),
            started_on=to_warsaw(self.termination_started_at).date(),
            closing_on=self.closing_on,
        )


@dataclass(frozen=True)
class ConsentText:
    """The wording a consent kind is given with now, and its version."""

    version: str
    text: str


@dataclass(frozen=True)
class Profile:
    """An account with what the utility knows of its customer (None for a login that
    is no customer of the billing data), each consent kind's latest decision and the
    wording each is given with now."""

    account: Account
    customer: Customer | None
    consents: dict[str, Consent | None]
    terms_current: bool
    consent_texts: dict[str, ConsentText]


@dataclass(frozen=True)
class SessionOwner:
    """Whose a valid session is."""

    owner: str
    role: str
    second_factor_pending: bool = False  # staff: password right, TOTP code still to come
    terms_version: str | None = None  # the terms version the customer had accepted


@dataclass(frozen=True)
class OneTimeToken:
    """A stored one-time token (found unused and unexpired): known by its hash only."""

    token_hash: str
    kind: TokenKind
    owner: str
    valid_until: datetime
    new_email: str | None = None  # an e-mail change: the address it confirms
    change_id: str | None = None  # an e-mail cancellation: the change (its token's hash)


@dataclass(frozen=True)
class ActiveSession:
    """A live session as its customer may see it (never its token or the token's hash)."""

    created_at: datetime
    last_seen: datetime
    ip: str | None
    user_agent: str | None


@dataclass(frozen=True)
class LoginEvent:
    """One login attempt on an account."""

    at: datetime
    ip: str | None
    user_agent: str | None
    result: str
