"""Broadcast of a published failure or planned-works notice (issue 13, point 10): who is in
its area (`recipients`, read when the announcements job takes the publication) and the
notice to one customer (`tell`, through `notifications.notify` under the key
`announcement:<id>:<publication time>`, so each customer gets it once per publication)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.clock import to_warsaw
from chalicelib.domain.announcements import (
    Announcement,
    AnnouncementKind,
    AnnouncementState,
    street_name,
)
from chalicelib.domain.notifications import NotificationKind
from chalicelib.services.collaborators import Collaborators
from chalicelib.services.notifications import Outcome, notify
from chalicelib.services.recipients import active_account
from chalicelib.settings import get_settings
from chalicelib.storage import accounts as accounts_store
from chalicelib.storage import announcements as store
from chalicelib.storage import billing as billing_store

BROADCAST_KINDS = (AnnouncementKind.FAILURE, AnnouncementKind.PLANNED_WORKS)


def _moment(at: datetime) -> str:
    local = to_warsaw(at)
    return f"{local.day}.{local.month:02d}.{local.year} {local.hour}:{local.minute:02d}"


def period(announcement: Announcement) -> str:
    """When it applies, in Polish: "1.12.2026 8:00–16:00", "1.12.2026 8:00 – 2.12.2026
    16:00" or "od 1.12.2026 8:00 do odwołania"."""
    start = _moment(announcement.starts_at)
    if announcement.ends_at is None:
        return f"od {start} do odwołania"
    end = to_warsaw(announcement.ends_at)
    if end.date() == to_warsaw(announcement.starts_at).date():
        return f"{start}–{end.hour}:{end.minute:02d}"
    return f"{start} – {_moment(announcement.ends_at)}"


def _broadcast(announcement: Announcement | None, at: datetime, now: datetime) -> bool:
    """Whether this publication still goes out: the same publication, a failure or
    planned works, published and not ended."""
    return (
        announcement is not None
        and announcement.state is AnnouncementState.PUBLISHED
        and announcement.published_at == at
        and announcement.kind in BROADCAST_KINDS
        and (announcement.ends_at is None or now < announcement.ends_at)
    )


def pending() -> list[tuple[str, datetime]]:
    """The publications still to broadcast (announcement id, publication time)."""
    return store.pending_broadcasts()


def recipients(announcement_id: str, at: datetime, now: datetime) -> list[str]:
    """Who the publication goes to: every customer's account for the whole service area
    (the accounts' `customer_accounts` index), else the customers whose service address
    has a listed postal code or street (the billing table's `by_postal_code`, `by_street`
    indexes); nobody when it is no longer to broadcast."""
    announcement = store.get(announcement_id)
    if not _broadcast(announcement, at, now):
        return []
    assert announcement is not None
    area = announcement.area
    if area.whole:
        return accounts_store.customer_logins()
    return billing_store.customers_at(area.postal_codes, [street_name(s) for s in area.streets])


def done(announcement_id: str, at: datetime, now: datetime) -> None:
    """The publication's broadcast is queued (it leaves the pending list)."""
    store.broadcast_done(announcement_id, at, now)


def tell(
    customer_number: str, announcement_id: str, at: datetime, deps: Collaborators
) -> Outcome | None:
    """Send one customer the notice, if it still goes out and their service address is
    still in its area (read now: a move or a withdrawal since the listing counts)."""
    account = active_account(customer_number)
    if account is None:
        return None
    announcement = store.get(announcement_id)
    if not _broadcast(announcement, at, deps.clock.now()):
        return None
    assert announcement is not None
    if not announcement.area.whole:
        customer = billing_store.customer(customer_number)
        address = customer.service_address if customer else None
        if address is None or not announcement.area.covers(address.postal_code, address.street):
            return None
    context = {
        "title": announcement.title,
        "text": announcement.text,
        "period": period(announcement),
        "link": get_settings().public_url,
    }
    return notify(
        customer_number,
        NotificationKind.ANNOUNCEMENT,
        context,
        key=f"announcement:{announcement_id}:{at.isoformat()}",
        account=account,
        deps=deps,
    )
