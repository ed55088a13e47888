"""Every access to the service table's announcements: a draft's put and changes,
publishing (with its broadcast item, one transaction) and withdrawing, each conditional on
the state read; the staff's list and the current ones, both by index (no Scan)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.announcements import (
    Announcement,
    AnnouncementKind,
    AnnouncementState,
    Area,
)
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.models.service import AnnouncementItem, BroadcastItem, ServiceItem
from chalicelib.paging import decode_cursor, encode_cursor
from chalicelib.storage.errors import is_condition_failure

CHANGED_MEANWHILE = "Komunikat zmienił się w międzyczasie. Odśwież go i spróbuj ponownie."


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _key(identifier: str) -> tuple[str, str]:
    return AnnouncementItem.partition(identifier), AnnouncementItem.SORT_KEY


def _ends_order(item: Announcement) -> str:
    end = item.ends_at.isoformat() if item.ends_at else AnnouncementItem.OPEN_END
    return f"{end}#{item.id}"


def _announcement(item: AnnouncementItem) -> Announcement:
    return Announcement(
        id=item.pk.removeprefix("ANNOUNCEMENT#"),
        kind=AnnouncementKind(item.kind),
        title=item.title,
        text=item.text,
        area=Area(
            whole=bool(item.whole_area),
            postal_codes=tuple(item.postal_codes or ()),
            streets=tuple(item.streets or ()),
        ),
        starts_at=datetime.fromisoformat(item.starts_at),
        ends_at=_time(item.ends_at),
        state=AnnouncementState(item.state),
        created_at=datetime.fromisoformat(item.created_at),
        created_by=item.created_by,
        updated_at=datetime.fromisoformat(item.updated_at),
        published_at=_time(item.published_at),
        withdrawn_at=_time(item.withdrawn_at),
    )


def create(announcement: Announcement) -> None:
    """Store a new draft (a put conditional on a new key)."""
    a = announcement
    item = AnnouncementItem(
        *_key(a.id),
        kind=str(a.kind),
        title=a.title,
        text=a.text,
        whole_area=a.area.whole,
        postal_codes=list(a.area.postal_codes),
        streets=list(a.area.streets),
        starts_at=a.starts_at.isoformat(),
        ends_at=a.ends_at.isoformat() if a.ends_at else None,
        state=str(a.state),
        created_at=a.created_at.isoformat(),
        created_by=a.created_by,
        updated_at=a.updated_at.isoformat(),
        list_name=AnnouncementItem.LIST,
        list_order=f"{a.created_at.isoformat()}#{a.id}",
    )
    try:
        item.save(condition=AnnouncementItem.pk.does_not_exist())
    except PutError as exc:
        if not is_condition_failure(exc):
            raise
        raise Conflict(CHANGED_MEANWHILE) from exc


def get(identifier: str) -> Announcement | None:
    """One announcement, or None."""
    try:
        return _announcement(AnnouncementItem.get(*_key(identifier)))
    except AnnouncementItem.DoesNotExist:
        return None


def _update(before: Announcement, actions: list[Any]) -> None:
    item = AnnouncementItem(*_key(before.id))
    try:
        item.update(
            actions=actions,
            condition=(AnnouncementItem.state == str(before.state))
            & (AnnouncementItem.updated_at == before.updated_at.isoformat()),
        )
    except UpdateError as exc:
        if not is_condition_failure(exc):
            raise
        raise Conflict(CHANGED_MEANWHILE) from exc


def save_draft(before: Announcement, after: Announcement) -> None:
    """Replace a draft's content, conditional on it being the draft read."""
    a = after
    _update(
        before,
        [
            AnnouncementItem.kind.set(str(a.kind)),
            AnnouncementItem.title.set(a.title),
            AnnouncementItem.text.set(a.text),
            AnnouncementItem.whole_area.set(a.area.whole),
            AnnouncementItem.postal_codes.set(list(a.area.postal_codes)),
            AnnouncementItem.streets.set(list(a.area.streets)),
            AnnouncementItem.starts_at.set(a.starts_at.isoformat()),
            AnnouncementItem.ends_at.set(a.ends_at.isoformat())
            if a.ends_at
            else AnnouncementItem.ends_at.remove(),
            AnnouncementItem.updated_at.set(a.updated_at.isoformat()),
        ],
    )


def publish(before: Announcement, now: datetime, actor: str) -> None:
    """Publish a draft and record its broadcast (listed under `broadcasts#pending`) in one
    transaction conditional on the draft read."""
    item = AnnouncementItem(*_key(before.id))
    at = now.isoformat()
    broadcast = BroadcastItem(
        AnnouncementItem.partition(before.id),
        f"{BroadcastItem.PREFIX}{at}",
        announcement=before.id,
        actor=actor,
        at=at,
        list_name=BroadcastItem.PENDING,
        list_order=f"{at}#{before.id}",
    )
    try:
        with TransactWrite(connection=ServiceItem._get_connection().connection) as tx:
            tx.update(
                item,
                actions=[
                    AnnouncementItem.state.set(str(AnnouncementState.PUBLISHED)),
                    AnnouncementItem.published_at.set(at),
                    AnnouncementItem.updated_at.set(at),
                    AnnouncementItem.published_scope.set(AnnouncementItem.PUBLISHED),
                    AnnouncementItem.ends_order.set(_ends_order(before)),
                ],
                condition=(AnnouncementItem.state == str(before.state))
                & (AnnouncementItem.updated_at == before.updated_at.isoformat()),
            )
            tx.save(broadcast, condition=BroadcastItem.pk.does_not_exist())
    except TransactWriteError as exc:
        if not is_condition_failure(exc):
            raise
        raise Conflict(CHANGED_MEANWHILE) from exc


def withdraw(before: Announcement, now: datetime) -> None:
    """Withdraw a published announcement: it leaves the current index at once."""
    at = now.isoformat()
    _update(
        before,
        [
            AnnouncementItem.state.set(str(AnnouncementState.WITHDRAWN)),
            AnnouncementItem.withdrawn_at.set(at),
            AnnouncementItem.updated_at.set(at),
            AnnouncementItem.published_scope.remove(),
            AnnouncementItem.ends_order.remove(),
        ],
    )


@dataclass(frozen=True)
class AnnouncementPage:
    """One page of announcements and the cursor of the next."""

    items: list[Announcement]
    next_cursor: str | None


def _start(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        key = json.loads(decode_cursor(cursor))
    except ValueError as exc:
        raise InvalidInput(fields={"cursor": "Nieprawidłowy kursor strony."}) from exc
    if (
        not isinstance(key, dict)
        or set(key) != {"pk", "sk", "list_name", "list_order"}
        or not all(isinstance(value, str) for value in key.values())
        or key["list_name"] != AnnouncementItem.LIST  # DynamoDB refuses another partition's
    ):
        raise InvalidInput(fields={"cursor": "Nieprawidłowy kursor strony."})
    return {name: {"S": value} for name, value in key.items()}


def newest(limit: int, cursor: str | None = None) -> AnnouncementPage:
    """Every announcement, newest first (one Query of `announcements`)."""
    results = AnnouncementItem.lists.query(
        AnnouncementItem.LIST,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=_start(cursor),
    )
    items = [_announcement(i) for i in results if isinstance(i, AnnouncementItem)][:limit]
    last = results.last_evaluated_key
    next_cursor = None
    if last:
        next_cursor = encode_cursor(json.dumps({k: v["S"] for k, v in sorted(last.items())}))
    return AnnouncementPage(items, next_cursor)


def not_ended(now: datetime) -> list[Announcement]:
    """The published announcements whose validity has not ended at `now` (one Query of
    `current_announcements`, the end as its key condition; announcements are few, so
    PynamoDB follows a further page only in an unlikely case)."""
    results = AnnouncementItem.current.query(
        AnnouncementItem.PUBLISHED,
        AnnouncementItem.ends_order > now.isoformat(),
    )
    return [_announcement(i) for i in results if isinstance(i, AnnouncementItem)]


def pending_broadcasts() -> list[tuple[str, datetime]]:
    """The publications still to broadcast (announcement id, when), oldest first: what the
    notifications issue's job reads (one Query of `announcements`)."""
    results = BroadcastItem.lists.query(BroadcastItem.PENDING)
    return [(i.announcement, datetime.fromisoformat(i.at)) for i in results]


def broadcast_done(announcement_id: str, at: datetime, now: datetime) -> None:
    """The publication's broadcast is queued: it leaves `broadcasts#pending` (conditional
    on still being there; a second run finds it gone)."""
    item = BroadcastItem(
        AnnouncementItem.partition(announcement_id), f"{BroadcastItem.PREFIX}{at.isoformat()}"
    )
    try:
        item.update(
            actions=[
                BroadcastItem.list_name.set(BroadcastItem.DONE),
                BroadcastItem.list_order.set(f"{now.isoformat()}#{announcement_id}"),
            ],
            condition=BroadcastItem.list_name == BroadcastItem.PENDING,
        )
    except UpdateError as exc:
        if not is_condition_failure(exc):
            raise
