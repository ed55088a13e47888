"""The notification jobs with a controllable clock: who gets what, nothing twice on a
re-run, nothing without consent, suppressed addresses skipped, transactional mail still
sent (docs/jobs.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from chalicelib import clock
from chalicelib.adapters import secrets
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
    return [
        m
        for m in outbox.messages()
        if m["template"] == template and m.get("channel", "email") == "email"
    ]


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


# --- new-invoices -----------------------------------------------------------------------


def test_each_new_invoice_is_told_once_and_only_with_consent(
    client, customers, outbox, drain_queues
):
    from chalicelib.jobs.new_invoices import new_invoices

    assert patch_me(client, B, {"consents": {"email_notices": False}}).status_code == 200
    import_lines(
        [
            customer_line(NO_ACCOUNT),
            due("FV/NEW-A", A, "2026-12-10"),
            due("FV/NEW-B", B, "2026-12-10"),
            due("FV/NEW-X", NO_ACCOUNT, "2026-12-10"),
            {
                **due("FV/NEW-A-DUP", A, "2026-12-10"),
                "kind": "duplicate",
                "duplicate_of": "FV/NEW-A",
            },
        ],
        key="imports/new.jsonl",
    )
    # Today's import: the three above and each seeded registration invoice (FV/2026/10/0001).
    assert new_invoices().items == {"notify": 5}
    drain_queues()
    told = list(notices(outbox, "new_invoice"))
    assert sorted((m["to"], "FV/NEW-A" in m["text"]) for m in told) == [
        (customers[A]["email"], False),
        (customers[A]["email"], True),
    ]
    assert "/faktury" in told[-1]["text"]
    # Told (or nobody to tell): each left the index; a re-run and a re-import send nothing.
    assert new_invoices().items == {"notify": 0}
    import_lines([due("FV/NEW-A", A, "2026-12-11")], key="imports/changed.jsonl")
    clock.travel_to(datetime(2026, 11, 21, 10, tzinfo=UTC))
    assert new_invoices().items == {"notify": 0}
    drain_queues()
    assert len(notices(outbox, "new_invoice")) == 2


# --- reading-window ---------------------------------------------------------------------


@pytest.fixture
def window(monkeypatch):
    from chalicelib.settings import get_settings

    monkeypatch.setenv("READING_WINDOW", "25-31")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_window_opening_tells_customers_with_unread_active_meters_once(
    client, customers, outbox, drain_queues, window
):
    from chalicelib.jobs.reading_window import reading_window
    from tests.factories import meter_line, reading_line

    import_lines(
        [
            customer_line(NO_ACCOUNT),
            meter_line("WM-A", A),
            meter_line("WM-A2", A),
            meter_line("WM-B", B),
            meter_line("WM-B-OLD", B, status="removed", removed_on="2026-01-01"),
            meter_line("WM-X", NO_ACCOUNT),
        ],
        key="imports/meters.jsonl",
    )
    assert patch_me(client, A, {"consents": {"sms_notices": True}}).status_code == 200
    assert reading_window().items == {"notify": 0}  # the 20th: the window is not opening
    clock.travel_to(datetime(2026, 11, 25, 6, tzinfo=UTC))
    import_lines([reading_line("WM-B", "2026-11-25", "120.5", B)], key="imports/read.jsonl")
    assert reading_window().items == {"notify": 3}
    secrets.reset()  # job_work's own container reads the pepper (the unsubscribe link's key)
    drain_queues()
    mails = notices(outbox, "reading_window")
    assert [m["to"] for m in mails] == [customers[A]["email"]]  # B has read its meter
    assert "30.11.2026" in mails[0]["text"]
    assert "http://127.0.0.1:8080/wodomierze" in mails[0]["text"]
    sms = [m for m in outbox.messages() if m.get("channel") == "sms"]
    assert len(sms) == 1 and "/wodomierze" in sms[0]["text"]
    reading_window()  # again the same day: nothing twice
    drain_queues()
    assert len(notices(outbox, "reading_window")) == 1
    clock.travel_to(datetime(2026, 11, 26, 6, tzinfo=UTC))
    assert reading_window().items == {"notify": 0}


# --- certification-digest ---------------------------------------------------------------


def test_the_certification_digest_lists_meters_ending_within_90_days_once_a_day(
    client, outbox, drain_queues
):
    from chalicelib.jobs.certification_digest import certification_digest
    from chalicelib.settings import get_settings
    from tests.factories import meter_line

    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    import_lines(
        [
            customer_line(A),
            meter_line("WM-SOON", A, certified_until="2027-01-31", location="piwnica"),
            meter_line("WM-GONE", A, certified_until="2026-11-01"),
            meter_line("WM-LATER", A, certified_until="2027-06-30"),
            meter_line(
                "WM-REMOVED",
                A,
                certified_until="2026-12-01",
                status="removed",
                removed_on="2026-10-01",
            ),
        ],
        key="imports/cert.jsonl",
    )
    result = certification_digest()
    assert (result.sent, result.expiring, result.expired) == (True, 1, 1)
    mail = outbox.last_to(get_settings().staff_digest_email)
    assert mail["template"] == "certification_digest"
    assert "WM-SOON" in mail["text"] and "31.01.2027" in mail["text"] and "piwnica" in mail["text"]
    assert "WM-GONE" in mail["text"]
    assert "WM-LATER" not in mail["text"] and "WM-REMOVED" not in mail["text"]
    assert certification_digest().sent is False  # once a day
    assert len(notices(outbox, "certification_digest")) == 1
    clock.travel_to(datetime(2026, 11, 21, 10, tzinfo=UTC))
    assert certification_digest().sent is True


# --- announcements ----------------------------------------------------------------------


def publish(kind, area, starts=datetime(2026, 11, 21, 7, tzinfo=UTC), ends=None):
    from chalicelib.domain.announcements import AnnouncementKind
    from chalicelib.services import announcements

    draft = announcements.Draft(
        kind=AnnouncementKind(kind),
        title="Awaria wodociągu",
        text="Brak wody z powodu awarii.",
        area=area,
        starts_at=starts,
        ends_at=ends or datetime(2026, 11, 21, 15, tzinfo=UTC),
    )
    created = announcements.create("anna-nowak", draft)
    return announcements.publish(created.id, "anna-nowak")


def test_a_failure_notice_goes_to_consenting_customers_in_its_area_once(
    client, customers, outbox, drain_queues
):
    from chalicelib.domain.announcements import Area
    from chalicelib.jobs.announcements import announcements

    import_lines(
        [
            customer_line(
                B,
                service_address={
                    "street": "ul. Polna 3",
                    "postal_code": "41-700",
                    "city": "Ruda Śląska",
                },
            ),
            customer_line(
                "100203",
                service_address={
                    "street": "ul. Wodna 9",
                    "postal_code": "41-700",
                    "city": "Ruda Śląska",
                },
            ),
        ],
        key="imports/addresses.jsonl",
    )
    # A lives at ul. Wodna 1, 41-709 (factories); B at ul. Polna 3, 41-700.
    publish("failure", Area(whole=False, streets=("Wodna",)))
    publish("general", Area(whole=True))  # shown on the dashboard, never broadcast
    result = announcements()
    assert result.items == {"notify": 2}  # A and 100203 (no account) by street
    drain_queues()
    mails = notices(outbox, "announcement")
    assert [m["to"] for m in mails] == [customers[A]["email"]]
    assert "Awaria wodociągu" in mails[0]["text"] and "21.11.2026 8:00–16:00" in mails[0]["text"]
    assert announcements().items == {"notify": 0}  # the publication left the pending list
    drain_queues()

    # The whole service area: every customer's account; a suppressed address is skipped.
    ses_bounce(client, customers[A]["email"])
    publish("planned_works", Area(whole=True))
    assert announcements().items == {"notify": 2}
    drain_queues()
    mails = notices(outbox, "announcement")
    assert [m["to"] for m in mails] == [customers[A]["email"], customers[B]["email"]]
    assert "do odwołania" not in mails[-1]["text"]


def test_a_withdrawn_notice_is_not_sent_and_consent_is_needed(
    client, customers, outbox, drain_queues
):
    from chalicelib.domain.announcements import Area
    from chalicelib.jobs.announcements import announcements
    from chalicelib.services import announcements as announcement_service

    assert patch_me(client, B, {"consents": {"email_notices": False}}).status_code == 200
    withdrawn = publish("failure", Area(whole=False, postal_codes=("41-709",)))
    assert announcements().items == {"notify": 2}
    announcement_service.withdraw(withdrawn.id, "anna-nowak")
    drain_queues()
    assert notices(outbox, "announcement") == []
    publish("failure", Area(whole=False, postal_codes=("41-709",)))
    announcements()
    drain_queues()
    assert [m["to"] for m in notices(outbox, "announcement")] == [customers[A]["email"]]


# --- termination (a transactional notice through notify) ---------------------------------


def test_the_termination_notice_goes_without_consent_and_is_listed(client, customers, outbox):
    from chalicelib.services import termination
    from chalicelib.services.notifications import page

    assert patch_me(client, A, {"consents": {"email_notices": False}}).status_code == 200
    response = client.http.delete(
        "/me",
        headers={**bearer(client, A), "Content-Type": "application/json"},
        body=json.dumps({"password": "Zielona-Woda-2026!"}),
    )
    assert response.status_code == 202, response.body
    assert notices(outbox, "termination_notice")[-1]["to"] == customers[A]["email"]
    assert termination.send_notice(A) is False  # once per termination start
    assert next(n.kind for n in page(A, 10).items) == "termination_notice"


class SesDown:
    def send(self, *_args, **_kwargs):
        raise RuntimeError("SES unavailable")


def test_a_failed_certification_digest_gives_the_day_back(client, outbox):
    from chalicelib.jobs.certification_digest import certification_digest
    from chalicelib.services.collaborators import using
    from tests.factories import meter_line

    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    import_lines(
        [customer_line(A), meter_line("WM-SOON", A, certified_until="2027-01-31")],
        key="imports/cert.jsonl",
    )
    with using(mailer=SesDown()), pytest.raises(RuntimeError):
        certification_digest()
    assert certification_digest().sent is True  # the retry the same day sends it


class Captured:
    """Queues that keep what the job sends, for delivering it by hand."""

    def __init__(self) -> None:
        self.bodies: list[str] = []

    def send(self, _queue, body):
        self.bodies.append(body)

    def send_batch(self, _queue, bodies):
        self.bodies.extend(bodies)


class FailingFor:
    """The real mailer, except for one address, whose send fails."""

    def __init__(self, mailer, address):
        self.mailer, self.address = mailer, address

    def send(self, template, to, *args, **kwargs):
        if to == self.address:
            raise RuntimeError("SES unavailable for this address")
        return self.mailer.send(template, to, *args, **kwargs)


def test_a_redelivered_reminder_batch_sends_the_failed_one_and_nothing_twice_without_marks(
    client, customers, outbox
):
    """The reminder tasks keep no job marks (their notification key makes them once per
    customer): a batch with a failed send raises, its redelivery sends that one only."""
    from chalicelib.jobs import fanout
    from chalicelib.models.accounts import JobMark
    from chalicelib.services.collaborators import current, using

    import_lines(
        [due("FV/A", A, "2026-11-23"), due("FV/B", B, "2026-11-23")], key="imports/redeliver.jsonl"
    )
    queues = Captured()
    with using(queues=queues):
        invoice_reminders()
    (body,) = queues.bodies
    failing = FailingFor(current().mailer, customers[B]["email"])
    with using(mailer=failing), pytest.raises(RuntimeError, match="1 of 2 items"):
        fanout.consume([body])
    assert [m["to"] for m in notices(outbox, "invoice_reminder")] == [customers[A]["email"]]

    assert fanout.consume([body]).done == 2  # the redelivery: A's key is taken, B's is sent
    sent = sorted(m["to"] for m in notices(outbox, "invoice_reminder"))
    assert sent == sorted([customers[A]["email"], customers[B]["email"]])
    for login, number in ((A, "FV/A"), (B, "FV/B")):
        mark = JobMark.key("invoice-reminders:before", "2026-11-20", f"{login}:{number}")
        assert JobMark.count(mark[0]) == 0
