"""Notifications sent to a customer and the marks of their natural keys, in the account's
partition of the accounts table (so the list is one Query and closing the account erases
them with it); the suppression of a bouncing address on its accounts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.notifications import Channel, Notification, NotificationKind, key_hash
from chalicelib.models.accounts import Account, NotificationKey, NotificationRecord
from chalicelib.paging import Page, decode_cursor, encode_cursor
from chalicelib.storage.accounts import connection
from chalicelib.storage.errors import is_condition_failure

SENDING = "sending"
SENT = "sent"
BAD_CURSOR = "Nieprawidłowy kursor strony."


def _notification(item: NotificationRecord) -> Notification:
    return Notification(
        login=item.pk.removeprefix("ACCOUNT#"),
        kind=NotificationKind(item.kind),
        key=item.key,
        title=item.title,
        channels=tuple(Channel(c) for c in item.channels or []),
        sent_at=item.sent_at,
        state=item.state,
        message_ids=dict(item.message_ids.as_dict() if item.message_ids else {}),
    )


def _record_sk(notification: Notification) -> str:
    return f"NOTE#{notification.sent_at.isoformat()}#{key_hash(notification.key)}"


def claim(notification: Notification, retention: timedelta) -> bool:
    """Take the notification's natural key and write its record (state `sending`) in one
    transaction; False, writing nothing, if the key was taken before (sent already). A
    retry of this transaction that meets its own first attempt's key counts as taken here
    (`_claimed_by`): a lost answer must not make a notification look sent."""
    pk = f"ACCOUNT#{notification.login}"
    record_sk = _record_sk(notification)
    expires = notification.sent_at + retention
    mark = NotificationKey(
        *NotificationKey.key(notification.login, key_hash(notification.key)),
        record_sk=record_sk,
        expires_at=expires,
    )
    record = NotificationRecord(
        pk,
        record_sk,
        kind=notification.kind.value,
        key=notification.key,
        title=notification.title,
        channels=[c.value for c in notification.channels],
        state=SENDING,
        sent_at=notification.sent_at,
        expires_at=expires,
    )
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.save(mark, condition=NotificationKey.pk.does_not_exist())
            tx.save(record)
    except TransactWriteError as exc:
        if is_condition_failure(exc):
            return _claimed_by(mark)
        raise
    return True


class ClaimUnsettled(RuntimeError):
    """The claim was refused, yet no one holds the key: a concurrent claim that did not
    last, or one given back since. Nothing may be taken for sent; the caller tries later."""


def _claimed_by(mark: NotificationKey) -> bool:
    """Whether the key taken is this very claim: the client retries a transaction whose
    answer was lost (a read timeout), and the retry then meets the key its first attempt
    took. The mark names its record, whose key holds the claim's time to the microsecond,
    so a mark naming ours is ours; any other is an earlier notification's. No mark at all
    (the refusal was a concurrent transaction's, which then failed or was released) is
    raised as `ClaimUnsettled`, never taken for "sent already"."""
    try:
        taken = NotificationKey.get(mark.pk, mark.sk, consistent_read=True)
    except NotificationKey.DoesNotExist:
        raise ClaimUnsettled(mark.sk) from None
    return taken.record_sk == mark.record_sk


def mark_sent(
    notification: Notification, channels: tuple[Channel, ...], message_ids: dict[str, str]
) -> None:
    """Record that the notification went out through `channels`, with the message ids."""
    record = NotificationRecord(f"ACCOUNT#{notification.login}", _record_sk(notification))
    record.update(
        actions=[
            NotificationRecord.state.set(SENT),
            NotificationRecord.channels.set([c.value for c in channels]),
            NotificationRecord.message_ids.set(message_ids),
        ]
    )


def release(notification: Notification) -> None:
    """Give the natural key back and drop the record: nothing was sent, so a later send
    under the same key goes out."""
    with TransactWrite(connection=connection()) as tx:
        tx.delete(
            NotificationKey(*NotificationKey.key(notification.login, key_hash(notification.key)))
        )
        tx.delete(NotificationRecord(f"ACCOUNT#{notification.login}", _record_sk(notification)))


def page(login: str, limit: int, cursor: str | None = None) -> Page[Notification]:
    """A login's notifications, newest first (one Query of its partition)."""
    pk, prefix = NotificationRecord.prefix(login)
    results = NotificationRecord.query(
        pk,
        NotificationRecord.sk.startswith(prefix),
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=_start(cursor, pk, prefix),
    )
    items = [_notification(item) for item in results][:limit]
    last = results.last_evaluated_key
    next_cursor = encode_cursor(last["sk"]["S"]) if last else None
    return Page(items, next_cursor)


def _start(cursor: str | None, pk: str, prefix: str) -> dict[str, Any] | None:
    if not cursor:
        return None
    sk = decode_cursor(cursor)
    if not sk.startswith(prefix) or len(sk) > 200:
        raise InvalidInput(fields={"cursor": BAD_CURSOR})
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def suppress(login: str, address: str, reason: str, now: datetime) -> bool:
    """Suppress `address` on the account `login` while it is the account's address; False
    if the account has another address now (or is gone)."""
    account = Account(*Account.key(login))
    try:
        account.update(
            actions=[
                Account.suppressed_email.set(address.casefold()),
                Account.suppressed_reason.set(reason),
                Account.suppressed_at.set(now),
            ],
            condition=Account.pk.exists() & (Account.email_key == address.casefold()),
        )
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True
