"""Consent, suppression and transactional mail for each notice job other than
`invoice-reminders` (tests/api/test_notification_jobs.py has that one), and the §7
day-0 notice to a suppressed address: with a controllable clock, three customers -
CONSENTING (e-mail notices consented), WITHDRAWN (consent withdrawn in the profile) and
BOUNCED (consented, but SES reported a permanent bounce) - and the same condition for
each of them. Only CONSENTING is told, once, also when the queued work is delivered again
and when the job runs again; the transactional mail still reaches WITHDRAWN, and nothing
at all reaches the suppressed address."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from chalicelib import clock
from chalicelib.adapters import secrets
from chalicelib.jobs import fanout
from chalicelib.services.collaborators import using
from tests.api.test_notification_jobs import (
    Captured,
    due,
    notices,
    patch_me,
    publish,
    ses_bounce,
    window,
)
from tests.factories import active_account, bearer, import_lines, meter_line, post

__all__ = ["window"]  # the fixture, used below

CONSENTING, WITHDRAWN, BOUNCED = "100200", "100201", "100203"
LOGINS = (CONSENTING, WITHDRAWN, BOUNCED)


@pytest.fixture
def three(client, outbox):
    """The three accounts at 2026-11-20 10:00 UTC; WITHDRAWN without e-mail notice consent,
    BOUNCED's address suppressed through the `mail_events` handler."""
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    emails = {login: active_account(client, outbox, login)["email"] for login in LOGINS}
    assert patch_me(client, WITHDRAWN, {"consents": {"email_notices": False}}).status_code == 200
    ses_bounce(client, emails[BOUNCED])
    return emails


def _new_invoices() -> tuple[str, Callable[[], fanout.Enqueued]]:
    from chalicelib.jobs.new_invoices import new_invoices

    import_lines([due(f"FV/NEW-{n}", n, "2026-12-10") for n in LOGINS], key="imports/new.jsonl")
    return "new_invoice", new_invoices


def _reading_window() -> tuple[str, Callable[[], fanout.Enqueued]]:
    from chalicelib.jobs.reading_window import reading_window

    import_lines([meter_line(f"WM-{n}", n) for n in LOGINS], key="imports/meters.jsonl")
    clock.travel_to(datetime(2026, 11, 25, 6, tzinfo=UTC))  # READING_WINDOW=25-31 opens
    secrets.reset()  # the unsubscribe link's key is read afresh
    return "reading_window", reading_window


def _announcements() -> tuple[str, Callable[[], fanout.Enqueued]]:
    from chalicelib.domain.announcements import Area
    from chalicelib.jobs.announcements import announcements

    publish("planned_works", Area(whole=True))  # every customer's account
    return "announcement", announcements


JOBS = {
    "new-invoices": _new_invoices,
    "reading-window": _reading_window,
    "announcements": _announcements,
}


@pytest.mark.parametrize("job", JOBS)
def test_a_notice_job_tells_only_the_consenting_customer_once_and_transactional_mail_goes(
    client, three, outbox, drain_queues, window, job
):
    template, run = JOBS[job]()
    before = len(outbox.messages())
    queues = Captured()
    with using(queues=queues):
        enqueued = run()
    assert set(enqueued.items) == {"notify"} and enqueued.items["notify"] >= 3  # all listed
    fanout.consume(queues.bodies)
    told = [m["to"] for m in notices(outbox, template)]
    assert told and set(told) == {three[CONSENTING]}
    assert len(outbox.messages()) - before == len(told)  # nothing else went out, no SMS
    # The same work delivered again, and the job run again the same day: nothing twice.
    fanout.consume(queues.bodies)
    run()
    drain_queues()
    assert [m["to"] for m in notices(outbox, template)] == told

    # Transactional mail still reaches the customer without the consent.
    assert post(client, "/auth/password/forgot", {"login": WITHDRAWN}).status_code == 202
    drain_queues()
    assert notices(outbox, "password_reset")[-1]["to"] == three[WITHDRAWN]
    # Nothing at all went to the suppressed address (not even the transactional reset).
    assert post(client, "/auth/password/forgot", {"login": BOUNCED}).status_code == 202
    drain_queues()
    assert [m for m in outbox.messages() if m["to"] == three[BOUNCED]][-1]["template"] == (
        "activation"
    )


def resign(client, login):
    return client.http.delete(
        "/me",
        headers={**bearer(client, login), "Content-Type": "application/json"},
        body=json.dumps({"password": "Zielona-Woda-2026!"}),
    )


def test_the_termination_notice_skips_a_suppressed_address(client, three, outbox, drain_queues):
    from chalicelib.jobs.terminations import terminations

    for login in (WITHDRAWN, BOUNCED):
        assert resign(client, login).status_code == 202
    terminations()  # its day-0 retry does not send it either
    drain_queues()
    told = [m["to"] for m in notices(outbox, "termination_notice")]
    assert told == [three[WITHDRAWN]]  # transactional: without the consent, not when bounced
    assert not [m for m in outbox.messages() if m["to"] == three[BOUNCED]][1:]  # activation
