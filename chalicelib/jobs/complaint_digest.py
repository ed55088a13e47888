"""The daily complaint digest for staff: one e-mail (to `STAFF_DIGEST_EMAIL`) of the open
complaints that are overdue or due within 3 days, read through the `queue_kind` index
(open complaints by due date; no Scan). Idempotent per day: the day's mark is a
conditional put taken before sending, and given back if the e-mail fails, so a second run
the same day sends nothing and a failed one is retried by the next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from chalicelib.domain.tickets import (
    CATEGORY_LABELS,
    DIGEST_HORIZON_DAYS,
    STATUS_LABELS,
    Ticket,
)
from chalicelib.logs import logger
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.settings import get_settings
from chalicelib.storage import tickets as store


@dataclass(frozen=True)
class DigestResult:
    """What one run did."""

    day: str
    sent: bool  # False: the day's digest was sent already (or there was nothing to send)
    overdue: int = 0
    due_soon: int = 0


def _line(ticket: Ticket) -> dict[str, str | None]:
    return {
        "reference": ticket.reference,
        "category": CATEGORY_LABELS.get(ticket.category, ticket.category),
        "due_on": ticket.due_on.strftime("%d.%m.%Y") if ticket.due_on else "",
        "status": STATUS_LABELS[ticket.status],
        "assignee": ticket.assignee,
    }


def complaint_digest(deps: Collaborators | None = None) -> DigestResult:
    """Send today's digest unless it went out already today."""
    deps = deps or current()
    today = deps.clock.today()
    complaints = store.open_complaints_due_by(today + timedelta(days=DIGEST_HORIZON_DAYS))
    overdue = [t for t in complaints if t.due_on and t.due_on < today]
    due_soon = [t for t in complaints if t.due_on and t.due_on >= today]
    if not store.claim_digest(today, deps.clock.now()):
        logger.info("complaint digest already sent", extra={"day": today.isoformat()})
        return DigestResult(today.isoformat(), sent=False)
    if complaints:
        try:
            deps.mailer.send(
                "complaint_digest",
                get_settings().staff_digest_email,
                {
                    "day": today.strftime("%d.%m.%Y"),
                    "horizon": DIGEST_HORIZON_DAYS,
                    "overdue": [_line(t) for t in overdue],
                    "due_soon": [_line(t) for t in due_soon],
                },
            )
        except Exception:
            store.release_digest(today)
            raise
    store.digest_sent(today, deps.clock.now(), len(complaints))
    logger.info(
        "complaint digest",
        extra={"day": today.isoformat(), "overdue": len(overdue), "due_soon": len(due_soon)},
    )
    return DigestResult(today.isoformat(), bool(complaints), len(overdue), len(due_soon))
