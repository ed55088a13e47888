"""The `job_work` Lambda's entry: every job's tasks registered, then `fanout.consume`."""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.jobs import (
    announcements,
    cleanup,
    expire_unactivated,
    fanout,
    invoice_reminders,
    new_invoices,
    reading_window,
    terminations,
    ticket_updates,
)
from chalicelib.jobs.fanout import WorkResult

# The jobs whose tasks this consumer runs (importing them registers their handlers).
JOBS = (
    cleanup.JOB,
    expire_unactivated.JOB,
    terminations.JOB,
    invoice_reminders.JOB,
    new_invoices.JOB,
    reading_window.JOB,
    announcements.JOB,
    ticket_updates.JOB,
)


def consume(bodies: Iterable[str]) -> WorkResult:
    """Run the queued batches of one delivery."""
    return fanout.consume(bodies)
