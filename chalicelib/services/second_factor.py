"""The staff's second factor: a staff login opens a session that waits for a TOTP code
(`POST /auth/login/totp`); until it is given, the session admits nothing else
(http/endpoint.py). A code is accepted once (its time step is claimed on the account by a
conditional write, so a replay fails), and failures are throttled per login like
passwords: after `LOGIN_MAX_FAILURES_PER_LOGIN_SOURCE` in a window the session is ended
and the login must wait for the window's end. A right code does not let the waiting
session in: it is replaced by a new one with a new token (ASVS V7.2.4), and the old token
stops working in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain import totp
from chalicelib.domain.errors import InvalidInput, Throttled, Unauthorized
from chalicelib.domain.roles import STAFF_ROLES
from chalicelib.domain.throttle import window_start
from chalicelib.domain.tokens import SESSION_TOKEN_BYTES, new_token, token_hash
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


def complete_login(
    login: str, session_hash: str, code: str, deps: Collaborators | None = None
) -> NewSession:
    """Check the TOTP code of a staff session waiting for it and replace the session by a
    new one that has its second factor (its token is returned, shown to the client once);
    InvalidInput for a wrong, reused or missing code, Throttled after too many."""
    deps = deps or current()
    settings = get_settings()
    now_dt = deps.clock.now()
    now = int(now_dt.timestamp())
    window = settings.login_window_seconds
    scope = {"totp": f"totp#{login}"}
    cap = {"totp": settings.login_max_failures_per_login_source}
    # Counted before the check and taken back when right, as passwords are.
    if not throttle.reserve(scope, cap, now, window):
        store.delete_session(session_hash)
        security_event("totp_throttled", login=login)
        raise Throttled(window_start(now, window) + window - now, TOO_MANY)
    account = store.get_account(login)
    if account is None or account.role not in STAFF_ROLES:
        raise Unauthorized()
    step = None
    if account.totp_secret and code:
        secret = totp.unseal(account.totp_secret, deps.secrets.password_pepper(), login)
        step = totp.matching_step(secret, code, now_dt)
    if step is None or not store.claim_totp_step(login, step):
        security_event("totp_failed", login=login)
        raise InvalidInput(fields={"code": WRONG_CODE})
    token = new_token(SESSION_TOKEN_BYTES)
    ends = store.renew_after_second_factor(session_hash, token_hash(token), now_dt)
    throttle.release(list(scope.values()), [], now, window)
    return NewSession(login, token, datetime.fromtimestamp(ends, UTC), max(0, ends - now))
