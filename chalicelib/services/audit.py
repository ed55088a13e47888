"""The audit log of staff actions: who did what to which target, when, and the target's
state before and after. Entries are only ever appended (storage/audit.py); secret fields
(hashes, tokens, passwords, TOTP secrets) never reach them (`domain.audit.redact`)."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.audit import AuditEntry, redact
from chalicelib.paging import DEFAULT_LIMIT, Page
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.storage import audit as store


def record(
    actor: str,
    action: str,
    target: str,
    *,
    before: dict | None = None,
    after: dict | None = None,
    deps: Collaborators | None = None,
) -> None:
    """Append one entry: `actor` (a staff login) did `action` (an `AuditAction` value or
    another dotted name) to `target` (e.g. "customer:100200") now; `before`/`after` are
    the target's relevant fields, without secrets."""
    deps = deps or current()
    store.append(
        AuditEntry(
            actor=actor,
            action=str(action),
            target=target,
            at=deps.clock.now(),
            before=redact(before),
            after=redact(after),
        )
    )


def entries_about(
    target: str, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> Page[AuditEntry]:
    """The entries about one target, newest first."""
    return store.entries_about(target, limit, cursor)


def entries_of_day(
    day: date | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    *,
    deps: Collaborators | None = None,
) -> Page[AuditEntry]:
    """The entries of one UTC day (today unless given), newest first."""
    deps = deps or current()
    return store.entries_of_day(day or deps.clock.now().date(), limit, cursor)
