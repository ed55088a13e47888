"""What the meter jobs tell: a customer that the reading window is open (`tell_reading_window`,
once per window), and staff which certifications end soon (`certification_digest`, once a
day)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.domain.meters import ATTENTION_DAYS
from chalicelib.domain.notifications import NotificationKind
from chalicelib.domain.records import Meter
from chalicelib.logs import logger
from chalicelib.services.collaborators import Collaborators
from chalicelib.services.notifications import Outcome, notify
from chalicelib.services.recipients import active_account
from chalicelib.settings import get_settings
from chalicelib.storage import job_marks
from chalicelib.storage import meters as meters_store

DIGEST_JOB = "certification-digest"
DIGEST_RECIPIENT = "staff"  # the day's mark: one digest a day
EXPIRED_LOOKBACK_DAYS = 30  # the digest lists certifications ended this recently, too
DIGEST_MAX_LINES = 500  # a longer list is cut (the counts stay whole)


def reading_link() -> str:
    """The portal's meters page, where a reading is submitted."""
    return f"{get_settings().public_url}/wodomierze"


def tell_reading_window(
    customer_number: str, opens_on: date, closes_on: date, deps: Collaborators
) -> Outcome | None:
    """Tell the customer the window is open, unless every active meter has a reading dated
    in it already (one Query of the customer's meters). Key `reading_window:all:<opening>`:
    one notice per customer and window, whatever the number of meters."""
    account = active_account(customer_number)
    if account is None:
        return None
    meters, readings = meters_store.meters_and_readings(customer_number)
    active = {m.serial for m in meters if m.status == "active" and m.removed_on is None}
    read = {r.meter for r in readings if r.date >= opens_on}
    if not active - read:
        return None
    return notify(
        customer_number,
        NotificationKind.READING_WINDOW,
        {"window_until": closes_on.strftime("%d.%m.%Y"), "link": reading_link()},
        key=f"reading_window:all:{opens_on.isoformat()}",
        account=account,
        deps=deps,
    )


@dataclass(frozen=True)
class CertificationDigest:
    """What one run of the certification digest did."""

    day: str
    sent: bool  # False: sent already today, or nothing to list
    expired: int = 0
    expiring: int = 0


def _line(meter: Meter) -> dict[str, str | None]:
    return {
        "serial": meter.serial,
        "customer_number": meter.customer_number,
        "location": meter.location,
        "until": meter.certified_until.strftime("%d.%m.%Y") if meter.certified_until else "",
    }


def certification_digest(deps: Collaborators) -> CertificationDigest:
    """Send staff (`STAFF_DIGEST_EMAIL`) today's list of active meters whose certification
    ends within `ATTENTION_DAYS` days (or ended in the last 30), once a day: the day's mark
    is claimed before sending and given back if the e-mail fails."""
    today = deps.clock.today()
    meters = meters_store.certifications_ending(
        today - timedelta(days=EXPIRED_LOOKBACK_DAYS), today + timedelta(days=ATTENTION_DAYS)
    )
    expired = [m for m in meters if m.certified_until and m.certified_until < today]
    expiring = [m for m in meters if m.certified_until and m.certified_until >= today]
    day = today.isoformat()
    if not meters or not job_marks.claim(DIGEST_JOB, day, DIGEST_RECIPIENT, deps.clock.now()):
        logger.info("certification digest not sent", extra={"day": day, "meters": len(meters)})
        return CertificationDigest(day, sent=False, expired=len(expired), expiring=len(expiring))
    try:
        deps.mailer.send(
            "certification_digest",
            get_settings().staff_digest_email,
            {
                "day": today.strftime("%d.%m.%Y"),
                "horizon": ATTENTION_DAYS,
                "lookback": EXPIRED_LOOKBACK_DAYS,
                "expired": [_line(m) for m in expired[:DIGEST_MAX_LINES]],
                "expiring": [_line(m) for m in expiring[:DIGEST_MAX_LINES]],
                "expired_total": len(expired),
                "expiring_total": len(expiring),
            },
        )
    except Exception:
        job_marks.release(DIGEST_JOB, day, DIGEST_RECIPIENT)
        raise
    job_marks.done(DIGEST_JOB, day, DIGEST_RECIPIENT, deps.clock.now())
    return CertificationDigest(day, sent=True, expired=len(expired), expiring=len(expiring))
