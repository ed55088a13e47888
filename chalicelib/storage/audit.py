"""The audit log's storage: entries are appended, never changed. Each is put with a
condition that refuses an existing key, so no code path overwrites one; every function's
IAM policy also denies UpdateItem, DeleteItem and BatchWriteItem on the table.

Reads are Queries: the entries about one target (its partition) and the entries of one
UTC day (index `by_day`), newest first, a page at a time (the cursor is the last key)."""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import PutError

from chalicelib.domain.audit import AuditEntry
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.models.audit import AuditRecord
from chalicelib.paging import Page, decode_cursor, encode_cursor
from chalicelib.storage.errors import is_condition_failure

BAD_CURSOR = {"cursor": "Nieprawidłowy kursor strony."}


class AuditEntryExists(Conflict):
    """An entry with that key is already in the log; the log is never overwritten."""

    code = "audit_entry_exists"
    message = "Wpis dziennika zdarzeń już istnieje i nie może zostać zmieniony."


def entry_key(target: str, at: datetime, suffix: str | None = None) -> tuple[str, str]:
    """The key of an entry about `target` made at `at` (a random suffix unless given)."""
    return AuditRecord.partition(target), f"{at.isoformat()}#{suffix or secrets.token_hex(6)}"


def append(entry: AuditEntry, *, suffix: str | None = None) -> None:
    """Add `entry` to the log; AuditEntryExists if its key is taken (never overwritten).
    `suffix` fixes the key's random part (tests of the refusal)."""
    pk, sk = entry_key(entry.target, entry.at, suffix)
    record = AuditRecord(
        pk,
        sk,
        day=entry.at.date().isoformat(),
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        target=entry.target,
        before=_json(entry.before),
        after=_json(entry.after),
    )
    try:
        record.save(condition=AuditRecord.pk.does_not_exist())
    except PutError as exc:
        if is_condition_failure(exc):
            raise AuditEntryExists() from exc
        raise


def entries_about(target: str, limit: int, cursor: str | None = None) -> Page[AuditEntry]:
    """The entries about `target`, newest first, `limit` after the cursor."""
    pk = AuditRecord.partition(target)
    start = _start_key(cursor, {"pk": pk})
    found = AuditRecord.query(pk, scan_index_forward=False, limit=limit, last_evaluated_key=start)
    return _page(found, limit)


def entries_of_day(day: date, limit: int, cursor: str | None = None) -> Page[AuditEntry]:
    """The entries of one UTC day, newest first, `limit` after the cursor."""
    start = _start_key(cursor, {"day": day.isoformat()})
    found = AuditRecord.by_day.query(
        day.isoformat(), scan_index_forward=False, limit=limit, last_evaluated_key=start
    )
    return _page(found, limit)


def _page(found: Any, limit: int) -> Page[AuditEntry]:
    items = [_entry(record) for record in found]
    last = found.last_evaluated_key if len(items) >= limit else None
    return Page(items, encode_cursor(json.dumps(_plain_key(last))) if last else None)


def _entry(record: AuditRecord) -> AuditEntry:
    return AuditEntry(
        actor=record.actor,
        action=record.action,
        target=record.target,
        at=record.at,
        before=json.loads(record.before) if record.before else None,
        after=json.loads(record.after) if record.after else None,
    )


def _json(state: dict[str, Any] | None) -> str | None:
    return None if state is None else json.dumps(state, ensure_ascii=False, sort_keys=True)


def _plain_key(key: dict[str, Any]) -> dict[str, str]:
    return {name: value["S"] for name, value in key.items()}


def _start_key(cursor: str | None, fixed: dict[str, str]) -> dict[str, Any] | None:
    """The DynamoDB start key a cursor stands for; InvalidInput unless it is one of this
    list's (same partition or day, string keys only)."""
    if not cursor:
        return None
    try:
        key = json.loads(decode_cursor(cursor))
    except ValueError as exc:
        raise InvalidInput(fields=BAD_CURSOR) from exc
    allowed = {"pk", "sk", *fixed}
    if (
        not isinstance(key, dict)
        or not {"pk", "sk"} <= set(key) <= allowed
        or not all(isinstance(value, str) for value in key.values())
        or any(key.get(name) != value for name, value in fixed.items())
    ):
        raise InvalidInput(fields=BAD_CURSOR)
    return {name: {"S": value} for name, value in key.items()}
