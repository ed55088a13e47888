"""Login, logout, password reset and password change."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError

from chalicelib.domain import devices, passwords
from chalicelib.domain.accounts import Account, AccountStatus, LoginResult
from chalicelib.domain.errors import InvalidInput, LoginFailed, QueuedWorkFailed, Throttled
from chalicelib.domain.notifications import NotificationKind
from chalicelib.domain.roles import STAFF_ROLES
from chalicelib.domain.throttle import (
    LoginLimits,
    login_caps,
    login_retry_after,
    login_scopes,
    window_start,
)
from chalicelib.domain.tokens import SESSION_TOKEN_BYTES, TokenKind, new_token, token_hash
from chalicelib.logs import logger
from chalicelib.schemas.messages import ResetMailRequest
from chalicelib.services import notifications
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.services.notify import link, local_time
from chalicelib.settings import Settings, get_settings
from chalicelib.storage import accounts as store
from chalicelib.storage import lifecycle as lifecycle_store
from chalicelib.storage import reset_mail as reset_marks
from chalicelib.storage import throttle
from chalicelib.telemetry import security_event

RESET_FAILED = "Link do zmiany hasła jest nieprawidłowy, wygasł albo został już użyty."
RESET_MAILS_PER_HOUR = 3
REAUTH_THROTTLED = (
    "Zbyt wiele błędnych haseł. Ze względów bezpieczeństwa ta sesja została zakończona. "
    "Zaloguj się ponownie."
)
RESET_SOURCE_WINDOW = 3600  # RESET_MAX_PER_SOURCE requests per source in this window
# A reset request that waited longer in the queue is dropped: its link would come out of
# the blue (the customer has asked again, or given up).
RESET_REQUEST_MAX_AGE = 3600
# A claim on a reset e-mail older than this was left by a consumer that died mid-way and is
# taken over: longer than the consumer's Lambda timeout, shorter than the queue's
# visibility timeout (both checked in tests/infra).
RESET_CLAIM_LEASE = 120
SECOND_FACTOR_TOTP = "totp"


@dataclass(frozen=True)
class NewSession:
    """A session just created; `token` is shown to the client once and never stored.
    `device_token` marks the client as a known device of this login (never stored either)."""

    login: str
    token: str
    expires_at: datetime
    max_age: int
    device_token: str = ""
    # "totp" for a staff session, which admits nothing but the code until it is given.
    second_factor: str | None = None


def _limits(settings: Settings) -> LoginLimits:
    return LoginLimits(
        window=settings.login_window_seconds,
        per_login_source=settings.login_max_failures_per_login_source,
        per_source=settings.login_max_failures_per_source,
        per_login=settings.login_max_failures_per_login,
        slowdown=settings.login_slowdown_seconds,
    )


def login(
    login_name: str,
    password: str,
    ip: str,
    user_agent: str,
    device_token: str | None = None,
    deps: Collaborators | None = None,
) -> NewSession:
    """Check the credentials and open a session. Every failure is the same LoginFailed.

    A valid `device_token` of this login (from an earlier successful login) counts the
    attempt against that device only, so others' failures - on the login, or from the same
    address behind a shared NAT - cannot hold the customer's own device back."""
    deps = deps or current()
    settings = get_settings()
    now_dt = deps.clock.now()
    now = int(now_dt.timestamp())
    today = now // 86400
    login_name = login_name.strip()
    pepper = deps.secrets.password_pepper()
    device_key = devices.device_key(pepper)
    device = devices.verify(device_key, device_token, login_name, today, settings.device_trust_days)
    scopes = login_scopes(login_name, ip, device.nonce if device else None)
    limits = _limits(settings)
    window = settings.login_window_seconds
    attempt = _Attempt(login_name, now_dt, ip, user_agent, settings.login_history_days)
    # The attempt is counted as a failure before the password is checked (and taken back if
    # it succeeds), so that concurrent attempts cannot all pass on the same old counts.
    if not throttle.reserve(scopes, login_caps(limits), now, window, {"login": limits.slowdown}):
        counters = throttle.read(scopes, now, window)
        attempt.record(LoginResult.THROTTLED, closed=lifecycle_store.is_closed(login_name))
        raise Throttled(max(1, login_retry_after(counters, now, limits)))

    account, closed = store.get_login_target(login_name)
    if account is None:
        passwords.verify_password(password, passwords.dummy_hash(settings.bcrypt_cost), pepper)
        valid = False
    else:
        valid = passwords.verify_password(password, account.password_hash, pepper)
    if not valid or account is None or account.status != AccountStatus.ACTIVE:
        if account is not None:  # every failure costs one check at the configured cost
            passwords.pad_to_cost(account.password_hash, settings.bcrypt_cost)
        attempt.record(LoginResult.FAILURE, closed=closed)
        raise LoginFailed()  # the reserved attempt stays counted

    if passwords.needs_rehash(account.password_hash, settings.bcrypt_cost):
        new_hash = passwords.hash_password(password, pepper, settings.bcrypt_cost)
        if store.rehash_password(account.login, account.password_hash, new_hash):
            account = replace(account, password_hash=new_hash)
    session = open_session(account, ip, user_agent, now_dt)
    if session is None:  # closed, deactivated or given a new password since it was read
        attempt.record(LoginResult.FAILURE, closed=lifecycle_store.is_closed(login_name))
        raise LoginFailed()  # the reserved attempt stays counted
    # The caller's own pair and device start afresh; the attempt is taken back from the
    # source and the login, whose earlier failures stay: or each of the customer's logins
    # would hand a distributed guesser a fresh run of unslowed attempts.
    cleared = [key for name, key in scopes.items() if name in ("login_source", "device")]
    returned = [key for name, key in scopes.items() if name in ("source", "login")]
    throttle.release(cleared, returned, now, window)
    return replace(session, device_token=devices.issue(device_key, account.login, today))


@dataclass(frozen=True)
class _Attempt:
    """One login attempt, to record as it ends."""

    login: str
    at: datetime
    ip: str
    user_agent: str
    kept_days: int

    def record(self, result: LoginResult, *, closed: bool) -> None:
        """Record it, under an unknown login too (the attempt is the security record), but
        never under a closed account's tombstone, whose login history was erased at
        closure: a decoy write there, so that the attempt costs what any other does."""
        if closed:
            store.record_decoy_login_event(self.at, result)
        else:
            store.record_login_event(
                self.login, self.at, self.ip, self.user_agent, result, self.kept_days
            )


def open_session(account: Account, ip: str, user_agent: str, now: datetime) -> NewSession | None:
    """Create a fresh session for `account` and record the successful login; a staff
    account's session waits for its TOTP code (services/second_factor.py) before it admits
    anything else. None, with nothing written, if the account is no longer active with the
    password hash it was read with (closed, deactivated, new password: the write is
    conditional on it, storage/accounts.py `create_session`)."""
    settings = get_settings()
    token = new_token(SESSION_TOKEN_BYTES)
    max_age = settings.session_absolute_hours * 3600
    staff = account.role in STAFF_ROLES
    created = store.create_session(
        token_hash(token),
        owner=account.login,
        role=account.role,
        now=now,
        max_age=max_age,
        ip=ip,
        user_agent=user_agent,
        password_hash=account.password_hash,
        history_days=settings.login_history_days,
        second_factor_pending=staff,
        terms_version=None if staff else account.terms_version,
    )
    if not created:
        return None
    return NewSession(
        account.login,
        token,
        now + timedelta(seconds=max_age),
        max_age,
        second_factor=SECOND_FACTOR_TOTP if staff else None,
    )


def logout(hashed_token: str) -> None:
    """End the caller's session."""
    store.delete_session(hashed_token)


def _reset_targets(login_or_email: str) -> list[Account]:
    value = login_or_email.strip()
    logins = store.find_logins_by_email(value) if "@" in value else [value]
    accounts = [store.get_account(name) for name in logins]
    return [a for a in accounts if a is not None and a.status == AccountStatus.ACTIVE]


def forgot_password(login_or_email: str, ip: str, deps: Collaborators | None = None) -> None:
    """Queue a reset e-mail for the account(s) `login_or_email` names, if any.

    Every request does the same work, whatever it names, so the answer's time tells
    nothing: one per-source throttle transaction and one SendMessage. The accounts are
    looked up by the queue's consumer (`send_reset_mail`), after the answer."""
    deps = deps or current()
    settings = get_settings()
    now = int(deps.clock.now().timestamp())
    window = RESET_SOURCE_WINDOW
    scope = {"reset_source": f"reset-source#{ip}"}
    if not throttle.reserve(scope, {"reset_source": settings.reset_max_per_source}, now, window):
        raise Throttled(
            window_start(now, window) + window - now,
            "Zbyt wiele próśb o link do zmiany hasła. Spróbuj ponownie później.",
        )
    request = ResetMailRequest(id=uuid.uuid4().hex, login=login_or_email, requested_at=now)
    # ASCII JSON: SQS refuses some characters a login field may carry (U+FFFE, U+FFFF).
    deps.queues.send(settings.reset_queue, json.dumps(request.model_dump(), ensure_ascii=True))


def send_reset_mail(message_body: str, deps: Collaborators | None = None) -> None:
    """The reset queue's consumer: e-mail a one-time reset link to the active account(s)
    a request names, within each account's hourly limit. Nothing else changes.

    SQS delivers at least once. Each account's e-mail of one request is claimed before it
    is sent and marked done after, so a redelivered request sends nothing again. A failed
    send gives back its claim and its place in the hourly limit and raises: SQS retries
    the message, and after a few failures moves it to the dead-letter queue."""
    deps = deps or current()
    try:
        request = ResetMailRequest.model_validate_json(message_body)
    except ValidationError:  # its text would quote the login
        raise QueuedWorkFailed("malformed reset request") from None
    now = int(deps.clock.now().timestamp())
    if now - request.requested_at > RESET_REQUEST_MAX_AGE:
        logger.info("reset request dropped: too old")
        return
    for account in _reset_targets(request.login):
        _mail_reset_link(account, request.id, now, deps)


def _mail_reset_link(account: Account, request_id: str, now: int, deps: Collaborators) -> None:
    claim = reset_marks.claim(
        request_id, account.login, now, RESET_CLAIM_LEASE, now + 2 * RESET_REQUEST_MAX_AGE
    )
    if claim is None:
        logger.info("reset mail skipped: this request was handled already")
        return
    scope = {"reset": f"reset-mail#{account.login}"}
    if not throttle.reserve(scope, {"reset": RESET_MAILS_PER_HOUR}, now, 3600):
        logger.info("reset mail skipped: hourly limit reached")
        _mark_done(request_id, account.login, now)
        return
    try:
        _issue_reset_link(account, now, deps)
    except Exception:
        logger.exception("reset mail not sent")  # masked; SES names the recipient
        throttle.release([], list(scope.values()), now, 3600)
        reset_marks.release(request_id, account.login, claim)
        raise QueuedWorkFailed("reset e-mail not sent") from None
    _mark_done(request_id, account.login, now)


def _mark_done(request_id: str, login: str, now: int) -> None:
    # Never raises: the e-mail went out, and a retry would send it again once the claim's
    # lease ended. If this fails, the claim keeps redeliveries away until then.
    try:
        reset_marks.done(request_id, login, now)
    except Exception:
        logger.exception("reset mail not marked done")


def _issue_reset_link(account: Account, now: int, deps: Collaborators) -> None:
    settings = get_settings()
    store.delete_tokens_of(account.login, TokenKind.PASSWORD_RESET)
    valid_until = datetime.fromtimestamp(now, UTC) + timedelta(minutes=settings.reset_minutes)
    token = store.issue_token(TokenKind.PASSWORD_RESET, account.login, valid_until)
    notifications.notify(
        account.login,
        NotificationKind.PASSWORD_RESET,
        {
            "login": account.login,
            "link": link("nowe-haslo", token),
            "minutes": settings.reset_minutes,
        },
        account=account,
        deps=deps,
    )


def _check_new_password(password: str, account: Account) -> None:
    reason = passwords.policy_violation(
        password,
        min_length=get_settings().password_min_length,
        login=account.login,
        email=account.email,
    )
    if reason:
        raise InvalidInput(fields={"password": reason})


def reset_password(token: str, password: str, deps: Collaborators | None = None) -> None:
    """Set a new password with a reset token; end every session; e-mail a notice."""
    deps = deps or current()
    settings = get_settings()
    now = deps.clock.now()
    record = store.find_token(token, TokenKind.PASSWORD_RESET, now)
    account = store.get_account(record.owner) if record is not None else None
    if record is None or account is None or account.status != AccountStatus.ACTIVE:
        raise InvalidInput(RESET_FAILED)
    _check_new_password(password, account)
    pepper = deps.secrets.password_pepper()
    new_hash = passwords.hash_password(password, pepper, settings.bcrypt_cost)
    if not store.reset_password(record, new_hash, now):
        raise InvalidInput(RESET_FAILED)
    _end_what_the_old_password_allowed(account)
    store.delete_sessions_of(account.login)
    _send_changed_notice(account, now, account.pending_email is not None, deps)


def check_current_password(
    account: Account,
    password: str | None,
    field: str,
    session: str,
    deps: Collaborators | None = None,
) -> None:
    """Re-authentication before a sensitive change (password, e-mail address): the current
    password must be right. Its failures are counted per session (the attempt counted
    before the check, taken back when right), so a stolen session cannot be used to guess
    the password, nor to lock its owner's other sessions out of changing it: a session that
    reaches the cap is ended, and only the password opens another."""
    deps = deps or current()
    settings = get_settings()
    now = int(deps.clock.now().timestamp())
    window = settings.login_window_seconds
    scope = {"reauth": f"reauth#{session}"}
    cap = {"reauth": settings.login_max_failures_per_login_source}
    if not throttle.reserve(scope, cap, now, window):
        store.delete_session(session)
        security_event("reauth_throttled", login=account.login)
        raise Throttled(window_start(now, window) + window - now, REAUTH_THROTTLED)
    pepper = deps.secrets.password_pepper()
    if not password or not passwords.verify_password(password, account.password_hash, pepper):
        raise InvalidInput(fields={field: "Obecne hasło jest nieprawidłowe."})
    throttle.release(list(scope.values()), [], now, window)


def change_password(
    login_name: str,
    current_password: str,
    password: str,
    keep_session: str,
    deps: Collaborators | None = None,
) -> None:
    """Change the password of a logged-in customer; end their other sessions."""
    deps = deps or current()
    settings = get_settings()
    account = store.get_account(login_name)
    if account is None:
        raise LoginFailed()
    check_current_password(account, current_password, "current_password", keep_session, deps)
    pepper = deps.secrets.password_pepper()
    _check_new_password(password, account)
    now = deps.clock.now()
    new_hash = passwords.hash_password(password, pepper, settings.bcrypt_cost)
    store.set_password(account.login, new_hash, now)
    _end_what_the_old_password_allowed(account)
    store.delete_sessions_of(account.login, keep=keep_session)
    _send_changed_notice(account, now, account.pending_email is not None, deps)


def _end_what_the_old_password_allowed(account: Account) -> None:
    """After a password change or reset: drop the outstanding reset links and the pending
    e-mail change's links. The change itself already ended with the password's write
    (storage/accounts.py `PENDING_CHANGES_ENDED`), so a confirmation link fails even if a
    token outlives this."""
    store.delete_tokens_of(
        account.login, TokenKind.PASSWORD_RESET, TokenKind.EMAIL_CHANGE, TokenKind.EMAIL_CANCEL
    )


def _send_changed_notice(
    account: Account, now: datetime, email_change_cancelled: bool, deps: Collaborators
) -> None:
    notifications.notify(
        account.login,
        NotificationKind.PASSWORD_CHANGED,
        {
            "login": account.login,
            "changed_at": local_time(now),
            "email_change_cancelled": email_change_cancelled,
        },
        account=account,
        deps=deps,
    )
