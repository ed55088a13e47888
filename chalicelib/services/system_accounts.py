"""Accounts that are not customers: the billing system's integration account, and staff
(with their TOTP secret: services/staff_accounts.py). Created by an operator command,
active at once, never tied to a customer number: a customer's login is its customer
number, so a system login that is (or looks like) one is refused."""

from __future__ import annotations

import re

from chalicelib.content.terms import CURRENT_TERMS_VERSION
from chalicelib.domain import passwords
from chalicelib.domain.accounts import Account, AccountStatus
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.roles import SYSTEM_ROLES
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.settings import get_settings
from chalicelib.storage import accounts as store
from chalicelib.storage import ownership

# Letters first, so a system login is never a number.
SYSTEM_LOGIN = re.compile(r"^[a-z][a-z0-9-]{2,39}$")
# What customer numbers look like: digits (with / or -), perhaps after a short letter prefix
# ("100200", "K100200", "WK-100/2").
CUSTOMER_NUMBER_LIKE = re.compile(r"^[a-z]{0,3}[-/]?[0-9][0-9/-]*$", re.IGNORECASE)
LOOKS_LIKE_CUSTOMER = (
    "Login konta systemowego nie może wyglądać jak numer klienta (cyfry, także po krótkim "
    "przedrostku, np. „K100200”). Wybierz login ze słów, np. „system-billingowy”."
)
IS_A_CUSTOMER = (
    "Ten login jest numerem klienta w danych rozliczeniowych. Wybierz inny login, "
    "np. „system-billingowy”."
)


def _login_problem(login: str) -> str | None:
    """Why `login` cannot name a system account, in Polish; None if it can."""
    if not SYSTEM_LOGIN.match(login):
        return "Login: od 3 do 40 znaków, małe litery, cyfry i „-”, na początku litera."
    if CUSTOMER_NUMBER_LIKE.match(login):
        return LOOKS_LIKE_CUSTOMER
    # Customer numbers may carry capitals; logins here are lower case.
    if any(ownership.is_customer(n) for n in {login, login.upper()}):
        return IS_A_CUSTOMER
    return None


def create_system_account(
    login: str,
    email: str,
    password: str,
    role: str,
    deps: Collaborators | None = None,
    *,
    totp_secret: str | None = None,
) -> Account:
    """Create an active account with `role` (and a staff member's sealed TOTP secret);
    Conflict if the login is taken."""
    deps = deps or current()
    if role not in SYSTEM_ROLES:
        raise InvalidInput(fields={"role": f"Dozwolone role: {', '.join(SYSTEM_ROLES)}."})
    problem = _login_problem(login)
    if problem:
        raise InvalidInput(fields={"login": problem})
    settings = get_settings()
    reason = passwords.policy_violation(
        password, min_length=settings.password_min_length, login=login, email=email
    )
    if reason:
        raise InvalidInput(fields={"password": reason})
    now = deps.clock.now()
    account = Account(
        login=login,
        email=email,
        status=AccountStatus.ACTIVE,
        role=role,
        password_hash=passwords.hash_password(
            password, deps.secrets.password_pepper(), settings.bcrypt_cost
        ),
        created_at=now,
        activated_at=now,
        terms_version=CURRENT_TERMS_VERSION,
        terms_accepted_at=now,
        totp_secret=totp_secret,
    )
    store.create_account(account, now)
    return account
