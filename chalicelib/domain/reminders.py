"""Invoice reminders as plain rules: the stages (before the due date, 1 and 14 days after
it), which due date each stage reads on a given day, the work item of one invoice and the
natural key of one reminder (docs/notifications.md)."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum


class ReminderStage(StrEnum):
    """When a reminder goes out, relative to the due date."""

    BEFORE = "before"  # INVOICE_REMINDER_DAYS before it
    OVERDUE1 = "overdue1"  # a day after it
    OVERDUE14 = "overdue14"  # 14 days after it


OVERDUE_DAYS = {ReminderStage.OVERDUE1: 1, ReminderStage.OVERDUE14: 14}


def days_from_due(stage: ReminderStage, days_before: int) -> int:
    """How many days the stage is from the due date (before it: negative)."""
    return -days_before if stage is ReminderStage.BEFORE else OVERDUE_DAYS[stage]


def due_date_for(stage: ReminderStage, today: date, days_before: int) -> date:
    """The due date of the invoices whose `stage` reminder goes out on `today`.

    >>> due_date_for(ReminderStage.BEFORE, date(2026, 11, 27), 3)
    datetime.date(2026, 11, 30)
    >>> due_date_for(ReminderStage.OVERDUE14, date(2026, 11, 27), 3)
    datetime.date(2026, 11, 13)
    """
    return today - timedelta(days=days_from_due(stage, days_before))


def work_item(customer_number: str, invoice_number: str) -> str:
    """One invoice as a job's work item (customer numbers are digits: the first colon
    separates them)."""
    return f"{customer_number}:{invoice_number}"


def parse_work_item(item: str) -> tuple[str, str]:
    """A work item back as (customer number, invoice number)."""
    customer_number, _, invoice_number = item.partition(":")
    return customer_number, invoice_number


def reminder_key(invoice_number: str, stage: ReminderStage, due_on: date) -> str:
    """The reminder's natural key: one per invoice, stage and due date (a correction that
    moves the due date makes a new occasion)."""
    return f"invoice_reminder:{invoice_number}:{stage.value}:{due_on.isoformat()}"


def new_invoice_key(invoice_number: str) -> str:
    """The new-invoice notice's natural key: once per invoice."""
    return f"new_invoice:{invoice_number}"
