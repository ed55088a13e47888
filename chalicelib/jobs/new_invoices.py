"""`new-invoices`: after an import, each new invoice's customer is told that the invoice
(its e-invoice) is in the portal, once.

Read: the billing table's sparse `new_invoices` index (invoices by the day they were
imported, until told), for the last 30 days and today: one Query a day; a told invoice has
left it. Work: one item per invoice (`<customer>:<invoice number>`), task `notify`: the
handler re-reads the invoice (one GetItem), sends through `notifications.notify` under the
key `new_invoice:<number>` and takes the invoice off the index. A duplicate (a copy) never
entered it; a re-imported, changed invoice keeps the state it had."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.lifecycle import due_days
from chalicelib.domain.reminders import parse_work_item, work_item
from chalicelib.jobs import fanout
from chalicelib.services import invoice_notices
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.storage import ledger as ledger_store

JOB = "new-invoices"


def new_invoices(deps: Collaborators | None = None) -> fanout.Enqueued:
    """List the invoices imported in the last 30 days and not yet told, and queue them."""
    deps = deps or current()
    today = deps.clock.today()
    items = [
        work_item(customer, number)
        for day in due_days(today)
        for customer, number in ledger_store.invoices_imported_on(day)
    ]
    return fanout.enqueue(JOB, today, {"notify": items}, deps)


@fanout.task(JOB, "notify", marked=False)  # once by its key `new_invoice:<number>`
def notify_new_invoice(item: str, _day: date, deps: Collaborators) -> None:
    """Tell one customer about one new invoice."""
    customer_number, number = parse_work_item(item)
    invoice_notices.tell_new_invoice(customer_number, number, deps)
