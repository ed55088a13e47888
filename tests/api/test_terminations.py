"""§7 termination (services/termination.py, jobs/terminations.py) with a controllable
clock: the notice on day 0, access until day 14, closed after; a withdrawn resignation;
staff deactivation and an ended contract; and a walk of every table after closure."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from chalice.local import LambdaEventConverter

from chalicelib import aws, clock
from chalicelib.jobs.terminations import terminations
from chalicelib.settings import get_settings
from chalicelib.storage import accounts as accounts_store
from chalicelib.storage import billing
from tests.factories import (
    PASSWORD,
    active_account,
    bearer,
    customer_line,
    import_lines,
    invoice_line,
    post,
    register_body,
    staff_account,
    staff_bearer,
)

CUSTOMER = "100200"
EMAIL = f"jan.{CUSTOMER}@example.pl"
IP = "198.51.100.23"
AGENT = "PrzegladarkaTestowa/9.9"
DESCRIPTION = "Licznik Jana Kowalskiego przy ul. Tajnej 7 cieknie."
MESSAGE = "Dzwonić po 17, pytać o Jana."
STREET = "ul. Tajna 7"
NEW_EMAIL = "nowy.adres.jana@example.pl"


def delete_me(client, headers, password=PASSWORD):
    return client.http.delete(
        "/me",
        headers={"Content-Type": "application/json", **headers},
        body=json.dumps({"password": password}),
    )


def login(client, password=PASSWORD):
    return post(
        client,
        "/auth/login",
        {"login": CUSTOMER, "password": password, "session": "bearer"},
        {"User-Agent": AGENT},
    )


def session(client):
    answer = login(client)
    assert answer.status_code == 200, answer.body
    return {"Authorization": f"Bearer {answer.json_body['token']}"}


def run_terminations(drain_queues):
    queued = terminations()
    drain_queues()
    return queued


@pytest.fixture
def customer(client, outbox, monkeypatch):
    clock.travel_to(datetime(2026, 12, 1, 9, tzinfo=UTC))
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", IP)
    active_account(client, outbox, CUSTOMER)
    answer = login(client)
    assert answer.status_code == 200
    return {"Authorization": f"Bearer {answer.json_body['token']}"}


def test_a_resignation_is_noticed_on_day_0_and_closes_on_day_14(
    client, customer, outbox, drain_queues
):
    answer = delete_me(client, customer)
    assert answer.status_code == 202, answer.body
    assert answer.json_body == {
        "reason": "resignation",
        "started_on": "2026-12-01",
        "closing_on": "2026-12-15",
        "withdrawable": True,
    }
    notice = outbox.last_to(EMAIL)
    assert notice["subject"] == "Zamknięcie konta w IBOK"
    assert "15.12.2026" in notice["text"] and "e-faktury" in notice["text"]
    mails = len(outbox.messages())
    assert delete_me(client, customer).status_code == 409  # one resignation at a time

    clock.travel_to(datetime(2026, 12, 14, 9, tzinfo=UTC))  # day 13: access as before
    run_terminations(drain_queues)
    customer = session(client)
    me = client.http.get("/me", headers=customer)
    assert me.status_code == 200
    assert me.json_body["termination"]["closing_on"] == "2026-12-15"
    assert len(outbox.messages()) == mails  # the notice went out once

    clock.travel_to(datetime(2026, 12, 15, 4, tzinfo=UTC))  # day 14: the job closes it
    assert run_terminations(drain_queues).items["close"] == 1
    assert client.http.get("/me", headers=customer).status_code == 401
    assert login(client).status_code == 401
    assert accounts_store.get_account(CUSTOMER) is None
    assert run_terminations(drain_queues).items["close"] == 0  # left the index


def test_a_wrong_password_does_not_resign(client, customer):
    answer = delete_me(client, customer, "Zle-Haslo-123456")
    assert answer.status_code == 400
    assert client.http.get("/me", headers=customer).json_body["termination"] is None


def test_a_withdrawn_resignation_restores_the_account(client, customer, outbox, drain_queues):
    assert delete_me(client, customer).status_code == 202
    clock.travel_to(datetime(2026, 12, 10, 9, tzinfo=UTC))
    customer = session(client)
    answer = post(client, "/me/resignation/withdraw", {}, customer)
    assert answer.status_code == 200, answer.body
    assert answer.json_body["termination"] is None
    assert post(client, "/me/resignation/withdraw", {}, customer).status_code == 409
    clock.travel_to(datetime(2026, 12, 16, 4, tzinfo=UTC))
    assert run_terminations(drain_queues).items["close"] == 0
    assert client.http.get("/me", headers=session(client)).json_body["email"] == EMAIL


def test_staff_deactivation_is_noticed_closes_on_day_14_and_cannot_be_withdrawn(
    client, customer, outbox, drain_queues
):
    secret = staff_account()
    staff = staff_bearer(client, secret=secret)
    answer = post(client, f"/staff/customers/{CUSTOMER}/deactivate", {"reason": "x"}, staff)
    assert answer.status_code == 200, answer.body
    notice = outbox.last_to(EMAIL)
    assert "dezaktywowane" in notice["text"] and "15.12.2026" in notice["text"]
    assert login(client).status_code == 401  # deactivation ends access at once (issue 12)
    clock.travel_to(datetime(2026, 12, 15, 4, tzinfo=UTC))
    assert run_terminations(drain_queues).items["close"] == 1
    # a closed account of a deactivated customer cannot be registered again
    stored = aws.client("dynamodb").get_item(
        TableName=get_settings().accounts_table,
        Key={"pk": {"S": f"ACCOUNT#{CUSTOMER}"}, "sk": {"S": "ACCOUNT"}},
    )["Item"]
    assert stored["status"]["S"] == "closed" and "email" not in stored
    assert stored["termination_reason"]["S"] == "deactivation"


def test_an_ended_contract_starts_the_termination_once(client, customer, outbox, drain_queues):
    import_lines(
        [customer_line(CUSTOMER, contract_status="terminated", contract_ended_on="2026-12-03")],
        key="imports/ended.jsonl",
    )
    clock.travel_to(datetime(2026, 12, 3, 4, tzinfo=UTC))
    assert run_terminations(drain_queues).items["contract_ended"] == 1
    notice = outbox.last_to(EMAIL)
    assert "umowa" in notice["text"] and "17.12.2026" in notice["text"]
    mails = len(outbox.messages())
    run_terminations(drain_queues)  # the same day again: nothing twice
    clock.travel_to(datetime(2026, 12, 4, 4, tzinfo=UTC))
    run_terminations(drain_queues)  # still listed the next day: already running
    assert len(outbox.messages()) == mails
    customer = session(client)
    me = client.http.get("/me", headers=customer).json_body
    assert me["termination"] == {
        "reason": "contract_ended",
        "started_on": "2026-12-03",
        "closing_on": "2026-12-17",
        "withdrawable": False,
    }
    assert post(client, "/me/resignation/withdraw", {}, customer).status_code == 409


def test_a_contract_reported_ended_months_late_still_starts_the_termination(
    client, customer, outbox, drain_queues
):
    # The billing system reports in December a contract that ended in June: the job reads
    # back 30 days, so the line is listed under the import's day, and the 14 days of §7
    # count from the notice.
    import_lines(
        [customer_line(CUSTOMER, contract_status="terminated", contract_ended_on="2026-06-30")],
        key="imports/ended-late.jsonl",
    )
    clock.travel_to(datetime(2026, 12, 2, 4, tzinfo=UTC))
    assert run_terminations(drain_queues).items["contract_ended"] == 1
    assert "16.12.2026" in outbox.last_to(EMAIL)["text"]
    me = client.http.get("/me", headers=session(client)).json_body
    assert me["termination"]["started_on"] == "2026-12-02"
    assert me["termination"]["closing_on"] == "2026-12-16"
    # The customer's record still says when the contract ended.
    assert billing.customer(CUSTOMER).contract_ended_on == date(2026, 6, 30)
    # Handled, it is off the index: the next days' runs do not list it again.
    clock.travel_to(datetime(2026, 12, 3, 4, tzinfo=UTC))
    assert run_terminations(drain_queues).items["contract_ended"] == 0


def test_a_resignation_withdrawn_after_the_contract_ended_gives_way_to_the_contracts_end(
    client, customer, outbox, drain_queues
):
    """The customer resigned; then the contract ended (the job found the account's
    termination running and took the contract off its list); withdrawing the resignation
    does not keep the account: the contract's termination starts at once."""
    assert delete_me(client, customer).status_code == 202
    import_lines(
        [customer_line(CUSTOMER, contract_status="terminated", contract_ended_on="2026-12-02")],
        key="imports/ended-meanwhile.jsonl",
    )
    clock.travel_to(datetime(2026, 12, 2, 4, tzinfo=UTC))
    run_terminations(drain_queues)
    assert run_terminations(drain_queues).items["contract_ended"] == 0  # taken off
    clock.travel_to(datetime(2026, 12, 4, 9, tzinfo=UTC))
    headers = session(client)
    answer = post(client, "/me/resignation/withdraw", {}, headers)
    assert answer.status_code == 200, answer.body
    assert answer.json_body["termination"] == {
        "reason": "contract_ended",
        "started_on": "2026-12-04",
        "closing_on": "2026-12-18",
        "withdrawable": False,
    }
    assert "18.12.2026" in outbox.last_to(EMAIL)["text"]


def activate_after(client, outbox, number, ended_on):
    """Import a customer whose contract ends on `ended_on`, then register and activate."""
    import_lines(
        [
            customer_line(number, contract_status="terminated", contract_ended_on=ended_on),
            invoice_line("FV/2026/10/0001", number),
        ],
        key=f"imports/{number}.jsonl",
    )
    body = register_body(number)
    assert post(client, "/auth/register", body).status_code == 201
    token = outbox.token_in_last(body["email"])
    assert post(client, "/auth/activate", {"token": token}).status_code == 200
    return body["email"]


def test_an_account_activated_after_its_contract_ended_gets_its_14_days_from_then(
    client, outbox, drain_queues
):
    clock.travel_to(datetime(2026, 12, 1, 9, tzinfo=UTC))
    email = activate_after(client, outbox, "100300", "2026-09-30")
    notice = outbox.last_to(email)
    assert "umowa" in notice["text"] and "15.12.2026" in notice["text"]
    me = client.http.get("/me", headers=bearer(client, "100300")).json_body
    assert me["termination"] == {
        "reason": "contract_ended",
        "started_on": "2026-12-01",
        "closing_on": "2026-12-15",
        "withdrawable": False,
    }
    mails = len(outbox.messages())
    clock.travel_to(datetime(2026, 12, 2, 4, tzinfo=UTC))
    run_terminations(drain_queues)  # listed under the import's day: already running
    assert len(outbox.messages()) == mails


def test_an_account_activated_before_its_contract_ends_waits_for_the_end_day(
    client, outbox, drain_queues
):
    clock.travel_to(datetime(2026, 12, 1, 9, tzinfo=UTC))
    activate_after(client, outbox, "100301", "2026-12-20")
    headers = bearer(client, "100301")
    assert client.http.get("/me", headers=headers).json_body["termination"] is None
    clock.travel_to(datetime(2026, 12, 20, 4, tzinfo=UTC))
    assert run_terminations(drain_queues).items["contract_ended"] == 1
    me = client.http.get("/me", headers=bearer(client, "100301")).json_body
    assert me["termination"]["started_on"] == "2026-12-20"


class BrokenMailer:
    def send(self, template, to, context):
        raise RuntimeError("SES unavailable")


def test_a_notice_that_failed_is_sent_by_the_job(client, customer, outbox, drain_queues):
    from chalicelib.services import collaborators

    with collaborators.using(mailer=BrokenMailer()):
        assert delete_me(client, customer).status_code == 202  # the resignation stands
    assert "Zamknięcie" not in json.dumps([m["subject"] for m in outbox.messages()])
    assert run_terminations(drain_queues).items["notice"] == 1
    assert outbox.last_to(EMAIL)["subject"] == "Zamknięcie konta w IBOK"
    assert run_terminations(drain_queues).items["notice"] == 0


def _every_item() -> dict[str, list[dict]]:
    """Every item of every table of the stage (a test-only Scan)."""
    dynamodb = aws.client("dynamodb")
    settings = get_settings()
    found = {}
    for table in (
        settings.accounts_table,
        settings.billing_table,
        settings.service_table,
        settings.audit_table,
    ):
        items = []
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            items.extend(page["Items"])
        found[table] = items
    assert set(found) == set(dynamodb.list_tables()["TableNames"])  # none left out
    return found


def personal_extras(client, headers, outbox, drain_queues):
    """Before closure: SMS consent (the phone is the registration's) and an SMS notice
    recorded, a pending e-mail change, and the address suppressed by an SES bounce."""
    from chalicelib.jobs.new_invoices import new_invoices
    from chalicelib.services.notifications import page
    from tests.api.test_notification_jobs import patch_me, ses_bounce

    assert patch_me(client, CUSTOMER, {"consents": {"sms_notices": True}}).status_code == 200
    assert new_invoices().items == {"notify": 1}  # the registration's invoice, imported today
    drain_queues()
    assert [m["channel"] for m in outbox.messages() if m.get("channel") == "sms"] == ["sms"]
    assert "sms" in next(n.channels for n in page(CUSTOMER, 10).items if n.kind == "new_invoice")
    change = {"email": NEW_EMAIL, "current_password": PASSWORD}
    assert patch_me(client, CUSTOMER, change).json_body["pending_email"] == NEW_EMAIL
    ses_bounce(client, EMAIL)
    suppressed = accounts_store.get_account(CUSTOMER)
    assert suppressed.email_suppressed and suppressed.pending_email == NEW_EMAIL


def test_after_closure_no_personal_field_remains_and_billing_data_stays(
    client, customer, outbox, drain_queues, monkeypatch
):
    ticket = post(
        client,
        "/tickets",
        {
            "kind": "operational",
            "category": "leak_or_failure",
            "description": DESCRIPTION,
            "phone": "601 234 567",
            "location": {"street": STREET, "postal_code": "41-700", "city": "Ruda Śląska"},
        },
        customer,
    )
    assert ticket.status_code == 201, ticket.body
    ticket_id = ticket.json_body["id"]
    message = post(client, f"/tickets/{ticket_id}/messages", {"body": MESSAGE}, customer)
    assert message.status_code == 201, message.body
    password_hash = accounts_store.get_account(CUSTOMER).password_hash
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", "192.0.2.1")  # the office
    secret = staff_account()
    staff = staff_bearer(client, secret=secret)
    reply = post(client, f"/staff/tickets/{ticket_id}/messages", {"body": MESSAGE + " OK"}, staff)
    assert reply.status_code in (200, 201), reply.body
    personal_extras(client, customer, outbox, drain_queues)
    assert delete_me(client, customer).status_code == 202
    clock.travel_to(datetime(2026, 12, 15, 4, tzinfo=UTC))
    run_terminations(drain_queues)

    personal = [EMAIL, "601234567", "601 234 567", password_hash, IP, AGENT]
    personal += [DESCRIPTION, MESSAGE, STREET, "Tajnej", NEW_EMAIL, "48601234567"]
    billing_only = ["Klient 100200", "ul. Wodna 1"]  # the billing system's own record
    tables = _every_item()
    # Moto runs no TTL: an item whose `expires_at` passed two days ago or more (DynamoDB
    # deletes within about 48 hours) is gone on AWS: the per-source throttle counters.
    gone = int(clock.now().timestamp()) - 2 * 86400
    for table, items in tables.items():
        for item in items:
            if "expires_at" in item and int(item["expires_at"]["N"]) < gone:
                continue
            text = json.dumps(item, ensure_ascii=False)
            found = [value for value in personal if value in text]
            assert found == [], (table, item)
            imported = table == get_settings().billing_table and "body" in item
            if not imported:
                assert [v for v in billing_only if v in text] == [], (table, item)
    billing = tables[get_settings().billing_table]
    kept = {item["sk"]["S"] for item in billing if item["pk"]["S"] == f"CUSTOMER#{CUSTOMER}"}
    assert {"PROFILE", "LEDGER#INVOICE#FV/2026/10/0001"} <= kept
    service = tables[get_settings().service_table]
    (record,) = [
        i for i in service if i["pk"]["S"] == f"TICKET#{ticket_id}" and i["sk"]["S"] == "TICKET"
    ]
    assert record["category"]["S"] == "leak_or_failure"  # the complaint record stays
    accounts = tables[get_settings().accounts_table]
    # Only the tombstone and the consent proof are left of the account's partition: no
    # notification record (the activation e-mail and the staff's reply made some) and no
    # mark of their keys.
    left = sorted(i["sk"]["S"] for i in accounts if i["pk"]["S"] == f"ACCOUNT#{CUSTOMER}")
    assert left[0] == "ACCOUNT" and [k.split("#")[0] for k in left[1:]] == ["CONSENT_PROOF"]
    (tombstone,) = [
        i for i in accounts if i["pk"]["S"] == f"ACCOUNT#{CUSTOMER}" and i["sk"]["S"] == "ACCOUNT"
    ]
    assert tombstone["status"]["S"] == "closed"
    assert {c["M"]["kind"]["S"] for c in tombstone["consents"]["L"]} == {
        "email_notices",
        "sms_notices",
    }  # the proof of consents: kind, decision, text version, time


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 300
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 300


def test_closure_deletes_attachment_files_and_payment_e_mails(
    client, customer, bucket_events, drain_queues
):
    from chalicelib.ids import encode_id
    from chalicelib.models.billing import BillingItem
    from chalicelib.models.payments import OnlinePayment

    drain_queues()  # the seeded batch's import
    body = {"kind": "operational", "category": "no_water", "description": DESCRIPTION}
    ticket_id = post(client, "/tickets", body, customer).json_body["id"]
    path = f"/tickets/{ticket_id}/attachments"
    for name, content in (("licznik.png", PNG), ("zly.png", EXE), ("nigdy.png", None)):
        answer = post(
            client, path, {"name": name, "content_type": "image/png", "size": 316}, customer
        )
        assert answer.status_code == 201, answer.body
        if content is not None:
            fields = answer.json_body["upload"]["fields"]
            aws.client("s3").put_object(
                Bucket=get_settings().data_bucket,
                Key=fields["key"],
                Body=content,
                ContentType=fields["Content-Type"],
            )
    drain_queues()  # the upload check: one to tickets/, one to quarantine
    order = post(client, "/payments", {"invoices": [encode_id("FV/2026/10/0001")]}, customer)
    assert order.status_code == 201, order.body
    order_id = order.json_body["order_id"]

    def files() -> list[str]:
        listed = aws.client("s3").list_objects_v2(Bucket=get_settings().data_bucket)
        return [o["Key"] for o in listed.get("Contents", []) if ticket_id in o["Key"]]

    assert len(files()) == 2
    assert delete_me(client, customer).status_code == 202
    clock.travel_to(datetime(2026, 12, 15, 4, tzinfo=UTC))
    run_terminations(drain_queues)
    assert files() == []
    kept = OnlinePayment.get(BillingItem.partition(CUSTOMER), OnlinePayment.sort_key(order_id))
    assert kept.email is None and kept.amount > 0  # the order stays, without the address


def test_the_consent_proof_outlives_a_new_registration_of_the_number(
    client, customer, outbox, drain_queues
):
    """Closure keeps the consent decisions and terms acceptances in an item of their own:
    registering the same customer number again replaces the tombstone, not the proof."""
    from chalicelib.models.accounts import ConsentProof

    before = accounts_store.get_account(CUSTOMER)
    decisions = [(c.kind, c.granted, c.text_version) for c in before.consents]
    assert decisions  # the registration's decisions
    assert delete_me(client, customer).status_code == 202
    clock.travel_to(datetime(2026, 12, 15, 4, tzinfo=UTC))
    run_terminations(drain_queues)
    assert accounts_store.get_account(CUSTOMER) is None

    active_account(client, outbox, CUSTOMER)  # the customer comes back
    assert accounts_store.get_account(CUSTOMER).status == "active"
    (proof,) = ConsentProof.query(
        f"ACCOUNT#{CUSTOMER}", ConsentProof.sk.startswith("CONSENT_PROOF#")
    )
    assert [(c.kind, c.granted, c.text_version) for c in proof.consents] == decisions
    assert proof.closed_at.date().isoformat() == "2026-12-15"
    assert not hasattr(proof, "email") and not hasattr(proof, "phone")


def test_after_closure_the_export_is_refused_and_no_login_gives_it(
    client, customer, outbox, drain_queues
):
    """§7: the closed account's session is gone, so is its copy of the data: GET /me/export
    answers 401 with the old session, and a fresh login fails."""
    assert client.http.get("/me/export", headers=customer).status_code == 200
    assert delete_me(client, customer).status_code == 202
    clock.travel_to(datetime(2026, 12, 15, 4, tzinfo=UTC))
    assert run_terminations(drain_queues).items["close"] == 1
    answer = client.http.get("/me/export", headers=customer)
    assert answer.status_code == 401, answer.body
    assert EMAIL not in answer.body.decode("utf-8")
    assert login(client).status_code == 401
