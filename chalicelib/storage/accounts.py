"""Accounts, sessions, one-time tokens and login events in the accounts table."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.accounts import AccountStatus, LoginResult
from chalicelib.domain.errors import Conflict, Unauthorized
from chalicelib.domain.tokens import ONE_TIME_TOKEN_BYTES, TokenKind, new_token, token_hash
from chalicelib.models.accounts import Account, LoginEvent, OneTimeToken, Session
from chalicelib.models.billing import BillingItem, CustomerRecord
from chalicelib.storage.errors import is_condition_failure

LOGIN_EVENT_DAYS = 180
# A one-time token is removed by TTL this long after its end; until then its end is what
# refuses it (`valid_until`, checked on every use), since TTL deletes lag.
TOKEN_KEPT = timedelta(days=1)


def get_account(login: str) -> Account | None:
    """The account with this login, or None."""
    try:
        return Account.get(*Account.key(login), consistent_read=True)
    except DoesNotExist:
        return None


def find_logins_by_email(email: str) -> list[str]:
    """Logins of the accounts using this e-mail (one person may hold several customer
    numbers with one address)."""
    return [
        item.pk.removeprefix("ACCOUNT#")
        for item in Account.by_email.query(email.casefold(), limit=20)
    ]


def create_account(account: Account, now: datetime) -> None:
    """Store a new account; Conflict if the login has an account that is not an expired,
    never-activated registration."""
    condition = Account.pk.does_not_exist() | (
        (Account.status == AccountStatus.PENDING) & (Account.pending_until < now)
    )
    try:
        account.save(condition=condition)
    except PutError as exc:
        if is_condition_failure(exc):
            raise Conflict("Dla tego numeru klienta istnieje już konto w IBOK.") from exc
        raise


def get_account_with_customer(login: str) -> tuple[Account | None, CustomerRecord | None]:
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
    account = Account.from_raw_data(accounts[0]) if accounts else None
    customer = CustomerRecord.from_raw_data(customers[0]) if customers else None
    return account, customer


def connection() -> Connection:
    """The low-level connection (BatchGetItem across tables, transactions)."""
    return Account._get_connection().connection


# --- sessions -------------------------------------------------------------------------


def create_session(session: Session) -> None:
    """Store a new session."""
    session.save(condition=Session.pk.does_not_exist())


def touch_session(token_hash: str, now: int, idle_seconds: int) -> Session:
    """Validate and extend a session in one conditional write; Unauthorized if it is unknown,
    idle for too long or past its absolute end."""
    session = Session(*Session.key(token_hash))
    try:
        session.update(
            actions=[Session.last_seen.set(now)],
            condition=(
                Session.pk.exists()
                & (Session.last_seen > now - idle_seconds)
                & (Session.absolute_expires > now)
            ),
        )
    except UpdateError as exc:
        if is_condition_failure(exc):
            raise Unauthorized("Sesja wygasła. Zaloguj się ponownie.") from exc
        raise
    return session


def delete_session(token_hash: str) -> None:
    """End one session (idempotent)."""
    Session(*Session.key(token_hash)).delete()


def delete_sessions_of(login: str, keep: str | None = None) -> int:
    """End every session of `login`, except the one whose hash is `keep`; return how many."""
    keep_pk = Session.key(keep)[0] if keep else None
    doomed = [
        item.pk
        for item in Session.by_owner.query(login, Session.pk.startswith("SESSION#"))
        if item.pk != keep_pk
    ]
    with Session.batch_write() as batch:
        for pk in doomed:
            batch.delete(Session(pk, "SESSION"))
    return len(doomed)


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


def find_token(token: str, kind: TokenKind, now: datetime) -> OneTimeToken | None:
    """The stored token for this one-time value if it is of `kind`, unused and unexpired."""
    try:
        record = OneTimeToken.get(*OneTimeToken.key(token_hash(token)), consistent_read=True)
    except DoesNotExist:
        return None
    if record.kind != kind or record.used_at is not None:
        return None
    if record.valid_until <= int(now.timestamp()):
        return None
    return record


def consume_token(
    record: OneTimeToken,
    now: datetime,
    account_actions: list[Any],
    account_condition: Any,
    delete_tokens: tuple[str, ...] = (),
) -> bool:
    """In one transaction: mark the token used (if still unused and unexpired), apply
    `account_actions` to its owner's account (if `account_condition` holds) and delete the
    tokens whose hashes are in `delete_tokens`. False if a condition failed, so nothing
    changed."""
    account = Account(*Account.key(record.owner))
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(
                record,
                actions=[OneTimeToken.used_at.set(now)],
                condition=(
                    OneTimeToken.used_at.does_not_exist()
                    & (OneTimeToken.valid_until > int(now.timestamp()))
                ),
            )
            tx.update(account, actions=account_actions, condition=account_condition)
            for hashed in delete_tokens:
                tx.delete(OneTimeToken(*OneTimeToken.key(hashed)))
    except TransactWriteError as exc:
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


# --- login events ---------------------------------------------------------------------


def record_login_event(
    login: str, now: datetime, ip: str | None, ua: str | None, result: LoginResult
) -> None:
    """Record one login attempt on `login`."""
    LoginEvent(
        LoginEvent.partition(login),
        f"LOGIN#{now.isoformat()}#{secrets.token_hex(4)}",
        at=now,
        ip=ip,
        user_agent=(ua or "")[:300] or None,
        result=result,
        expires_at=now + timedelta(days=LOGIN_EVENT_DAYS),
    ).save()


def recent_login_events(login: str, limit: int = 20) -> list[LoginEvent]:
    """The newest login attempts on `login`, newest first."""
    return list(
        LoginEvent.query(
            LoginEvent.partition(login),
            LoginEvent.sk.startswith("LOGIN#"),
            scan_index_forward=False,
            limit=limit,
        )
    )


def update_account(account: Account, actions: list[Any], condition: Any = None) -> None:
    """Apply update actions to an existing account."""
    full_condition = Account.pk.exists()
    if condition is not None:
        full_condition = full_condition & condition
    account.update(actions=actions, condition=full_condition)


def update_account_if_password_unchanged(account: Account, actions: list[Any]) -> bool:
    """Apply update actions only while the password is the one `account` was read with;
    False if it changed meanwhile (a change or reset ran between the check and the write)."""
    try:
        update_account(account, actions, Account.password_hash == account.password_hash)
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True
