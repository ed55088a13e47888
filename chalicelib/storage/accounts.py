"""Accounts, sessions, one-time tokens and login events in the accounts table.

Services get the dataclasses of domain/accounts.py, never an item; every update of an
account is a function here named for what it does, with its condition."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any, Final

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.domain import accounts as domain
from chalicelib.domain import records
from chalicelib.domain.accounts import AccountStatus, LoginResult
from chalicelib.domain.errors import Conflict, Unauthorized
from chalicelib.domain.lifecycle import LifecycleStep, TerminationReason, lifecycle_key
from chalicelib.domain.roles import STAFF_ROLES
from chalicelib.domain.terms import TermsAcceptance
from chalicelib.domain.tokens import ONE_TIME_TOKEN_BYTES, TokenKind, new_token, token_hash
from chalicelib.logs import logger
from chalicelib.models.accounts import (
    ACCOUNT_SHARDS,
    Account,
    AccountsItem,
    Consent,
    LoginEvent,
    OneTimeToken,
    Session,
    SessionRef,
    account_shard,
)
from chalicelib.models.accounts import TermsAcceptance as TermsAcceptanceItem
from chalicelib.models.billing import BillingItem, CustomerRecord
from chalicelib.storage.errors import cancellation_codes, is_condition_failure
from chalicelib.storage.records import parse

LOGIN_EVENT_DAYS = 180  # the default of LOGIN_HISTORY_DAYS
# A one-time token is removed by TTL this long after its end; until then its end is what
# refuses it (`valid_until`, checked on every use), since TTL deletes lag.
TOKEN_KEPT = timedelta(days=1)
# A password change or reset also ends a pending e-mail change: the victim of a stolen
# password answers with a new one, and the thief's address must not take the account then.
# Every write that ends a pending change takes it off the `email_changes` index too.
PENDING_CHANGES_ENDED = (
    Account.pending_email.remove(),
    Account.email_change_id.remove(),
    Account.email_change_until.remove(),
    Account.email_change_day.remove(),
)
SUPPRESSION_CLEARED = (
    Account.suppressed_email.remove(),
    Account.suppressed_reason.remove(),
    Account.suppressed_at.remove(),
)


class Keep(Enum):
    """A field the update leaves as it is."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP


SECOND_FACTOR_PENDING = "pending"


def _consent(item: Consent) -> domain.Consent:
    return domain.Consent(
        kind=item.kind,
        granted=item.granted,
        text_version=item.text_version,
        at=item.at,
        source=item.source,
    )


def _consent_item(consent: domain.Consent) -> Consent:
    return Consent(
        kind=consent.kind,
        granted=consent.granted,
        text_version=consent.text_version,
        at=consent.at,
        source=consent.source,
    )


def _account(item: Account) -> domain.Account:
    return domain.Account(
        login=item.login,
        email=item.email,
        status=AccountStatus(item.status),
        password_hash=item.password_hash,
        created_at=item.created_at,
        terms_version=item.terms_version,
        terms_accepted_at=item.terms_accepted_at,
        role=item.role,
        phone=item.phone,
        activated_at=item.activated_at,
        pending_until=item.pending_until,
        expires_at=item.expires_at,
        consents=tuple(_consent(c) for c in item.consents or []),
        password_changed_at=item.password_changed_at,
        pending_email=item.pending_email,
        email_change_id=item.email_change_id,
        email_change_until=item.email_change_until,
        totp_secret=item.totp_secret,
        totp_failures=int(item.totp_failures or 0),
        termination_started_at=item.termination_started_at,
        terms_history=tuple(
            TermsAcceptance(version=t.version, at=t.at) for t in item.terms_history or []
        ),
        suppressed_email=item.suppressed_email,
        suppressed_reason=item.suppressed_reason,
        suppressed_at=item.suppressed_at,
        termination_reason=item.termination_reason,
        closing_on=date.fromisoformat(item.closing_on) if item.closing_on else None,
    )


def _open_account(item: Account) -> domain.Account | None:
    """The account, or None for a closed account's tombstone (no login, no profile)."""
    return None if item.status == AccountStatus.CLOSED else _account(item)


def get_account(login: str) -> domain.Account | None:
    """The account with this login, or None (none, or closed)."""
    try:
        return _open_account(Account.get(*Account.key(login), consistent_read=True))
    except DoesNotExist:
        return None


def get_login_target(login: str) -> tuple[domain.Account | None, bool]:
    """What a login attempt on `login` meets, in one read: the account (None: none, or
    closed) and whether the login is a closed account's tombstone."""
    try:
        item = Account.get(*Account.key(login), consistent_read=True)
    except DoesNotExist:
        return None, False
    return _open_account(item), item.status == AccountStatus.CLOSED


def find_logins_by_email(email: str) -> list[str]:
    """Logins of the accounts using this e-mail (one person may hold several customer
    numbers with one address)."""
    return [
        item.pk.removeprefix("ACCOUNT#")
        for item in Account.by_email.query(email.casefold(), limit=20)
    ]


def _account_item(account: domain.Account) -> Account:
    """The item a new account is stored as (`create_account`; the reminder benchmark
    batch-writes these)."""
    return Account(
        *Account.key(account.login),
        login=account.login,
        email=account.email,
        email_key=account.email.casefold(),
        phone=account.phone,
        status=account.status,
        role=account.role,
        password_hash=account.password_hash,
        created_at=account.created_at,
        activated_at=account.activated_at,
        pending_until=account.pending_until,
        expires_at=account.expires_at,
        terms_version=account.terms_version,
        terms_accepted_at=account.terms_accepted_at,
        consents=[_consent_item(c) for c in account.consents],
        totp_secret=account.totp_secret,
        terms_history=[
            TermsAcceptanceItem(version=t.version, at=t.at) for t in account.terms_history
        ],
        account_shard=account_shard(account.login) if account.role == "customer" else None,
        lifecycle_day=(
            lifecycle_key(LifecycleStep.ACTIVATION, account.pending_until.date())
            if account.status == AccountStatus.PENDING and account.pending_until
            else None
        ),
    )


def create_account(account: domain.Account, now: datetime) -> None:
    """Store a new account; Conflict if the login has an account that is not an expired,
    never-activated registration."""
    item = _account_item(account)
    # A closed account's tombstone gives way to a new registration, unless staff closed it.
    condition = (
        Account.pk.does_not_exist()
        | ((Account.status == AccountStatus.PENDING) & (Account.pending_until < now))
        | (
            (Account.status == AccountStatus.CLOSED)
            & (Account.termination_reason != TerminationReason.DEACTIVATION)
        )
    )
    try:
        item.save(condition=condition)
    except PutError as exc:
        if is_condition_failure(exc):
            raise Conflict("Dla tego numeru klienta istnieje już konto w IBOK.") from exc
        raise


def discard_registration(login: str) -> None:
    """Remove a registration that is still pending (its activation e-mail could not be
    sent, so the customer may register again at once)."""
    Account(*Account.key(login)).delete(condition=Account.status == AccountStatus.PENDING)


def get_account_with_customer(
    login: str,
) -> tuple[domain.Account | None, records.Customer | None]:
    """The account and its customer record in one BatchGetItem round trip."""
    account_keys = Account.key(login)
    customer_pk = BillingItem.partition(login)
    request = {
        Account.Meta.table_name: {
            "Keys": [{"pk": {"S": account_keys[0]}, "sk": {"S": account_keys[1]}}],
            "ConsistentRead": True,
        },
        CustomerRecord.Meta.table_name: {
            "Keys": [{"pk": {"S": customer_pk}, "sk": {"S": CustomerRecord.SORT_KEY}}]
        },
    }
    response = connection().client.batch_get_item(RequestItems=request)
    items = response.get("Responses", {})
    accounts = items.get(Account.Meta.table_name, [])
    customers = items.get(CustomerRecord.Meta.table_name, [])
    account = _open_account(Account.from_raw_data(accounts[0])) if accounts else None
    customer = parse(CustomerRecord.from_raw_data(customers[0])) if customers else None
    return account, customer


def connection() -> Connection:
    """The low-level connection (BatchGetItem across tables, transactions)."""
    return Account._get_connection().connection


# --- changes of an account ------------------------------------------------------------


def _update(login: str, actions: list[Any], condition: Any = None) -> None:
    """Apply update actions to an existing account."""
    full_condition = Account.pk.exists()
    if condition is not None:
        full_condition = full_condition & condition
    Account(*Account.key(login)).update(actions=actions, condition=full_condition)


def rehash_password(login: str, old_hash: str, new_hash: str) -> bool:
    """Store the same password hashed anew (at a higher cost), only if the hash is still
    the one the login checked: a password changed or reset meanwhile is never written
    back over. False when it was (nothing to do: the new password has its own hash)."""
    try:
        _update(login, [Account.password_hash.set(new_hash)], Account.password_hash == old_hash)
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def set_password(login: str, password_hash: str, now: datetime) -> None:
    """Store a new password; a pending e-mail change ends with it (`PENDING_CHANGES_ENDED`)."""
    _update(
        login,
        [
            Account.password_hash.set(password_hash),
            Account.password_changed_at.set(now),
            *PENDING_CHANGES_ENDED,
        ],
    )


def accept_terms(login: str, version: str, now: datetime) -> None:
    """Record that the account accepted terms `version` at `now`: the account's current
    version, its history (appended), and every open session of the login (what the terms
    gate reads, `touch_session`)."""
    accepted = TermsAcceptanceItem(version=version, at=now)
    _update(
        login,
        [
            Account.terms_version.set(version),
            Account.terms_accepted_at.set(now),
            Account.terms_history.set((Account.terms_history | []).append([accepted])),
        ],
    )
    for item in Session.by_owner.query(login, Session.pk.startswith("SESSION#")):
        try:
            Session(item.pk, "SESSION").update(
                actions=[Session.terms_version.set(version)], condition=Session.pk.exists()
            )
        except UpdateError as exc:
            if not is_condition_failure(exc):  # a session ended meanwhile: nothing to do
                raise


def update_profile(
    account: domain.Account,
    *,
    phone: str | Keep | None = KEEP,
    new_consents: Sequence[domain.Consent] = (),
    email_change: tuple[str, str, datetime] | None = None,
) -> bool:
    """Change the phone (None removes it), add consent decisions to the account's and, with
    `email_change` (the new address, the change's id and the end of its link), make that
    change the pending one, listed under its link's last day in `email_changes` - only
    while the password is the one `account` was read with: False if it changed meanwhile
    (a change or reset ran between the check of the password and this write)."""
    actions: list[Any] = []
    if phone is not KEEP:
        actions.append(Account.phone.set(phone) if phone else Account.phone.remove())
    if new_consents:
        consents = [*account.consents, *new_consents]
        actions.append(Account.consents.set([_consent_item(c) for c in consents]))
    if email_change is None:
        if actions:
            _update(account.login, actions)
        return True
    new_email, change_id, valid_until = email_change
    actions += [
        Account.pending_email.set(new_email),
        Account.email_change_id.set(change_id),
        Account.email_change_until.set(valid_until),
        Account.email_change_day.set(valid_until.astimezone(UTC).date().isoformat()),
    ]
    try:
        _update(account.login, actions, Account.password_hash == account.password_hash)
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


# --- sessions -------------------------------------------------------------------------


CHECKED_WRITE_ATTEMPTS = 3


def _checked_write(items: Callable[[TransactWrite], None]) -> bool:
    """Run one transaction of `items` (a check of the account and the writes that need it);
    False if a condition refused it. A transaction meeting another one on the account item
    (DynamoDB cancels it: `TransactionConflict`) is tried again, up to
    `CHECKED_WRITE_ATTEMPTS` times, then counts as refused; any other cancellation
    (throttling, a validation error) is raised, never taken for the account's refusal."""
    for _ in range(CHECKED_WRITE_ATTEMPTS):
        try:
            with TransactWrite(connection=connection()) as tx:
                items(tx)
        except TransactWriteError as exc:
            if not is_condition_failure(exc):
                raise  # throttled, a validation error: not the account's answer
            if "ConditionalCheckFailed" in cancellation_codes(exc):
                return False
            continue  # only concurrent transactions: try again
        return True
    logger.warning("account transaction kept meeting others: refused")
    return False


def create_session(
    hashed_token: str,
    *,
    owner: str,
    role: str,
    now: datetime,
    max_age: int,
    ip: str,
    user_agent: str,
    password_hash: str,
    history_days: int = LOGIN_EVENT_DAYS,
    second_factor_pending: bool = False,
    terms_version: str | None = None,
) -> bool:
    """Store a new session of `owner` after a successful login, known by its token's hash,
    ending `max_age` seconds after `now` at the latest; a staff session waits for its second
    factor; a customer's carries the terms version its account accepted.

    One transaction writes the session, its entry in the account's partition (`SessionRef`)
    and the login's event, only while the account is still active with the password hash
    the login checked (`password_hash`). False, with nothing written, when it is not: the
    account was closed or deactivated, or its password changed or was reset, between the
    login's read and this write. Whoever ends the account's sessions after such a write
    (closure, deactivation, a new password) finds this one by its entry (strongly
    consistent), or this write is refused."""
    session = Session(
        *Session.key(hashed_token),
        owner=owner,
        role=role,
        created_at=now,
        last_seen=int(now.timestamp()),
        absolute_expires=int(now.timestamp()) + max_age,
        ip=ip,
        user_agent=user_agent[:300] or None,
        expires_at=now + timedelta(seconds=max_age),
        second_factor=SECOND_FACTOR_PENDING if second_factor_pending else None,
        terms_version=terms_version,
    )
    entry = SessionRef(*SessionRef.key(owner, hashed_token), expires_at=session.expires_at)
    event = _login_event(owner, now, ip, user_agent, LoginResult.SUCCESS, history_days)

    def items(tx: TransactWrite) -> None:
        tx.condition_check(
            Account,
            *Account.key(owner),
            condition=(Account.status == AccountStatus.ACTIVE)
            & (Account.password_hash == password_hash),
        )
        tx.save(session, condition=Session.pk.does_not_exist())
        tx.save(entry)
        tx.save(event)

    return _checked_write(items)


def touch_session(
    token_hash: str, now: int, idle_seconds: int, staff_idle_seconds: int | None = None
) -> domain.SessionOwner:
    """Validate and extend a session in one conditional write; Unauthorized if it is unknown,
    idle for too long (a staff session: `staff_idle_seconds`) or past its absolute end."""
    session = Session(*Session.key(token_hash))
    condition = (
        Session.pk.exists()
        & (Session.last_seen > now - idle_seconds)
        & (Session.absolute_expires > now)
    )
    if staff_idle_seconds is not None:
        condition &= ~Session.role.is_in(*STAFF_ROLES) | (
            Session.last_seen > now - staff_idle_seconds
        )
    try:
        session.update(actions=[Session.last_seen.set(now)], condition=condition)
    except UpdateError as exc:
        if is_condition_failure(exc):
            raise Unauthorized("Sesja wygasła. Zaloguj się ponownie.") from exc
        raise
    return domain.SessionOwner(
        owner=session.owner,
        role=session.role,
        second_factor_pending=session.second_factor == SECOND_FACTOR_PENDING,
        terms_version=session.terms_version,
    )


def deactivate(login: str, now: datetime, started_on: date, closing_on: date) -> bool:
    """Deactivate an active customer account and start its termination (closing on
    `closing_on`, its day-0 notice due today; a resignation or ended contract running
    already gives way to it), in one conditional write; False if there is no such active
    customer account."""
    try:
        _update(
            login,
            [
                Account.status.set(AccountStatus.DEACTIVATED),
                Account.termination_started_at.set(now),
                Account.termination_reason.set(TerminationReason.DEACTIVATION),
                Account.closing_on.set(closing_on.isoformat()),
                Account.lifecycle_day.set(lifecycle_key(LifecycleStep.NOTICE, started_on)),
            ],
            (Account.status == AccountStatus.ACTIVE) & (Account.role == "customer"),
        )
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def renew_after_second_factor(old_hash: str, new_hash: str, now: datetime) -> int:
    """Replace a staff session waiting for its second factor by a new one (known by
    `new_hash`) that has it, in one transaction: the old token stops working in the same
    write that makes the new one work (ASVS V7.2.4), and its entry in the account's partition
    (`SessionRef`) moves with it. The new session keeps the old one's
    owner, role and absolute end, which is returned (epoch seconds). Unauthorized if the
    old session is gone or not waiting for a second factor."""
    expired = Unauthorized("Sesja wygasła. Zaloguj się ponownie.")
    try:
        old = Session.get(*Session.key(old_hash), consistent_read=True)
    except DoesNotExist:
        raise expired from None
    if old.second_factor != SECOND_FACTOR_PENDING:
        raise expired
    new = Session(
        *Session.key(new_hash),
        owner=old.owner,
        role=old.role,
        created_at=now,
        last_seen=int(now.timestamp()),
        absolute_expires=int(old.absolute_expires),
        ip=old.ip,
        user_agent=old.user_agent,
        expires_at=old.expires_at,
        second_factor=None,
    )
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.delete(
                Session(*Session.key(old_hash)),
                condition=Session.pk.exists() & (Session.second_factor == SECOND_FACTOR_PENDING),
            )
            tx.save(new, condition=Session.pk.does_not_exist())
            tx.delete(SessionRef(*SessionRef.key(old.owner, old_hash)))
            tx.save(SessionRef(*SessionRef.key(old.owner, new_hash), expires_at=old.expires_at))
    except TransactWriteError as exc:
        if is_condition_failure(exc):  # ended, or renewed by a concurrent request
            raise expired from exc
        raise
    return int(old.absolute_expires)


def claim_totp_step(login: str, step: int, max_failures: int) -> bool:
    """Record that a TOTP code of time step `step` was used on `login` and forget its failed
    codes; False if a code of this or a later step was used already (a replay) or the
    second factor is locked (`max_failures` failed codes), in one conditional write."""
    try:
        _update(
            login,
            [Account.totp_last_step.set(step), Account.totp_failures.remove()],
            (Account.totp_last_step.does_not_exist() | (Account.totp_last_step < step))
            & (Account.totp_failures.does_not_exist() | (Account.totp_failures < max_failures)),
        )
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def count_totp_failure(login: str) -> int:
    """Count one failed TOTP code on `login` (one atomic update); the count since the last
    right code."""
    item = Account(*Account.key(login))
    item.update(actions=[Account.totp_failures.add(1)], condition=Account.pk.exists())
    return int(item.totp_failures or 0)


def reset_totp(login: str, sealed_secret: str) -> bool:
    """Give a staff account a new (sealed) TOTP secret and forget its failed codes and last
    step, in one conditional write; False if `login` is not a staff account."""
    try:
        _update(
            login,
            [
                Account.totp_secret.set(sealed_secret),
                Account.totp_failures.remove(),
                Account.totp_last_step.remove(),
            ],
            Account.role.is_in(*STAFF_ROLES),
        )
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def delete_session(token_hash: str) -> None:
    """End one session (idempotent)."""
    Session(*Session.key(token_hash)).delete()


def delete_sessions_of(login: str, keep: str | None = None) -> int:
    """End every session of `login`, except the one whose hash is `keep`; return how many.

    A caller ends the sessions after the write that makes them unwanted (the account closed
    or deactivated, a new password), and a login's session is written only in a transaction
    that checks the account is still active with the password it checked (`create_session`).
    So a session either was refused, or was committed before that write, together with its
    entry in the account's partition (`SessionRef`), which the strongly consistent Query
    here is sure to see. The `by_owner` index (eventually consistent: a session written a
    moment ago may not show yet) is read as well, for sessions made before entries were
    written; those are long visible in it."""
    entries = SessionRef.query(
        f"ACCOUNT#{login}", SessionRef.sk.startswith(SessionRef.PREFIX), consistent_read=True
    )
    hashes = {entry.sk.removeprefix(SessionRef.PREFIX) for entry in entries}
    indexed = Session.by_owner.query(login, Session.pk.startswith("SESSION#"))
    hashes |= {item.pk.removeprefix("SESSION#") for item in indexed}
    hashes.discard(keep or "")
    with AccountsItem.batch_write() as batch:
        for hashed in sorted(hashes):
            batch.delete(AccountsItem(*Session.key(hashed)))
            batch.delete(AccountsItem(*SessionRef.key(login, hashed)))
    return len(hashes)


# --- one-time tokens ------------------------------------------------------------------
# Every e-mailed link (activation, password reset, e-mail change and its cancellation) is
# one of these: issued here with its end, stored only as a hash, found while unused and
# unexpired, and consumed once by a conditional write in the transaction that applies it.


def issue_token(kind: TokenKind, owner: str, valid_until: datetime, **extra: Any) -> str:
    """Store a new one-time token of `kind` for `owner`, valid until `valid_until` (TTL
    removes it `TOKEN_KEPT` later), with `extra` attributes; return the token, which is
    never stored (only its hash is)."""
    token = new_token(ONE_TIME_TOKEN_BYTES)
    OneTimeToken(
        *OneTimeToken.key(token_hash(token)),
        kind=kind,
        owner=owner,
        valid_until=int(valid_until.timestamp()),
        expires_at=valid_until + TOKEN_KEPT,
        **extra,
    ).save(condition=OneTimeToken.pk.does_not_exist())
    return token


def find_token(token: str, kind: TokenKind, now: datetime) -> domain.OneTimeToken | None:
    """The stored token for this one-time value if it is of `kind`, unused and unexpired."""
    hashed = token_hash(token)
    try:
        item = OneTimeToken.get(*OneTimeToken.key(hashed), consistent_read=True)
    except DoesNotExist:
        return None
    if item.kind != kind or item.used_at is not None:
        return None
    if item.valid_until <= int(now.timestamp()):
        return None
    return domain.OneTimeToken(
        token_hash=hashed,
        kind=TokenKind(item.kind),
        owner=item.owner,
        valid_until=datetime.fromtimestamp(int(item.valid_until), UTC),
        new_email=item.new_email,
        change_id=item.change_id,
    )


def _consume(
    token: domain.OneTimeToken,
    now: datetime,
    account_actions: list[Any],
    account_condition: Any,
    delete_tokens: tuple[str, ...] = (),
) -> bool:
    """In one transaction: mark the token used (if still unused and unexpired), apply
    `account_actions` to its owner's account (if `account_condition` holds) and delete the
    tokens whose hashes are in `delete_tokens`. False if a condition failed, so nothing
    changed (a transaction that only met another one on these items is tried again, as
    every checked write is: a link still unused is not refused for a concurrent write)."""
    account = Account(*Account.key(token.owner))

    def items(tx: TransactWrite) -> None:
        tx.update(
            OneTimeToken(*OneTimeToken.key(token.token_hash)),
            actions=[OneTimeToken.used_at.set(now)],
            condition=(
                OneTimeToken.used_at.does_not_exist()
                & (OneTimeToken.valid_until > int(now.timestamp()))
            ),
        )
        tx.update(account, actions=account_actions, condition=account_condition)
        for hashed in delete_tokens:
            tx.delete(OneTimeToken(*OneTimeToken.key(hashed)))

    return _checked_write(items)


def activate(token: domain.OneTimeToken, now: datetime) -> bool:
    """Redeem an activation token: its pending account becomes active (and is no longer
    removed by TTL). False if the token or the account has moved on meanwhile."""
    return _consume(
        token,
        now,
        [
            Account.status.set(AccountStatus.ACTIVE),
            Account.activated_at.set(now),
            Account.pending_until.remove(),
            Account.expires_at.remove(),
            Account.lifecycle_day.remove(),  # no longer listed for expiry
        ],
        Account.status == AccountStatus.PENDING,
    )


def reset_password(token: domain.OneTimeToken, password_hash: str, now: datetime) -> bool:
    """Redeem a reset token: its active account gets the new password, and a pending
    e-mail change ends (`PENDING_CHANGES_ENDED`). False if the token was used or expired
    meanwhile, or the account is no longer active."""
    return _consume(
        token,
        now,
        [
            Account.password_hash.set(password_hash),
            Account.password_changed_at.set(now),
            *PENDING_CHANGES_ENDED,
        ],
        Account.status == AccountStatus.ACTIVE,
    )


def confirm_email_change(token: domain.OneTimeToken, now: datetime) -> bool:
    """Redeem an e-mail change token: the account takes its new address, if this change is
    still the account's pending one (not cancelled, replaced or ended by a password
    change). False otherwise."""
    new_email = token.new_email or ""
    return _consume(
        token,
        now,
        [
            Account.email.set(new_email),
            Account.email_key.set(new_email.casefold()),
            *PENDING_CHANGES_ENDED,
            # A new address is not the one that bounced: mail goes out again.
            *SUPPRESSION_CLEARED,
        ],
        Account.email_change_id == token.token_hash,
    )


def cancel_pending_email(token: domain.OneTimeToken, now: datetime) -> bool:
    """Redeem a cancellation token: the pending e-mail change it names ends, and its
    confirmation token goes with it. False if that change is no longer the pending one."""
    change_id = token.change_id or ""
    return _consume(
        token,
        now,
        list(PENDING_CHANGES_ENDED),
        Account.email_change_id == change_id,
        delete_tokens=(change_id,),
    )


def logins_with_email_change_ending(day: date) -> list[str]:
    """The logins whose pending e-mail change's link ends on `day` (one Query of the
    sparse `email_changes` index, keys only)."""
    return [
        item.pk.removeprefix("ACCOUNT#") for item in Account.email_changes.query(day.isoformat())
    ]


def end_expired_email_change(login: str, now: datetime) -> bool:
    """Remove the account's pending e-mail change (the new address, its id, its index key)
    if its link ended before `now`, in one conditional write. A change started anew since
    the index was read has a later end and is left alone, as is an account with none
    pending (confirmed, cancelled or ended meanwhile). False when nothing was removed."""
    try:
        _update(
            login,
            list(PENDING_CHANGES_ENDED),
            Account.pending_email.exists() & (Account.email_change_until < now),
        )
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def discard_token(token: str) -> None:
    """Drop a token just issued whose e-mail could not be sent (idempotent)."""
    OneTimeToken(*OneTimeToken.key(token_hash(token))).delete()


def delete_tokens_of(login: str, *kinds: TokenKind) -> None:
    """Drop every outstanding token of these `kinds` for `login` (e.g. older reset links)."""
    keys = [t.pk for t in OneTimeToken.by_owner.query(login, OneTimeToken.pk.startswith("TOKEN#"))]
    tokens = OneTimeToken.batch_get([(pk, "TOKEN") for pk in keys])
    with OneTimeToken.batch_write() as batch:
        for token in tokens:
            if token.kind in kinds and token.used_at is None:
                batch.delete(token)


def delete_all_tokens_of(login: str) -> int:
    """Delete every one-time token of `login`, used or not (account closure or expiry: a
    pending e-mail change's token holds the new address); return how many."""
    keys = [t.pk for t in OneTimeToken.by_owner.query(login, OneTimeToken.pk.startswith("TOKEN#"))]
    with OneTimeToken.batch_write() as batch:
        for pk in keys:
            batch.delete(OneTimeToken(pk, "TOKEN"))
    return len(keys)


# --- login events ---------------------------------------------------------------------


def _login_event(
    login: str, now: datetime, ip: str | None, ua: str | None, result: LoginResult, days: int
) -> LoginEvent:
    return LoginEvent(
        LoginEvent.partition(login),
        f"LOGIN#{now.isoformat()}#{secrets.token_hex(4)}",
        at=now,
        ip=ip,
        user_agent=(ua or "")[:300] or None,
        result=result,
        expires_at=now + timedelta(days=days),
    )


def record_login_event(
    login: str,
    now: datetime,
    ip: str | None,
    ua: str | None,
    result: LoginResult,
    kept_days: int = LOGIN_EVENT_DAYS,
) -> None:
    """Record one login attempt on `login`, removed by TTL after `kept_days`. The caller
    records nothing under a closed account's tombstone (storage/lifecycle.py `is_closed`):
    its login history was erased at closure; it writes `record_decoy_login_event` instead.
    A plain put: a transaction checking the account item would let anyone hammering logins
    on a number hold that account's own writes back (DynamoDB cancels a write meeting a
    transaction on its item)."""
    _login_event(login, now, ip, ua, result, kept_days).save()


DECOY_KEPT_DAYS = 1


def record_decoy_login_event(now: datetime, result: LoginResult) -> None:
    """The write a login attempt on a closed number makes instead of its event, so that it
    costs what an attempt on any other number costs (no oracle of closed numbers): the same
    put, in a partition of its own (`DECOY#<random>`), naming no login, no address and no
    browser, removed by TTL after a day."""
    event = _login_event("", now, None, None, result, DECOY_KEPT_DAYS)
    event.pk = f"DECOY#{secrets.token_hex(8)}"
    event.save()


def recent_login_events(login: str, limit: int | None = 20) -> list[domain.LoginEvent]:
    """The newest login attempts on `login`, newest first (every one kept: `limit` None)."""
    return [
        domain.LoginEvent(at=e.at, ip=e.ip, user_agent=e.user_agent, result=e.result)
        for e in LoginEvent.query(
            LoginEvent.partition(login),
            LoginEvent.sk.startswith("LOGIN#"),
            scan_index_forward=False,
            limit=limit,
        )
    ]


def customer_logins() -> list[str]:
    """Every customer's account login (not closed; the sparse `customer_accounts` index:
    one Query per shard, keys only, pages of 1 MB, some 20,000 logins each)."""
    return [
        item.pk.removeprefix("ACCOUNT#")
        for shard in range(ACCOUNT_SHARDS)
        for item in Account.customer_accounts.query(f"{shard:02d}")
    ]
