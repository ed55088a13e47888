"""Announcements: the staff write drafts, change them, publish and withdraw them (each
audited); publishing also records the broadcast the notifications issue will send. The
public list shows the current ones (published, valid now) for an address, always fresh. The
dashboard shows the customer's own from a per-container copy at most
ANNOUNCEMENT_COPY_SECONDS old (60; 0 on the local stage: always fresh),
refreshed beside the dashboard's own read (`current_copy`), so GET /summary still waits for
two round trips: the session and the data."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.announcements import (
    PUBLISHABLE,
    WITHDRAWABLE,
    Announcement,
    AnnouncementKind,
    AnnouncementState,
    Area,
    newest_first,
    valid_window,
)
from chalicelib.domain.audit import AuditAction
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.paging import DEFAULT_LIMIT
from chalicelib.services import audit
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.services.container_copy import ContainerCopy
from chalicelib.settings import get_settings
from chalicelib.storage import announcements as store
from chalicelib.storage.announcements import AnnouncementPage

NO_ANNOUNCEMENT = "Nie ma takiego komunikatu."
NOT_A_DRAFT = "Zmieniać można tylko szkic komunikatu."
NOT_PUBLISHABLE = "Opublikować można tylko szkic komunikatu."
NOT_WITHDRAWABLE = "Wycofać można tylko opublikowany komunikat."
AREA_NEEDED = "Podaj kody pocztowe lub ulice albo zaznacz cały obszar działania."
AREA_EITHER = "Cały obszar działania wyklucza listę kodów pocztowych i ulic."
ENDS_AFTER_START = "Koniec obowiązywania musi być później niż początek."
OUT_OF_RANGE = "Podaj rzeczywistą datę i godzinę."


@dataclass(frozen=True)
class Draft:
    """What the staff write: every field of an announcement but its state and history."""

    kind: AnnouncementKind
    title: str
    text: str
    area: Area
    starts_at: datetime
    ends_at: datetime | None


def target(identifier: str) -> str:
    """The audit log's name of an announcement."""
    return f"announcement:{identifier}"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def _utc_field(name: str, moment: datetime) -> datetime:
    """`moment` in UTC; InvalidInput on `name` for a time at the calendar's edge that has
    no UTC equivalent (0001-01-01 00:00 at +01:00)."""
    try:
        return _utc(moment)
    except OverflowError as exc:
        raise InvalidInput(fields={name: OUT_OF_RANGE}) from exc


def _checked(draft: Draft) -> Draft:
    area = draft.area
    if area.whole and (area.postal_codes or area.streets):
        raise InvalidInput(fields={"whole_area": AREA_EITHER})
    if not area.whole and not (area.postal_codes or area.streets):
        raise InvalidInput(fields={"whole_area": AREA_NEEDED})
    starts_at = _utc_field("starts_at", draft.starts_at)
    ends_at = _utc_field("ends_at", draft.ends_at) if draft.ends_at else None
    if not valid_window(starts_at, ends_at):
        raise InvalidInput(fields={"ends_at": ENDS_AFTER_START})
    area = Area(
        whole=area.whole,
        postal_codes=tuple(dict.fromkeys(area.postal_codes)),
        streets=tuple(dict.fromkeys(" ".join(s.split()) for s in area.streets)),
    )
    return replace(draft, area=area, starts_at=starts_at, ends_at=ends_at)


def _get(identifier: str) -> Announcement:
    found = store.get(identifier)
    if found is None:
        raise NotFound(NO_ANNOUNCEMENT)
    return found


def create(actor: str, draft: Draft, deps: Collaborators | None = None) -> Announcement:
    """A new draft (audited `announcement.created`)."""
    deps = deps or current()
    draft = _checked(draft)
    now = _utc(deps.clock.now())
    announcement = Announcement(
        id=secrets.token_hex(8),
        kind=draft.kind,
        title=draft.title,
        text=draft.text,
        area=draft.area,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        state=AnnouncementState.DRAFT,
        created_at=now,
        created_by=actor,
        updated_at=now,
    )
    store.create(announcement)
    audit.record(
        actor,
        AuditAction.ANNOUNCEMENT_CREATED,
        target(announcement.id),
        after=announcement.audit_state(),
        deps=deps,
    )
    return announcement


def change(
    identifier: str, actor: str, changes: dict[str, Any], deps: Collaborators | None = None
) -> Announcement:
    """A draft with some of its fields replaced (`changes`: Draft's field names, `area`
    as a whole); only a draft changes (409 otherwise). Audited `announcement.changed`."""
    deps = deps or current()
    before = _get(identifier)
    if before.state is not AnnouncementState.DRAFT:
        raise Conflict(NOT_A_DRAFT)
    fields = {
        "kind": before.kind,
        "title": before.title,
        "text": before.text,
        "area": before.area,
        "starts_at": before.starts_at,
        "ends_at": before.ends_at,
    }
    draft = _checked(Draft(**{**fields, **changes}))
    after = replace(
        before,
        kind=draft.kind,
        title=draft.title,
        text=draft.text,
        area=draft.area,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        updated_at=_utc(deps.clock.now()),
    )
    store.save_draft(before, after)
    audit.record(
        actor,
        AuditAction.ANNOUNCEMENT_CHANGED,
        target(identifier),
        before=before.audit_state(),
        after=after.audit_state(),
        deps=deps,
    )
    return after


def publish(
    identifier: str, actor: str, *, note: str | None = None, deps: Collaborators | None = None
) -> Announcement:
    """Publish a draft and record its broadcast for the notifications issue (one
    transaction). Audited `announcement.published` (with the note, if any)."""
    deps = deps or current()
    before = _get(identifier)
    if before.state is not PUBLISHABLE:
        raise Conflict(NOT_PUBLISHABLE)
    now = _utc(deps.clock.now())
    store.publish(before, now, actor)
    after = replace(before, state=AnnouncementState.PUBLISHED, published_at=now, updated_at=now)
    audit.record(
        actor,
        AuditAction.ANNOUNCEMENT_PUBLISHED,
        target(identifier),
        before=before.audit_state(),
        after={**after.audit_state(), "note": note},
        deps=deps,
    )
    return after


def withdraw(
    identifier: str, actor: str, *, note: str | None = None, deps: Collaborators | None = None
) -> Announcement:
    """Withdraw a published announcement. Audited `announcement.withdrawn` (with the note,
    if any)."""
    deps = deps or current()
    before = _get(identifier)
    if before.state is not WITHDRAWABLE:
        raise Conflict(NOT_WITHDRAWABLE)
    now = _utc(deps.clock.now())
    store.withdraw(before, now)
    after = replace(before, state=AnnouncementState.WITHDRAWN, withdrawn_at=now, updated_at=now)
    audit.record(
        actor,
        AuditAction.ANNOUNCEMENT_WITHDRAWN,
        target(identifier),
        before=before.audit_state(),
        after={**after.audit_state(), "note": note},
        deps=deps,
    )
    return after


def staff_list(limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> AnnouncementPage:
    """Every announcement, any state, newest first (one Query)."""
    return store.newest(limit, cursor)


def _matching(
    items: list[Announcement], now: datetime, postal_code: str | None, street: str | None
) -> list[Announcement]:
    everywhere = postal_code is None and street is None
    return newest_first(
        [
            a
            for a in items
            if a.is_current(now) and (everywhere or a.area.covers(postal_code, street))
        ]
    )


def current_for(
    postal_code: str | None = None,
    street: str | None = None,
    deps: Collaborators | None = None,
) -> list[Announcement]:
    """The current announcements (published, valid now), newest first; with a postal code
    and/or a street, those whose area covers it (one Query, always fresh)."""
    now = (deps or current()).clock.now()
    return _matching(store.not_ended(now), now, postal_code, street)


_copy: ContainerCopy[list[Announcement]] = ContainerCopy(
    "announcements",
    lambda now: store.not_ended(now),
    lambda: get_settings().announcement_copy_seconds,
)


def current_copy(deps: Collaborators | None = None) -> Callable[[], list[Announcement]]:
    """Start getting the published announcements not ended yet, and return the call that
    hands them over. While this container's copy is younger than ANNOUNCEMENT_COPY_SECONDS
    that is the copy, with no call at all; otherwise the one Query runs on a reader thread
    beside whatever the caller reads meanwhile, so it adds no round trip to its wait."""
    return _copy.start((deps or current()).clock.now())


def forget_copy() -> None:
    """Drop this container's copy (tests start from an empty table)."""
    _copy.forget()


def for_address(
    items: list[Announcement], postal_code: str, street: str, deps: Collaborators | None = None
) -> list[Announcement]:
    """Of `items`, the current ones (published, valid now) whose area covers the address,
    newest first."""
    now = (deps or current()).clock.now()
    return _matching(items, now, postal_code, street)
