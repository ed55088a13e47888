"""The staff's ticket routes (/staff/tickets…): the queue by due date with its filters and
paging, a ticket with internal notes and attachment links, assignment, replies, notes and
status changes, each audited; the customer is e-mailed on replies and status changes and
never sees an internal note."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib import clock
from chalicelib.ids import encode_id
from tests.api.test_ticket_attachments import JPEG, ask, upload
from tests.api.test_ticket_attachments import ticket as attached_ticket
from tests.factories import active_account, bearer, post, staff_account, staff_bearer

__all__ = ["attached_ticket"]  # the fixture, used below

CUSTOMER = "100200"
EMAIL = f"jan.{CUSTOMER}@example.pl"
ANNA, EWA = "anna-nowak", "ewa-admin"


@pytest.fixture
def customer(client, outbox):
    clock.travel_to(datetime(2026, 12, 28, 10, tzinfo=UTC))
    active_account(client, outbox, CUSTOMER)
    return bearer(client, CUSTOMER)


@pytest.fixture
def anna(client, customer):
    return staff_bearer(client, ANNA, staff_account(ANNA))


@pytest.fixture
def admin(client, customer):
    return staff_bearer(client, EWA, staff_account(EWA, "admin"))


def complaint() -> dict:
    return {
        "kind": "complaint",
        "category": "invoice",
        "invoice": encode_id("FV/2026/10/0001"),
        "description": "Faktura zawiera zużycie, którego nie było.",
    }


def report(category: str = "no_water") -> dict:
    return {"kind": "operational", "category": category, "description": "Brak wody od rana."}


def file_ticket(client, headers, body=None) -> str:
    answer = post(client, "/tickets", body or complaint(), headers)
    assert answer.status_code == 201, answer.body
    return answer.json_body["id"]


def get(client, path, headers):
    answer = client.http.get(path, headers=headers)
    assert answer.status_code == 200, answer.body
    return answer.json_body


def ids(client, headers, query="") -> list[str]:
    return [t["id"] for t in get(client, f"/staff/tickets{query}", headers)["items"]]


def audit_actions(client, admin, ticket_id) -> list[tuple[str, str]]:
    entries = get(client, f"/staff/audit?target=ticket:{ticket_id}", admin)["items"]
    return [(e["action"], e["actor"]) for e in reversed(entries)]


def test_the_lifecycle_through_the_staff_routes(client, customer, anna, admin, outbox):
    ticket_id = file_ticket(client, customer)
    path = f"/staff/tickets/{ticket_id}"
    before = len(outbox.messages())

    (queued,) = get(client, "/staff/tickets", anna)["items"]
    assert queued["id"] == ticket_id and queued["customer"] == CUSTOMER
    assert queued["due_on"] == "2027-01-11" and queued["assignee"] is None

    assigned = post(client, f"{path}/assign", {"assignee": ANNA}, anna)
    assert assigned.status_code == 200, assigned.body
    assert assigned.json_body["assignee"] == ANNA
    note = {"body": "Sprawdzić odczyt z listopada.", "internal": True}
    noted = post(client, f"{path}/messages", note, anna)
    assert noted.status_code == 201, noted.body
    assert noted.json_body["messages"][-1]["internal"] is True
    assert noted.json_body["next_statuses"] == [
        "in_progress", "waiting_for_customer", "resolved", "rejected",
    ]  # fmt: skip
    assert len(outbox.messages()) == before  # neither is told to the customer

    moved = post(client, f"{path}/status", {"status": "in_progress"}, anna)
    assert moved.status_code == 200 and moved.json_body["status"] == "in_progress"
    assert "w realizacji" in outbox.last_to(EMAIL)["text"]
    reply = {"body": "Prosimy o zdjęcie wodomierza.", "status": "waiting_for_customer"}
    replied = post(client, f"{path}/messages", reply, anna)
    assert replied.status_code == 201, replied.body
    assert replied.json_body["status"] == "waiting_for_customer"
    assert replied.json_body["next_statuses"] == ["in_progress", "resolved", "rejected"]
    mail = outbox.last_to(EMAIL)
    assert "Prosimy o zdjęcie wodomierza." in mail["text"] and "R/2026/000001" in mail["text"]
    assert f"/zgloszenie?id={ticket_id}" in mail["text"]  # straight to the ticket's page
    assert len(outbox.messages()) == before + 2

    seen = get(client, f"/tickets/{ticket_id}", customer)
    assert [m["body"] for m in seen["messages"]] == ["Prosimy o zdjęcie wodomierza."]
    assert "Sprawdzić" not in str(seen) and ANNA not in str(seen)
    assert [e["action"] for e in seen["events"]] == ["created", "status", "message"]

    staff_view = get(client, path, anna)
    assert [m["internal"] for m in staff_view["messages"]] == [True, False]
    assert staff_view["assignee"] == ANNA and staff_view["customer"] == CUSTOMER
    assert [(e["action"], e["actor"]) for e in staff_view["events"]] == [
        ("created", CUSTOMER),
        ("assigned", ANNA),
        ("note", ANNA),
        ("status", ANNA),
        ("message", ANNA),
    ]
    assert staff_view["events"][2]["customer_visible"] is False

    resolved = post(client, f"{path}/status", {"status": "resolved"}, admin)
    assert resolved.status_code == 200
    assert "rozwiązane" in outbox.last_to(EMAIL)["text"]
    assert get(client, f"/tickets/{ticket_id}", customer)["status"] == "resolved"
    assert ids(client, anna) == [] and ids(client, anna, "?status=resolved") == [ticket_id]

    assert audit_actions(client, admin, ticket_id) == [
        ("ticket.assigned", ANNA),
        ("ticket.noted", ANNA),
        ("ticket.status_changed", ANNA),
        ("ticket.replied", ANNA),
        ("ticket.viewed", ANNA),
        ("ticket.status_changed", EWA),
    ]
    entries = get(client, f"/staff/audit?target=ticket:{ticket_id}", admin)["items"]
    by_action = {e["action"]: e for e in entries if e["actor"] == ANNA}
    assert by_action["ticket.assigned"]["before"] == {"assignee": None}
    assert by_action["ticket.assigned"]["after"] == {"assignee": ANNA}
    assert by_action["ticket.replied"]["before"] == {"status": "in_progress"}
    assert by_action["ticket.replied"]["after"]["status"] == "waiting_for_customer"
    assert by_action["ticket.viewed"]["after"] == {
        "customer": CUSTOMER,
        "status": "waiting_for_customer",
    }


def test_a_wrong_move_or_a_note_with_a_status_is_refused(client, customer, anna):
    ticket_id = file_ticket(client, customer)
    path = f"/staff/tickets/{ticket_id}"
    assert post(client, f"{path}/status", {"status": "new"}, anna).status_code == 409
    both = {"body": "x", "internal": True, "status": "resolved"}
    answer = post(client, f"{path}/messages", both, anna)
    assert answer.status_code == 400 and "status" in answer.json_body["error"]["fields"]
    assert post(client, f"{path}/assign", {"assignee": "A B"}, anna).status_code == 400


def test_an_unknown_ticket_is_404_on_every_staff_route(client, customer, anna):
    for ticket_id in ("R-2026-999999", "nonsense"):
        path = f"/staff/tickets/{ticket_id}"
        assert client.http.get(path, headers=anna).status_code == 404
        assert post(client, f"{path}/assign", {"assignee": ANNA}, anna).status_code == 404
        assert post(client, f"{path}/messages", {"body": "x"}, anna).status_code == 404
        assert post(client, f"{path}/status", {"status": "resolved"}, anna).status_code == 404


def test_the_queue_is_sorted_by_due_date_filtered_and_paged(client, customer):
    first = file_ticket(client, customer)  # due 2027-01-11
    clock.travel(86400)
    customer = bearer(client, CUSTOMER)  # a new session, a day later
    second = file_ticket(client, customer)  # due 2027-01-12
    water = file_ticket(client, customer, report())  # an operational report: due on receipt
    leak = file_ticket(client, customer, report("leak_or_failure"))
    anna = staff_bearer(client, ANNA, staff_account(ANNA))
    post(client, f"/staff/tickets/{second}/assign", {"assignee": ANNA}, anna)

    assert ids(client, anna) == [water, leak, first, second]
    assert ids(client, anna, "?kind=complaint") == [first, second]
    assert ids(client, anna, "?kind=operational&category=no_water") == [water]
    assert ids(client, anna, "?category=leak_or_failure") == [leak]
    assert ids(client, anna, "?category=other") == []
    assert ids(client, anna, "?status=new") == [water, leak, first, second]
    assert ids(client, anna, f"?assignee={ANNA}") == [second]
    assert ids(client, anna, "?assignee=-") == [water, leak, first]
    assert ids(client, anna, "?assignee=-&kind=complaint") == [first]
    assert ids(client, anna, "?due_by=2027-01-11") == [water, leak, first]
    assert ids(client, anna, "?due_by=2027-01-11&kind=complaint") == [first]
    assert ids(client, anna, "?due_by=2026-12-28") == []
    assert client.http.get("/staff/tickets?due_by=jutro", headers=anna).status_code == 400

    seen, cursor = [], ""
    for _ in range(3):
        page = get(client, f"/staff/tickets?limit=2{cursor}", anna)
        seen += [t["id"] for t in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == [water, leak, first, second]
    bad = client.http.get("/staff/tickets?cursor=garbage", headers=anna)
    assert bad.status_code == 400
    assert client.http.get("/staff/tickets?kind=praise", headers=anna).status_code == 400


def test_staff_see_a_checked_attachment_by_a_short_lived_link(
    client, attached_ticket, drain_queues
):
    ticket_id, _headers = attached_ticket
    answer = ask(client, attached_ticket)
    assert answer.status_code == 201
    upload(answer, JPEG)
    drain_queues()
    anna = staff_bearer(client, ANNA, staff_account(ANNA))
    (attachment,) = get(client, f"/staff/tickets/{ticket_id}", anna)["attachments"]
    assert attachment["state"] == "ready"
    assert attachment["download_url"] and attachment["download_expires_at"]
    assert "tickets/" in attachment["download_url"]


def test_customers_and_staff_without_the_second_factor_are_kept_out(client, customer):
    ticket_id = file_ticket(client, customer)
    assert client.http.get("/staff/tickets", headers=customer).status_code == 403
    path = f"/staff/tickets/{ticket_id}/status"
    assert post(client, path, {"status": "resolved"}, customer).status_code == 403
    staff_account(ANNA)
    pending = staff_bearer(client, ANNA)
    answer = client.http.get(f"/staff/tickets/{ticket_id}", headers=pending)
    assert answer.status_code == 401
    assert answer.json_body["error"]["code"] == "second_factor_required"


def test_a_ticket_is_assigned_only_to_an_active_staff_account(client, customer, anna):
    from chalicelib.models.accounts import Account
    from chalicelib.services.system_accounts import create_system_account
    from tests.factories import PASSWORD

    ticket_id = file_ticket(client, customer)
    path = f"/staff/tickets/{ticket_id}/assign"
    create_system_account("billing-system", "it@wodociagi.example", PASSWORD, "integration")
    staff_account("jan-lis")
    Account(*Account.key("jan-lis")).update(actions=[Account.status.set("deactivated")])
    for assignee in ("nie-ma-takiego", "billing-system", "jan-lis"):
        refused = post(client, path, {"assignee": assignee}, anna)
        assert refused.status_code == 400, assignee
        message = refused.json_body["error"]["fields"]["assignee"]
        assert message == "Nie ma aktywnego konta pracownika o tym loginie. Sprawdź login."
    assert get(client, f"/staff/tickets/{ticket_id}", anna)["assignee"] is None
    staff_account(EWA, "admin")
    assert post(client, path, {"assignee": EWA}, anna).json_body["assignee"] == EWA
