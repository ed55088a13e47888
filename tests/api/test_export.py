"""GET /me/export: every kind of personal record the portal keeps about the customer is in
it, nothing of another customer, no credential, no internal note; a downloadable file."""

from __future__ import annotations

import json

from chalicelib import clock
from chalicelib.domain.tokens import token_hash
from chalicelib.services import terms
from tests.api.test_isolation import MINE, THEIRS, TICKETS, call, orders, two_customers
from tests.api.test_notification_jobs import ses_bounce
from tests.factories import PASSWORD, post, staff_account, staff_bearer
from tests.roundtrips import count_dynamodb_calls

__all__ = ["orders", "two_customers"]  # the fixtures, used below


def personal_records(client, headers, customer):
    """One more of each kind the fixture does not add: a consent decision in the profile, a
    failed login, an accepted newer terms version, a submitted reading, a staff reply and
    an internal note (which must stay out), a customer's message, a ticket attachment, a
    session from a browser of its own and a pending e-mail change (the fixture's online
    payment gave the provider the account's e-mail; the test bounces the address last)."""
    patch = client.http.request(
        "PATCH",
        "/me",
        headers={"Content-Type": "application/json", **headers},
        body=json.dumps({"consents": {"sms_notices": True}}).encode(),
    )
    assert patch.status_code == 200, patch.body
    failed = post(client, "/auth/login", {"login": customer, "password": "zle-haslo-123456"})
    assert failed.status_code == 401
    assert post(client, "/me/terms/accept", {"version": "2026-12"}, headers).status_code == 200
    reading = call(client, "POST", f"/meters/W{customer}/readings", headers, {"value": "11"})
    assert reading.status_code == 201, reading.body
    ticket = TICKETS[customer]
    said = call(client, "POST", f"/tickets/{ticket}/messages", headers, {"body": f"Od {customer}."})
    assert said.status_code == 201, said.body
    attachment = {"name": f"licznik-{customer}.jpg", "content_type": "image/jpeg", "size": 4321}
    asked = call(client, "POST", f"/tickets/{ticket}/attachments", headers, attachment)
    assert asked.status_code == 201, asked.body
    login = client.http.post(
        "/auth/login",
        headers={"Content-Type": "application/json", "User-Agent": f"Przegladarka/{customer}"},
        body=json.dumps({"login": customer, "password": PASSWORD, "session": "bearer"}),
    )
    assert login.status_code == 200, login.body
    change = {"email": f"nowy.{customer}@example.pl", "current_password": PASSWORD}
    patch = client.http.request(
        "PATCH",
        "/me",
        headers={"Content-Type": "application/json", **headers},
        body=json.dumps(change).encode(),
    )
    assert patch.status_code == 200, patch.body
    return login.json_body["token"]


def test_the_export_holds_every_personal_record_of_the_customer_and_nothing_else(
    client, two_customers, orders
):
    terms.publish(
        "operator", terms.NewVersion("2026-12", "Regulamin", "§1. Nowa wersja.", clock.now())
    )
    staff = staff_bearer(client, "anna-nowak", staff_account("anna-nowak"))
    tokens = {}
    for customer in (MINE, THEIRS):
        tokens[customer] = personal_records(client, two_customers[customer], customer)
        path = f"/staff/tickets/{TICKETS[customer]}/messages"
        for body in (
            {"body": f"Odpowiedź dla {customer}.", "internal": False},
            {"body": f"NOTATKA-WEWNĘTRZNA {customer}", "internal": True},
        ):
            assert post(client, path, body, staff).status_code == 201
        ses_bounce(client, f"jan.{customer}@example.pl")

    answer = client.http.get("/me/export", headers=two_customers[MINE])
    assert answer.status_code == 200, answer.body
    disposition = answer.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="ibok-moje-dane-100200-2026-11-20.json"'
    assert answer.headers["Cache-Control"].startswith("no-store")
    data = answer.json_body

    account = data["account"]
    assert (account["login"], account["email"]) == (MINE, f"jan.{MINE}@example.pl")
    assert account["phone"] and account["name"] and account["service_address"]
    assert [t["version"] for t in data["terms"]] == ["2026-11-01", "2026-12"]
    assert [(c["kind"], c["granted"], c["source"]) for c in data["consents"]] == [
        ("email_notices", True, "registration"),
        ("sms_notices", False, "registration"),
        ("sms_notices", True, "profile"),
    ]
    results = sorted(e["result"] for e in data["login_history"])
    assert "success" in results and "failure" in results
    # The activation e-mail, the staff's reply and the e-mail change's confirmation link
    # and notice to the old address (all before it bounced), as the customer's list has them.
    kinds = [n["kind"] for n in data["notifications"]]
    assert sorted(kinds) == sorted(
        ["ticket_update", "email_change_notice", "email_change_confirm", "activation"]
    ), kinds
    listed = client.http.get("/notifications", headers=two_customers[MINE]).json_body["items"]
    assert [(n["kind"], n["title"]) for n in data["notifications"]] == [
        (n["kind"], n["title"]) for n in listed
    ]
    (ticket,) = data["tickets"]
    assert (ticket["id"], ticket["reference"]) == (TICKETS[MINE], "R/2026/000001")
    bodies = [m["body"] for m in ticket["messages"]]
    assert bodies == [f"Od {MINE}.", f"Odpowiedź dla {MINE}."]
    (reading,) = data["readings"]
    assert (reading["meter"], reading["value_m3"]) == (f"W{MINE}", "11.000")
    (payment,) = data["payments"]
    assert payment["order_id"] == orders[MINE]
    assert payment["amount"] == "50.00"
    assert payment["provider_email"] == f"jan.{MINE}@example.pl"
    (attachment,) = ticket["attachments"]
    assert attachment.pop("created_at").startswith("2026-11-20T10:")
    assert attachment == {
        "name": f"licznik-{MINE}.jpg",
        "content_type": "image/jpeg",
        "size": 4321,
        "state": "pending",
    }
    # The fixture's session and the one from a browser of its own, each where it came from.
    agents = sorted(str(s["user_agent"]) for s in data["sessions"])
    assert agents == ["None", f"Przegladarka/{MINE}"], agents  # the test client sends none
    assert all(s["created_at"] and s["last_seen"] and s["ip"] for s in data["sessions"])
    assert account["pending_email"] == f"nowy.{MINE}@example.pl"
    assert account["pending_email_until"].startswith("2026-11-21T10:")  # the link's 24 hours
    suppression = data["email_suppression"]
    assert suppression.pop("at").startswith("2026-11-20T10:")
    assert suppression == {"address": f"jan.{MINE}@example.pl", "reason": "bounce"}

    text = json.dumps(data, ensure_ascii=False)
    for foreign in (THEIRS, orders[THEIRS], TICKETS[THEIRS], "R/2026/000002", "NOTATKA-WEWNĘTRZNA"):
        assert foreign not in text, foreign
    for secret in ("$2b$", "password_hash", "token", "totp", PASSWORD):
        assert secret not in text, secret
    for token in (tokens[MINE], two_customers[MINE]["Authorization"].split()[1]):
        assert token not in text and token_hash(token) not in text


def test_the_export_costs_no_scan(client, two_customers):
    with count_dynamodb_calls() as calls:
        assert client.http.get("/me/export", headers=two_customers[MINE]).status_code == 200
    assert "Scan" not in calls
    # session, account, sessions index and their batch, login history, notifications,
    # billing partition, tickets index, one ticket
    expected = ["UpdateItem", "GetItem", "BatchGetItem"] + ["Query"] * 6
    assert sorted(calls) == sorted(expected), calls
