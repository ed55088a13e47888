"""`certification-digest`: staff (`STAFF_DIGEST_EMAIL`) get one e-mail a day of the active
meters whose certification (legalizacja) ends within 90 days or ended in the last 30.

Read: the billing table's sparse `certifications` index (active meters by the month and
day their certification ends, the record projected): one Query per month of the 120 days,
five at most. No fan-out: one e-mail. Idempotent per day: a mark (storage/job_marks.py)
claimed before sending and given back if the e-mail fails (services/meter_notices.py)."""

from __future__ import annotations

from chalicelib.services import meter_notices
from chalicelib.services.collaborators import Collaborators, current

JOB = meter_notices.DIGEST_JOB


def certification_digest(deps: Collaborators | None = None) -> meter_notices.CertificationDigest:
    """Send today's certification digest unless it went out already today."""
    return meter_notices.certification_digest(deps or current())
