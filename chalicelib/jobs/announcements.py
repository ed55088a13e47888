"""`announcements`: the broadcast of published failure and planned-works notices to the
consenting customers whose service address is in the affected area (issue 13, point 10).

Every 5 minutes. Read: the publications still to broadcast (`broadcasts#pending` in the
service table's `announcements` index: one Query), and for each its recipients: the
whole service area -> every customer's account (accounts `customer_accounts`, 16 shard
Queries); otherwise the customers by postal code and street (billing `by_postal_code`,
`by_street`: one Query per listed code and street). Work: one item per customer and
publication (`<customer>|<announcement id>|<publication time>`), task `notify`; the
publication then leaves the pending list (`broadcasts#done`). The handler re-reads the
announcement (withdrawn, republished or ended since: nothing) and the customer's address,
and sends through `notifications.notify` under the key `announcement:<id>:<publication
time>`: once per customer and publication. General notices are not broadcast (they show
on the dashboard)."""

from __future__ import annotations

from datetime import date, datetime

from chalicelib.jobs import fanout
from chalicelib.services import announcement_notices
from chalicelib.services.collaborators import Collaborators, current

JOB = "announcements"


def _item(customer: str, announcement_id: str, at: datetime) -> str:
    return f"{customer}|{announcement_id}|{at.isoformat()}"


def announcements(deps: Collaborators | None = None) -> fanout.Enqueued:
    """Queue the pending publications' notices, then take them off the pending list."""
    deps = deps or current()
    now = deps.clock.now()
    pending = announcement_notices.pending()
    items = [
        _item(customer, announcement_id, at)
        for announcement_id, at in pending
        for customer in announcement_notices.recipients(announcement_id, at, now)
    ]
    result = fanout.enqueue(JOB, deps.clock.today(), {"notify": items}, deps)
    for announcement_id, at in pending:
        announcement_notices.done(announcement_id, at, now)
    return result


@fanout.task(JOB, "notify", marked=False)  # once by its key `announcement:<id>:<at>`
def notify_customer(item: str, _day: date, deps: Collaborators) -> None:
    """Send one customer one publication's notice."""
    customer, announcement_id, at = item.split("|", 2)
    announcement_notices.tell(customer, announcement_id, datetime.fromisoformat(at), deps)
