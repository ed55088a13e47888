"""Customer tickets: filing, reading, writing, the lifecycle with staff, e-mails and the
reopen window (routes /tickets…; staff actions through services/ticket_work.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib import clock
from chalicelib.domain.tickets import TicketStatus
from chalicelib.ids import encode_id
from chalicelib.models.service import EventItem, ServiceItem
from chalicelib.services import notifications, ticket_work
from tests.factories import active_account, bearer, post, staff_account

CUSTOMER, OTHER = "100200", "100300"
STAFF = ticket_work.Actor("bok-anna", "staff")


@pytest.fixture
def customer(client, outbox):
    clock.travel_to(datetime(2026, 12, 28, 10, tzinfo=UTC))
    active_account(client, outbox, CUSTOMER)
    return bearer(client, CUSTOMER)


@pytest.fixture
def other(client, outbox, customer):
    active_account(client, outbox, OTHER)
    return bearer(client, OTHER)


def complaint(**extra):
    return {
        "kind": "complaint",
        "category": "invoice",
        "invoice": encode_id("FV/2026/10/0001"),
        "description": "Faktura zawiera zużycie, którego nie było.",
        **extra,
    }


def file_ticket(client, headers, body=None):
    answer = post(client, "/tickets", body or complaint(), headers)
    assert answer.status_code == 201, answer.body
    return answer.json_body


def test_a_complaint_about_an_own_invoice_gets_a_reference_and_a_deadline(client, customer):
    ticket = file_ticket(client, customer)
    assert ticket["reference"] == "R/2026/000001"
    assert ticket["id"] == "R-2026-000001"
    assert ticket["status"] == "new"
    assert ticket["invoice"] == "FV/2026/10/0001"
    assert ticket["due_on"] == "2027-01-11"  # received Dec 28: 14 calendar days, a new year
    assert [e["action"] for e in ticket["events"]] == ["created"]
    second = file_ticket(client, customer)
    assert second["reference"] == "R/2026/000002"
    listed = client.http.get("/tickets", headers=customer).json_body
    assert [t["id"] for t in listed["items"]] == ["R-2026-000002", "R-2026-000001"]
    assert listed["items"][0]["due_on"] == "2027-01-11"


def test_an_operational_report_defaults_to_the_service_address(client, customer):
    report = file_ticket(
        client,
        customer,
        {
            "kind": "operational",
            "category": "no_water",
            "description": "Brak wody od rana.",
            "phone": "601 234 567",
        },
    )
    assert report["reference"] == "Z/2026/000001"
    assert report["due_on"] is None
    assert report["location"] == {
        "street": "ul. Wodna 1",
        "postal_code": "41-709",
        "city": "Ruda Śląska",
    }
    assert report["phone"] == "+48601234567"
    elsewhere = file_ticket(
        client,
        customer,
        {
            "kind": "operational",
            "category": "leak_or_failure",
            "description": "Wyciek na ulicy.",
            "location": {"street": "ul. Polna 3", "postal_code": "41-700", "city": "Ruda Śląska"},
        },
    )
    assert elsewhere["location"]["street"] == "ul. Polna 3"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (complaint(invoice=encode_id("FV/OBCA/1")), "invoice"),  # not the customer's
        (complaint(invoice="%%%"), "invoice"),
        (complaint(invoice=None), "invoice"),
        (complaint(category="no_water"), "category"),
        ({"kind": "operational", "category": "invoice", "description": "x"}, "category"),
        (complaint(phone="601234567"), "phone"),
        (
            {"kind": "operational", "category": "sewage", "description": "x", "invoice": "a"},
            "invoice",
        ),
        (complaint(kind="praise"), "kind"),
        (complaint(description=""), "description"),
    ],
)
def test_a_bad_ticket_is_refused_in_polish(client, customer, body, field):
    answer = post(client, "/tickets", body, customer)
    assert answer.status_code == 400, answer.body
    message = answer.json_body["error"]["fields"][field]
    assert message[0].isupper() and message.endswith(".")


def test_another_customers_ticket_is_404(client, customer, other):
    ticket = file_ticket(client, customer)
    path = f"/tickets/{ticket['id']}"
    assert client.http.get(path, headers=other).status_code == 404
    assert post(client, f"{path}/messages", {"body": "Hej"}, other).status_code == 404
    attachment = {"name": "a.jpg", "content_type": "image/jpeg", "size": 10}
    assert post(client, f"{path}/attachments", attachment, other).status_code == 404
    assert client.http.get("/tickets", headers=other).json_body["items"] == []
    assert client.http.get("/tickets/R-2026-999999", headers=customer).status_code == 404
    assert client.http.get("/tickets/..%2Fx", headers=customer).status_code == 404


def test_the_lifecycle_messages_notes_and_e_mails(client, customer, outbox):
    ticket = file_ticket(client, customer)
    path, email = f"/tickets/{ticket['id']}", f"jan.{CUSTOMER}@example.pl"
    before = len(outbox.messages())

    staff_account("bok-anna")  # only an existing staff account is assigned a ticket
    ticket_work.assign(ticket["id"], STAFF, "bok-anna")
    ticket_work.note(ticket["id"], STAFF, "Sprawdzić odczyt z listopada.")
    assert len(outbox.messages()) == before  # the customer is not told of either
    ticket_work.change_status(ticket["id"], STAFF, TicketStatus.IN_PROGRESS)
    assert "w realizacji" in outbox.last_to(email)["text"]
    ticket_work.reply(
        ticket["id"], STAFF, "Prosimy o zdjęcie wodomierza.", TicketStatus.WAITING_FOR_CUSTOMER
    )
    mail = outbox.last_to(email)
    assert "Prosimy o zdjęcie wodomierza." in mail["text"] and "R/2026/000001" in mail["text"]
    assert len(outbox.messages()) == before + 2

    seen = client.http.get(path, headers=customer).json_body
    assert seen["status"] == "waiting_for_customer"
    assert [m["body"] for m in seen["messages"]] == ["Prosimy o zdjęcie wodomierza."]
    assert "Sprawdzić" not in str(seen)  # the internal note never reaches the customer
    assert [e["action"] for e in seen["events"]] == ["created", "status", "message"]

    answered = post(client, f"{path}/messages", {"body": "Zdjęcie w załączniku."}, customer)
    assert answered.status_code == 201
    assert answered.json_body["status"] == "in_progress"  # back to work

    ticket_work.change_status(ticket["id"], STAFF, TicketStatus.RESOLVED)
    closed = client.http.get(path, headers=customer).json_body
    assert closed["status"] == "resolved" and closed["reopen_until"]

    # Who did what when: every change is an event; the customer is told of staff ones.
    events = [i for i in ServiceItem.query(f"TICKET#{ticket['id']}") if isinstance(i, EventItem)]
    assert [(e.action, e.actor) for e in events] == [
        ("created", CUSTOMER),
        ("assigned", "bok-anna"),
        ("note", "bok-anna"),
        ("status", "bok-anna"),
        ("message", "bok-anna"),
        ("message", CUSTOMER),
        ("status", "bok-anna"),
    ]
    told = {n.key for n in notifications.page(CUSTOMER, 50).items}
    key = lambda e: ticket_work.update_key(ticket["id"], e.sk.rsplit("#", 1)[-1])  # noqa: E731
    assert [e.action for e in events if key(e) in told] == ["status", "message", "status"]
    assert not any(e.notice_state or e.notice_customer for e in events)  # no longer written


def test_a_closed_ticket_reopens_within_the_window_only(client, customer):
    ticket = file_ticket(client, customer)
    path = f"/tickets/{ticket['id']}"
    ticket_work.change_status(ticket["id"], STAFF, TicketStatus.REJECTED)
    clock.travel(13 * 86400)
    customer = bearer(client, CUSTOMER)  # a new session, days later
    reopened = post(client, f"{path}/messages", {"body": "Nie zgadzam się."}, customer)
    assert reopened.status_code == 201
    assert reopened.json_body["status"] == "in_progress"
    assert reopened.json_body["events"][-1]["action"] == "reopened"
    ticket_work.change_status(ticket["id"], STAFF, TicketStatus.RESOLVED)
    clock.travel(14 * 86400 + 60)
    customer = bearer(client, CUSTOMER)
    late = post(client, f"{path}/messages", {"body": "Jednak nie."}, customer)
    assert late.status_code == 409
    assert "14 dni" in late.json_body["error"]["message"]


def test_a_rejected_complaint_may_be_appealed_within_the_window(client, customer):
    """The regulations' complaint procedure: a rejected complaint may be appealed. The
    customer's message within `TICKET_REOPEN_DAYS` reopens it, it is back in the staff's
    open queue, and the staff may answer and reject it again."""
    from chalicelib.storage.tickets import QueueFilter

    ticket = file_ticket(client, customer)
    ticket_work.change_status(ticket["id"], STAFF, TicketStatus.REJECTED)
    assert ticket["id"] not in [t.id for t in ticket_work.queue(QueueFilter(), 50).items]
    clock.travel(86400)
    customer = bearer(client, CUSTOMER)
    path = f"/tickets/{ticket['id']}"
    appeal = post(client, f"{path}/messages", {"body": "Odwołuję się od decyzji."}, customer)
    assert appeal.status_code == 201
    assert appeal.json_body["status"] == "in_progress"
    assert [e["action"] for e in appeal.json_body["events"]][-1] == "reopened"
    assert ticket["id"] in [t.id for t in ticket_work.queue(QueueFilter(), 50).items]
    ticket_work.change_status(ticket["id"], STAFF, TicketStatus.REJECTED)
    again = client.http.get(path, headers=customer).json_body
    assert again["status"] == "rejected" and again["reopen_until"]


def test_staff_cannot_skip_the_lifecycle(client, customer):
    from chalicelib.domain.errors import Conflict

    ticket = file_ticket(client, customer)
    ticket_work.change_status(ticket["id"], STAFF, TicketStatus.RESOLVED)
    with pytest.raises(Conflict):
        ticket_work.change_status(ticket["id"], STAFF, TicketStatus.REJECTED)


def test_a_customer_files_at_most_the_days_limit_of_tickets(client, customer, other, monkeypatch):
    monkeypatch.setenv("TICKETS_PER_CUSTOMER_PER_DAY", "3")
    from chalicelib.settings import get_settings

    get_settings.cache_clear()
    for _ in range(3):
        file_ticket(client, customer)
    refused = post(client, "/tickets", complaint(), customer)
    assert refused.status_code == 429
    assert refused.json_body["error"]["message"].startswith(
        "Wykorzystano dzienny limit zgłoszeń (dziś: 3)."
    )
    # 10:00 UTC on Dec 28 is 11:00 in Warsaw: 13 hours to midnight (less the seconds the
    # clock has run on since the fixture set it).
    assert 13 * 3600 - 120 <= int(refused.headers["Retry-After"]) <= 13 * 3600
    assert [
        t["reference"] for t in client.http.get("/tickets", headers=customer).json_body["items"]
    ] == ["R/2026/000003", "R/2026/000002", "R/2026/000001"]  # no number was spent
    file_ticket(client, other)  # another customer has a day of their own
    # The limit ends at midnight in Warsaw.
    clock.travel(13 * 3600)
    customer = bearer(client, CUSTOMER)
    assert file_ticket(client, customer)["reference"] == "R/2026/000005"
