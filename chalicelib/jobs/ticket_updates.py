"""`ticket-updates`: the retry of a ticket e-mail that failed when staff replied or moved
the ticket on (services/ticket_work.py). Not scheduled: the API queues one item per failed
e-mail on the job queue, and the `job_work` consumer runs task `retry` like any job's.

The item carries ids only (`<ticket id>:<event id>`, no personal data); the handler rebuilds
the message from the stored ticket, event and reply and sends it under the event's natural
key `ticket_update:<ticket>:<event>` (`ticket_work.update_key`), so a redelivered batch or
an e-mail that went out after all is never sent twice (no job marks: `marked=False`). A
send that fails again raises: SQS redelivers the batch, up to its dead-letter queue."""

from __future__ import annotations

from datetime import date

from chalicelib.jobs import fanout
from chalicelib.services import ticket_work
from chalicelib.services.collaborators import Collaborators, current

JOB = "ticket-updates"
TASK = "retry"


def work_item(ticket_id: str, event_id: str) -> str:
    """One event's e-mail as a work item (ticket ids hold no colon)."""
    return f"{ticket_id}:{event_id}"


def queue_retry(ticket_id: str, event_id: str, deps: Collaborators | None = None) -> None:
    """Queue the retry of one event's e-mail (one SendMessageBatch)."""
    deps = deps or current()
    fanout.enqueue(JOB, deps.clock.today(), {TASK: [work_item(ticket_id, event_id)]}, deps)


@fanout.task(JOB, TASK, marked=False)  # once by its key `ticket_update:<ticket>:<event>`
def retry(item: str, _day: date, deps: Collaborators) -> None:
    """Send one event's e-mail again."""
    ticket_id, _, event_id = item.partition(":")
    ticket_work.resend_update(ticket_id, event_id, deps)
