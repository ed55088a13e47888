"""The staff's back office: a customer's file (reading it is audited), deactivation (the
start of the 14-day termination, audited), import reports, the audit log (admins only)."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib import aws
from chalicelib.settings import get_settings
from tests.factories import (
    PASSWORD,
    active_account,
    bearer,
    customer_line,
    import_lines,
    post,
    staff_account,
    staff_bearer,
)

SECRETS = ("password", "hash", "token", "totp", "secret")


def staff(client, login="anna-nowak", role="staff"):
    return staff_bearer(client, login, staff_account(login, role))


def audit_entries(client, headers, **query):
    text = "&".join(f"{k}={v}" for k, v in query.items())
    response = client.http.get(f"/staff/audit?{text}", headers=headers)
    assert response.status_code == 200, response.body
    return response.json_body["items"]


def test_a_customer_file_shows_no_secret_and_its_reading_is_audited(client, outbox):
    active_account(client, outbox, "100200")
    bearer(client, "100200")  # a login to show
    anna = staff(client)
    response = client.http.get("/staff/customers/100200", headers=anna)
    assert response.status_code == 200, response.body
    body = response.json_body
    assert body["account"]["login"] == "100200" and body["account"]["status"] == "active"
    assert body["customer"]["name"]
    assert body["logins"][0]["result"] == "success"
    text = response.body.decode().lower()
    assert not any(word in text for word in SECRETS)
    admin = staff(client, "ewa-admin", "admin")
    (entry,) = audit_entries(client, admin, target="customer:100200")
    assert entry["actor"] == "anna-nowak" and entry["action"] == "customer.viewed"
    assert client.http.get("/staff/customers/999999", headers=anna).status_code == 404


def test_a_customer_file_lists_the_customers_tickets_newest_first(client, outbox):
    active_account(client, outbox, "100200")
    customer = bearer(client, "100200")
    filed = []
    for text in ("Brak wody od rana.", "Niskie ciśnienie wieczorem."):
        body = {"kind": "operational", "category": "no_water", "description": text}
        answer = post(client, "/tickets", body, customer)
        assert answer.status_code == 201, answer.body
        filed.append(answer.json_body["id"])
    body = client.http.get("/staff/customers/100200", headers=staff(client)).json_body
    assert [t["id"] for t in body["tickets"]] == filed[::-1]
    assert body["tickets"][0]["customer"] == "100200"


def test_staff_me_says_who_is_logged_in_and_their_role(client, outbox):
    anna = staff(client)
    me = client.http.get("/staff/me", headers=anna)
    assert me.status_code == 200, me.body
    assert me.json_body == {
        "login": "anna-nowak",
        "email": "anna-nowak@wodociagi.example",
        "role": "staff",
        "idle_timeout_minutes": get_settings().staff_session_idle_minutes,
    }
    admin = staff(client, "ewa-admin", "admin")
    assert client.http.get("/staff/me", headers=admin).json_body["role"] == "admin"
    pending = staff_bearer(client, "anna-nowak")
    refused = client.http.get("/staff/me", headers=pending)
    assert refused.json_body["error"]["code"] == "second_factor_required"
    active_account(client, outbox, "100200")
    assert client.http.get("/staff/me", headers=bearer(client, "100200")).status_code == 403


def test_deactivation_ends_sessions_starts_the_termination_and_is_audited(client, outbox):
    active_account(client, outbox, "100200")
    customer = bearer(client, "100200")
    anna = staff(client)
    response = post(client, "/staff/customers/100200/deactivate", {"reason": "Wniosek."}, anna)
    assert response.status_code == 200, response.body
    body = response.json_body
    assert body["status"] == "deactivated"
    started = datetime.fromisoformat(body["termination_started_at"])
    assert datetime.fromisoformat(body["termination_ends_at"]) - started == timedelta(days=14)
    assert client.http.get("/me", headers=customer).status_code == 401
    login = post(client, "/auth/login", {"login": "100200", "password": PASSWORD})
    assert login.status_code == 401
    again = post(client, "/staff/customers/100200/deactivate", {}, anna)
    assert again.status_code == 409
    admin = staff(client, "ewa-admin", "admin")
    entries = audit_entries(client, admin, target="customer:100200")
    (deactivated,) = [e for e in entries if e["action"] == "customer.deactivated"]
    assert deactivated["actor"] == "anna-nowak"
    assert deactivated["before"] == {"status": "active"}
    assert deactivated["after"]["status"] == "deactivated"
    assert deactivated["after"]["reason"] == "Wniosek."
    assert deactivated["after"]["termination_started_at"] == body["termination_started_at"]
    view = client.http.get("/staff/customers/100200", headers=anna).json_body
    assert view["account"]["termination_started_at"] == body["termination_started_at"]


def test_import_reports_newest_first_in_pages(client):
    import_lines([customer_line("100200")])
    s3 = aws.client("s3")
    bucket = get_settings().data_bucket
    for name in ("a", "b", "c"):
        s3.put_object(Bucket=bucket, Key=f"imports/{name}.jsonl.report.json", Body=b"{}")
    s3.put_object(Bucket=bucket, Key="imports/d.jsonl", Body=b"")
    anna = staff(client)
    first = client.http.get("/staff/imports?limit=2", headers=anna).json_body
    second = client.http.get(
        f"/staff/imports?limit=2&cursor={first['next_cursor']}", headers=anna
    ).json_body
    keys = [r["key"] for r in first["items"] + second["items"]]
    assert all(key.endswith(".report.json") for key in keys)
    assert {"imports/a.jsonl.report.json", "imports/c.jsonl.report.json"} <= set(keys)
    times = [r["written_at"] for r in first["items"] + second["items"]]
    assert times == sorted(times, reverse=True)


def test_the_audit_log_is_for_admins_only(client):
    anna = staff(client)
    assert client.http.get("/staff/audit", headers=anna).status_code == 403
    admin = staff(client, "ewa-admin", "admin")
    today = audit_entries(client, admin)
    assert {e["action"] for e in today} >= {"staff.created"}
