"""`invoice-reminders`: a reminder `INVOICE_REMINDER_DAYS` (3) days before an invoice's due
date, and overdue notices 1 and 14 days after it, only while something is left to pay.

Read: the billing table's `invoices_due` index, one Query per stage for the one due date
that stage reads today (today + N, today - 1, today - 14). A day the job did not run is
not caught up: a reminder sent late would say the wrong thing. Work: one item per invoice
(`<customer>:<invoice number>`) per stage task, fanned out (fanout.py); the handler reads
the customer's ledger at send time (a paid invoice is skipped) and sends through
`notifications.notify` under the key `invoice_reminder:<number>:<stage>:<due date>`, so a
second run, a redelivery or an overlapping stage sends nothing twice."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.reminders import ReminderStage, due_date_for, parse_work_item, work_item
from chalicelib.jobs import fanout
from chalicelib.services import invoice_notices
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.settings import get_settings
from chalicelib.storage import ledger as ledger_store

JOB = "invoice-reminders"


def invoice_reminders(deps: Collaborators | None = None) -> fanout.Enqueued:
    """List today's reminders by due date and queue them (one task per stage)."""
    deps = deps or current()
    today = deps.clock.today()
    days_before = get_settings().invoice_reminder_days
    work = {
        stage.value: [
            work_item(customer, number)
            for customer, number in ledger_store.invoices_due_on(
                due_date_for(stage, today, days_before)
            )
        ]
        for stage in ReminderStage
    }
    return fanout.enqueue(JOB, today, work, deps)


def _handler(stage: ReminderStage) -> fanout.ItemHandler:
    def remind(item: str, day: date, deps: Collaborators) -> None:
        customer_number, number = parse_work_item(item)
        invoice_notices.remind(customer_number, number, stage, day, deps)

    remind.__doc__ = f"Send one invoice's `{stage.value}` reminder if it is still unpaid."
    return remind


for _stage in ReminderStage:
    fanout.task(JOB, _stage.value, marked=False)(_handler(_stage))  # once by reminder_key
