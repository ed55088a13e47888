"""Accounts that are not customers: the billing system's integration account (and, later,
staff). Created by an operator command, active at once, never tied to a customer number."""

from __future__ import annotations

import re

from chalicelib import clock
from chalicelib.adapters import secrets
from chalicelib.content.terms import CURRENT_TERMS_VERSION
from chalicelib.domain import passwords
from chalicelib.errors import InvalidInput
from chalicelib.models.accounts import Account
from chalicelib.settings import get_settings
from chalicelib.storage import accounts as store

SYSTEM_ROLES = ("integration", "staff", "admin")
# Letters first, so a system login can never be a customer number.
SYSTEM_LOGIN = re.compile(r"^[a-z][a-z0-9-]{2,39}$")


def create_system_account(login: str, email: str, password: str, role: str) -> Account:
    """Create an active account with `role`; Conflict if the login is taken."""
    if role not in SYSTEM_ROLES:
        raise InvalidInput(fields={"role": f"Dozwolone role: {', '.join(SYSTEM_ROLES)}."})
    if not SYSTEM_LOGIN.match(login):
        raise InvalidInput(fields={"login": "Login: małe litery, cyfry i '-', od litery."})
    settings = get_settings()
    reason = passwords.policy_violation(
        password, min_length=settings.password_min_length, login=login, email=email
    )
    if reason:
        raise InvalidInput(fields={"password": reason})
    now = clock.now()
    account = Account(
        *Account.key(login),
        login=login,
        email=email,
        email_key=email.casefold(),
        status="active",
        role=role,
        password_hash=passwords.hash_password(
            password, secrets.password_pepper(), settings.bcrypt_cost
        ),
        created_at=now,
        activated_at=now,
        terms_version=CURRENT_TERMS_VERSION,
        terms_accepted_at=now,
    )
    store.create_account(account, now)
    return account
