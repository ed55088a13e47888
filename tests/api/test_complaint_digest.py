"""The daily complaint digest: overdue complaints and those due within 3 days, read through
the queue index, e-mailed to staff once a day."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib import clock
from chalicelib.domain.tickets import TicketStatus
from chalicelib.ids import encode_id
from chalicelib.jobs.complaint_digest import complaint_digest
from chalicelib.services import collaborators, ticket_work
from chalicelib.settings import get_settings
from tests.factories import active_account, bearer, post

CUSTOMER = "100200"
STAFF = ticket_work.Actor("bok.anna", "staff")


def file(client, headers, kind="complaint"):
    body = (
        {
            "kind": "complaint",
            "category": "invoice",
            "invoice": encode_id("FV/2026/10/0001"),
            "description": "Błędna faktura.",
        }
        if kind == "complaint"
        else {"kind": "operational", "category": "no_water", "description": "Brak wody."}
    )
    answer = post(client, "/tickets", body, headers)
    assert answer.status_code == 201
    return answer.json_body


@pytest.fixture
def complaints(client, outbox):
    clock.travel_to(datetime(2026, 12, 1, 9, tzinfo=UTC))
    active_account(client, outbox, CUSTOMER)
    headers = bearer(client, CUSTOMER)
    overdue = file(client, headers)  # due Dec 15
    resolved = file(client, headers)  # due Dec 15, but resolved
    ticket_work.change_status(resolved["id"], STAFF, TicketStatus.RESOLVED)
    file(client, headers, "operational")  # never in the digest
    clock.travel_to(datetime(2026, 12, 10, 9, tzinfo=UTC))
    soon = file(client, bearer(client, CUSTOMER))  # due Dec 24
    clock.travel_to(datetime(2026, 12, 12, 9, tzinfo=UTC))
    later = file(client, bearer(client, CUSTOMER))  # due Dec 26: not yet
    return overdue, soon, later


def test_the_digest_lists_overdue_and_soon_due_complaints_once_a_day(client, complaints, outbox):
    overdue, soon, later = complaints
    clock.travel_to(datetime(2026, 12, 21, 5, tzinfo=UTC))  # Dec 21: Dec 24 is within 3 days
    result = complaint_digest()
    assert (result.sent, result.overdue, result.due_soon) == (True, 1, 1)
    mail = outbox.last_to(get_settings().staff_digest_email)
    assert overdue["reference"] in mail["text"] and soon["reference"] in mail["text"]
    assert later["reference"] not in mail["text"]
    assert "15.12.2026" in mail["text"] and "Po terminie" in mail["text"]
    count = len(outbox.messages())
    again = complaint_digest()
    assert again.sent is False
    assert len(outbox.messages()) == count  # idempotent per day
    clock.travel_to(datetime(2026, 12, 22, 5, tzinfo=UTC))
    assert complaint_digest().sent is True  # the next day's


class BrokenMailer:
    def send(self, template, to, context):
        raise RuntimeError("SES unavailable")


def test_a_failed_digest_is_sent_by_the_next_run(client, complaints, outbox):
    clock.travel_to(datetime(2026, 12, 21, 5, tzinfo=UTC))
    with collaborators.using(mailer=BrokenMailer()), pytest.raises(RuntimeError):
        complaint_digest()
    assert complaint_digest().sent is True
    assert outbox.last_to(get_settings().staff_digest_email)


def test_every_scheduled_job_can_be_run_by_name():
    from chalice.app import ScheduledEventConfig

    from app import app
    from scripts.job import JOBS

    scheduled = {s.name for s in app.event_sources if isinstance(s, ScheduledEventConfig)}
    assert {name.replace("-", "_") for name in JOBS} == scheduled
