"""The staff's second factor: a staff login opens a session that waits for a TOTP code
(`POST /auth/login/totp`); until it is given, the session admits nothing else
(http/endpoint.py). A code is accepted once (its time step is claimed on the account by a
conditional write, so a replay fails). Failures are throttled like passwords: per login
(`LOGIN_MAX_FAILURES_PER_LOGIN_SOURCE` in a window) and per client address
(`LOGIN_MAX_FAILURES_PER_SOURCE`, across logins); at either cap the session is ended and
the caller waits for the window's end. Besides, after `MAX_CONSECUTIVE_FAILURES` failed
codes in a row on one account (NIST SP 800-63B 5.2.2) its second factor is locked, audited,
until an operator issues a new secret (`make staff-totp-reset LOGIN=…`,
services/staff_accounts.py `reset_totp`). A right code does not let the waiting session
in: it is replaced by a new one with a new token (ASVS V7.2.4), and the old token stops
working in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain import totp
from chalicelib.domain.audit import AuditAction
from chalicelib.domain.errors import InvalidInput, SecondFactorLocked, Throttled, Unauthorized
from chalicelib.domain.roles import STAFF_ROLES
from chalicelib.domain.throttle import window_start
from chalicelib.domain.tokens import SESSION_TOKEN_BYTES, new_token, token_hash
from chalicelib.services import audit
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.services.sessions import NewSession
from chalicelib.settings import get_settings
from chalicelib.storage import accounts as store
from chalicelib.storage import throttle
from chalicelib.telemetry import security_event

WRONG_CODE = "Kod jest nieprawidłowy albo został już użyty. Poczekaj na następny kod."
TOO_MANY = (
    "Zbyt wiele błędnych kodów. Ze względów bezpieczeństwa ta sesja została zakończona. "
    "Zaloguj się ponownie później."
)
MAX_CONSECUTIVE_FAILURES = 100  # NIST SP 800-63B 5.2.2: at most 100 consecutive failures
AUDIT_ACTOR = "system"


def complete_login(
    login: str,
    session_hash: str,
    code: str,
    ip: str,
    deps: Collaborators | None = None,
) -> NewSession:
    """Check the TOTP code of a staff session waiting for it and replace the session by a
    new one that has its second factor (its token is returned, shown to the client once);
    InvalidInput for a wrong, reused or missing code, Throttled after too many in a window,
    SecondFactorLocked after too many in a row."""
    deps = deps or current()
    settings = get_settings()
    now_dt = deps.clock.now()
    now = int(now_dt.timestamp())
    window = settings.login_window_seconds
    scope = {"totp": f"totp#{login}", "totp_source": f"totp-source#{ip}"}
    cap = {
        "totp": settings.login_max_failures_per_login_source,
        "totp_source": settings.login_max_failures_per_source,
    }
    # Counted before the check and taken back when right, as passwords are.
    if not throttle.reserve(scope, cap, now, window):
        store.delete_session(session_hash)
        security_event("totp_throttled", login=login)
        raise Throttled(window_start(now, window) + window - now, TOO_MANY)
    account = store.get_account(login)
    if account is None or account.role not in STAFF_ROLES:
        raise Unauthorized()
    if account.totp_failures >= MAX_CONSECUTIVE_FAILURES:
        store.delete_session(session_hash)
        raise SecondFactorLocked()
    step = None
    if account.totp_secret and code:
        secret = totp.unseal(account.totp_secret, deps.secrets.password_pepper(), login)
        step = totp.matching_step(secret, code, now_dt)
    if step is None or not store.claim_totp_step(login, step, MAX_CONSECUTIVE_FAILURES):
        _count_failure(login, session_hash, deps)
        raise InvalidInput(fields={"code": WRONG_CODE})
    token = new_token(SESSION_TOKEN_BYTES)
    ends = store.renew_after_second_factor(session_hash, token_hash(token), now_dt)
    # The login's failures are forgotten, the attempt is taken back from the address's.
    throttle.release([scope["totp"]], [scope["totp_source"]], now, window)
    return NewSession(login, token, datetime.fromtimestamp(ends, UTC), max(0, ends - now))


def _count_failure(login: str, session_hash: str, deps: Collaborators) -> None:
    """Count a failed code in the account's run of failures; the one that reaches the cap
    locks the second factor (audited) and ends the session."""
    security_event("totp_failed", login=login)
    failures = store.count_totp_failure(login)
    if failures < MAX_CONSECUTIVE_FAILURES:
        return
    store.delete_session(session_hash)
    if failures == MAX_CONSECUTIVE_FAILURES:
        security_event("totp_locked", login=login)
        audit.record(
            AUDIT_ACTOR,
            AuditAction.STAFF_TOTP_LOCKED,
            f"staff:{login}",
            after={"login": login, "failed_codes": failures},
            deps=deps,
        )
    raise SecondFactorLocked()
