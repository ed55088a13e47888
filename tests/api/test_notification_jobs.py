"""The notification jobs with a controllable clock: who gets what, nothing twice on a
re-run, nothing without consent, suppressed addresses skipped, transactional mail still
sent (docs/jobs.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from chalicelib import clock
from chalicelib.domain.reminders import ReminderStage
from chalicelib.jobs.invoice_reminders import invoice_reminders
from chalicelib.services import invoice_notices
from tests.factories import (
    active_account,
    bearer,
    customer_line,
    import_lines,
    invoice_line,
    post,
)

A, B, NO_ACCOUNT = "100200", "100201", "100202"


def notices(outbox, template):
    return [m for m in outbox.messages() if m["template"] == template]


def patch_me(client, login, body):
    return client.http.patch(
        "/me",
        headers={**bearer(client, login), "Content-Type": "application/json"},
        body=json.dumps(body),
    )


def ses_bounce(client, address):
    message = json.dumps(
        {
            "eventType": "Bounce",
            "mail": {"messageId": "x"},
            "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": address}]},
        }
    )
    event = client.events.generate_sns_event(message=message, subject="SES event")
    client.lambda_.invoke("mail_events", event)


@pytest.fixture
def customers(client, outbox):
    """A and B with accounts (e-mail notices consented), a third customer without one, at
    2026-11-20 10:00 UTC."""
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    return {login: active_account(client, outbox, login) for login in (A, B)}


def due(number, customer, due_date, gross="100.00"):
    return invoice_line(number, customer, gross, issue_date="2026-10-20", due_date=due_date)


def test_reminders_before_and_after_the_due_date_only_for_unpaid_invoices(
    client, customers, outbox, drain_queues
):
    import_lines(
        [
            customer_line(NO_ACCOUNT),
            due("FV/BEFORE", A, "2026-11-23"),  # in 3 days
            due("FV/LATE1", A, "2026-11-19"),  # a day overdue
            due("FV/LATE14", B, "2026-11-06"),  # 14 days overdue
            due("FV/LATE7", B, "2026-11-13"),  # no stage today
            due("FV/PAID", B, "2026-11-23"),
            due("FV/PART", B, "2026-11-19", "80.00"),
            due("FV/NOACC", NO_ACCOUNT, "2026-11-23"),
            {
                "type": "payment",
                "id": "P-1",
                "customer_number": B,
                "paid_on": "2026-11-18",
                "amount": "130.00",
                "allocations": [
                    {"invoice": "FV/PAID", "amount": "100.00"},
                    {"invoice": "FV/PART", "amount": "30.00"},
                ],
            },
        ],
        key="imports/reminders.jsonl",
    )
    result = invoice_reminders()
    assert result.items == {"before": 3, "overdue1": 2, "overdue14": 1}
    drain_queues()
    sent = {
        (m["to"], m["text"].split("faktury ")[1].split()[0])
        for m in notices(outbox, "invoice_reminder")
    }
    assert sent == {
        (customers[A]["email"], "FV/BEFORE"),
        (customers[A]["email"], "FV/LATE1"),
        (customers[B]["email"], "FV/LATE14"),
        (customers[B]["email"], "FV/PART"),
    }
    part = next(m for m in notices(outbox, "invoice_reminder") if "FV/PART" in m["text"])
    assert "50,00" in part["text"] and "minął 19.11.2026" in part["text"]  # what is left
    before = next(m for m in notices(outbox, "invoice_reminder") if "FV/BEFORE" in m["text"])
    assert "mija 23.11.2026" in before["text"] and "/faktury" in before["text"]

    # A second run the same day, and the next day's stages, send nothing twice.
    count = len(outbox.messages())
    invoice_reminders()
    drain_queues()
    assert len(outbox.messages()) == count
    again = invoice_notices.remind(A, "FV/LATE1", ReminderStage.OVERDUE1, clock.today(), _deps())
    assert again is not None and again.duplicate


def _deps():
    from chalicelib.services.collaborators import current

    return current()


def test_no_notice_without_consent_nor_to_a_suppressed_address_while_transactional_goes(
    client, customers, outbox, drain_queues
):
    import_lines(
        [due("FV/A", A, "2026-11-23"), due("FV/B", B, "2026-11-23")], key="imports/two.jsonl"
    )
    assert patch_me(client, A, {"consents": {"email_notices": False}}).status_code == 200
    ses_bounce(client, customers[B]["email"])
    invoice_reminders()
    drain_queues()
    assert notices(outbox, "invoice_reminder") == []
    # Transactional mail still goes to the customer who withdrew the consent.
    assert post(client, "/auth/password/forgot", {"login": A}).status_code == 202
    drain_queues()
    assert notices(outbox, "password_reset")[-1]["to"] == customers[A]["email"]


def test_an_invoice_paid_after_the_listing_is_skipped_at_send_time(
    client, customers, outbox, drain_queues
):
    import_lines([due("FV/A", A, "2026-11-23")], key="imports/one.jsonl")
    assert invoice_reminders().items["before"] == 1
    payment = {
        "type": "payment",
        "id": "P-2",
        "customer_number": A,
        "paid_on": "2026-11-20",
        "amount": "100.00",
        "allocations": [{"invoice": "FV/A", "amount": "100.00"}],
    }
    import_lines([payment], key="imports/paid.jsonl")
    drain_queues()
    assert notices(outbox, "invoice_reminder") == []
