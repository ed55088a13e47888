"""Staff accounts (role `staff` or `admin`), created by an operator command
(`make staff-account`), never by self-registration. Each gets a TOTP secret, stored
sealed (domain/totp.py) and shown once, as the `otpauth://` URI the operator hands to the
staff member's authenticator app; nothing returns it afterwards."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain import totp
from chalicelib.domain.accounts import Account
from chalicelib.domain.audit import AuditAction
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.roles import STAFF_ROLES
from chalicelib.services import audit
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.services.system_accounts import create_system_account
from chalicelib.storage import accounts as store

ISSUER = "IBOK"
OPERATOR = "operator"  # the audit log's actor for operator commands


@dataclass(frozen=True)
class NewStaffAccount:
    """A staff account just created, with its provisioning URI (shown this once)."""

    account: Account
    provisioning_uri: str


def create_staff_account(
    login: str,
    email: str,
    password: str,
    role: str,
    *,
    actor: str = OPERATOR,
    deps: Collaborators | None = None,
) -> NewStaffAccount:
    """Create an active staff account with a new TOTP secret; audited."""
    deps = deps or current()
    if role not in STAFF_ROLES:
        raise InvalidInput(fields={"role": f"Dozwolone role: {', '.join(STAFF_ROLES)}."})
    secret = totp.new_secret()
    sealed = totp.seal(secret, deps.secrets.password_pepper(), login)
    account = create_system_account(login, email, password, role, deps, totp_secret=sealed)
    audit.record(
        actor,
        AuditAction.STAFF_ACCOUNT_CREATED,
        f"staff:{login}",
        after={"login": login, "email": email, "role": role, "status": account.status},
        deps=deps,
    )
    return NewStaffAccount(account, totp.provisioning_uri(secret, login, ISSUER))


def reset_totp(login: str, *, actor: str = OPERATOR, deps: Collaborators | None = None) -> str:
    """Issue a staff account a new TOTP secret (a lost phone, or a second factor locked
    after too many failed codes): the old secret stops working, the failed codes are
    forgotten; audited. Returns the new provisioning URI (shown this once); NotFound if
    `login` is not a staff account."""
    deps = deps or current()
    secret = totp.new_secret()
    if not store.reset_totp(login, totp.seal(secret, deps.secrets.password_pepper(), login)):
        raise NotFound("Nie ma takiego konta obsługi.")
    audit.record(actor, AuditAction.STAFF_TOTP_RESET, f"staff:{login}", deps=deps)
    return totp.provisioning_uri(secret, login, ISSUER)
