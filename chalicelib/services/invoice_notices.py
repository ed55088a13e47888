"""What the invoice jobs tell a customer about one invoice: that it is new and its
e-invoice is in the portal (`tell_new_invoice`, once), and a reminder before or after the
due date (`remind`), only while something is left to pay, read from the ledger at send
time. Everything goes through `notifications.notify` with the invoice's natural key, which
applies the consents and the suppression and makes a repeated send a no-op."""

from __future__ import annotations

from datetime import date

from chalicelib.domain import ledger
from chalicelib.domain.notifications import NotificationKind
from chalicelib.domain.reminders import (
    ReminderStage,
    days_from_due,
    due_date_for,
    new_invoice_key,
    reminder_key,
)
from chalicelib.logs import logger
from chalicelib.services import ledger as ledger_service
from chalicelib.services.collaborators import Collaborators
from chalicelib.services.notifications import Outcome, notify
from chalicelib.services.recipients import active_account
from chalicelib.settings import get_settings
from chalicelib.storage import ledger as ledger_store


def invoices_link() -> str:
    """The portal's invoices page."""
    return f"{get_settings().public_url}/faktury"


def _state(customer_number: str, number: str, today: date) -> ledger.DocumentState | None:
    data = ledger_service.load(customer_number)
    state = ledger.document_states(data.documents, data.payments, today).get(number)
    if state is None or state.root != number:
        return None
    return state


def remind(
    customer_number: str, number: str, stage: ReminderStage, today: date, deps: Collaborators
) -> Outcome | None:
    """Remind the customer of invoice `number` at `stage` if it is still unpaid (booked
    payments and confirmed online payments count) and still due on the date this stage
    reads today. None when there is nothing to remind of (no account, paid, moved)."""
    account = active_account(customer_number)
    if account is None:
        return None
    days_before = get_settings().invoice_reminder_days
    due_on = due_date_for(stage, today, days_before)
    state = _state(customer_number, number, today)
    if state is None or state.document.due_date != due_on or state.outstanding <= 0:
        logger.info("no reminder", extra={"stage": stage.value, "due_on": due_on.isoformat()})
        return None
    context = {
        "invoice_number": number,
        "amount": state.outstanding,
        "due_on": due_on.strftime("%d.%m.%Y"),
        "stage": "before" if stage is ReminderStage.BEFORE else "overdue",
        "days": abs(days_from_due(stage, days_before)),
        "link": invoices_link(),
    }
    return notify(
        customer_number,
        NotificationKind.INVOICE_REMINDER,
        context,
        key=reminder_key(number, stage, due_on),
        account=account,
        deps=deps,
    )


def tell_new_invoice(customer_number: str, number: str, deps: Collaborators) -> Outcome | None:
    """Tell the customer that invoice `number` is in the portal (once: key
    `new_invoice:<number>`), then take it off the list of invoices to tell about (also when
    the customer has no active account: the portal shows it when they have one)."""
    invoice = ledger_store.untold_invoice(customer_number, number)
    if invoice is None:
        return None
    outcome = None
    account = active_account(customer_number)
    if account is not None:
        context = {
            "invoice_number": number,
            "amount": invoice.gross,
            "due_on": invoice.due_date.strftime("%d.%m.%Y"),
            "link": invoices_link(),
        }
        outcome = notify(
            customer_number,
            NotificationKind.NEW_INVOICE,
            context,
            key=new_invoice_key(number),
            account=account,
            deps=deps,
        )
    ledger_store.invoice_told(customer_number, number)
    return outcome
