"""Online payments end to end through the API: start, ITN (valid, repeated, concurrent,
tampered, hostile), forward-only states, security events, internal errors, receipts,
credentials, return, and booking reconciliation."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError
from defusedxml import ElementTree
from pynamodb.exceptions import UpdateError

from chalicelib import aws, clock
from chalicelib.adapters import secrets
from chalicelib.adapters.secrets import SecretError, bluemedia_credentials
from chalicelib.domain.errors import PaymentInProgress
from chalicelib.ids import encode_id
from chalicelib.models.billing import BillingItem
from chalicelib.models.payments import OnlinePayment, PaymentHold
from chalicelib.payments import gateways
from chalicelib.payments.provider import (
    InvalidNotification,
    Notification,
    Redirect,
    StartRequest,
    Transaction,
)
from chalicelib.schemas.payments import MESSAGES, PaymentStart
from chalicelib.services import payments as service
from chalicelib.services import receipts as receipt_service
from chalicelib.services.collaborators import using
from chalicelib.settings import get_settings
from chalicelib.storage import ledger as ledger_storage
from chalicelib.storage import payments as orders
from tests.factories import (
    active_account,
    bearer,
    customer_line,
    import_lines,
    invoice_line,
    post,
)
from tests.unit.test_bluemedia import BOMB, XXE

CUSTOMER, OTHER = "100200", "100300"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def transaction(order, amount, status="SUCCESS", currency="PLN", remote="R1"):
    return (
        f"<transaction><orderID>{order}</orderID><remoteID>{remote}</remoteID>"
        f"<amount>{amount}</amount><currency>{currency}</currency><gatewayID>106</gatewayID>"
        f"<paymentDate>20261120103000</paymentDate><paymentStatus>{status}</paymentStatus>"
        "</transaction>"
    ), [order, remote, amount, currency, "106", "20261120103000", status]


def itn_body(*transactions, service=None, key=None, hash_value=None) -> str:
    real_service, real_key = bluemedia_credentials()
    service = service or real_service
    xml_parts = "".join(t[0] for t in transactions)
    values = [v for t in transactions for v in t[1]]
    signature = hash_value or sha("|".join([service, *values, key or real_key]))
    xml = (
        f"<?xml version='1.0' encoding='UTF-8'?><transactionList><serviceID>{service}</serviceID>"
        f"<transactions>{xml_parts}</transactions><hash>{signature}</hash></transactionList>"
    )
    return "transactions=" + quote(base64.b64encode(xml.encode()).decode(), safe="")


def notify(client, body):
    return client.http.post("/payments/notify/bluemedia", headers=FORM, body=body)


def signed_confirmations(body: bytes) -> dict[str, str]:
    """The confirmations of an answer whose hash holds (computed here by hand)."""
    root = ElementTree.fromstring(body)
    service_id, key = bluemedia_credentials()
    assert root.findtext("serviceID") == service_id
    pairs = [
        (c.findtext("orderID"), c.findtext("confirmation"))
        for c in root.iter("transactionConfirmed")
    ]
    expected = sha("|".join([service_id, *[v for pair in pairs for v in pair], key]))
    assert root.findtext("hash") == expected
    return dict(pairs)


def confirmations(answer) -> dict[str, str]:
    assert answer.status_code == 200, answer.body
    assert answer.headers["Content-Type"].startswith("text/xml")
    return signed_confirmations(answer.body)


def receipts(outbox) -> list[dict]:
    return [m for m in outbox.messages() if m["subject"].startswith("Potwierdzenie płatności")]


@pytest.fixture
def security_events(captured_logs, capsys) -> Callable[[], tuple[list[str], list[str]]]:
    """The kinds of security events so far: (logged, counted as the CloudWatch metric)."""

    def kinds() -> tuple[list[str], list[str]]:
        logged = [
            json.loads(line)["security_event"]
            for line in captured_logs.getvalue().splitlines()
            if '"security_event"' in line
        ]
        counted = [
            record["kind"]
            for record in (
                json.loads(line)
                for line in capsys.readouterr().out.splitlines()
                if line.startswith('{"_aws"')
            )
            if "SecurityEvents" in record
        ]
        return logged, counted

    return kinds


@pytest.fixture
def customer(client, outbox):
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    active_account(client, outbox, CUSTOMER)  # FV/2026/10/0001: 123.45, overdue
    import_lines(
        [
            invoice_line(
                "FV/2026/11/1", CUSTOMER, "80.00", issue_date="2026-11-05", due_date="2026-11-30"
            ),
            customer_line(OTHER),
            invoice_line("FV/OTHER/1", OTHER, "10.80"),
        ],
        key="imports/pay.jsonl",
    )
    return bearer(client, CUSTOMER)


def start(client, headers, **body):
    return post(client, "/payments", body, headers)


def order_item(order_id):
    return OnlinePayment.get(BillingItem.partition(CUSTOMER), OnlinePayment.sort_key(order_id))


def test_start_computes_the_amount_and_signs_the_form(client, customer):
    answer = start(
        client, customer, invoices=[encode_id("FV/2026/10/0001"), encode_id("FV/2026/11/1")]
    )
    assert answer.status_code == 201, answer.body
    body = answer.json_body
    assert body["amount"] == "203.45"
    assert body["status"] == "started"
    order_id = body["order_id"]
    assert order_id.isalnum() and len(order_id) <= 32
    fields = [(f["name"], f["value"]) for f in body["gateway"]["fields"]]
    service, key = bluemedia_credentials()
    values = [v for n, v in fields if n != "Hash"]
    assert [n for n, _ in fields][:3] == ["ServiceID", "OrderID", "Amount"]
    assert dict(fields)["Amount"] == "203.45"
    assert dict(fields)["Hash"] == sha("|".join([*values, key]))
    assert values[0] == service
    stored = order_item(order_id)
    assert [(p.invoice, p.amount) for p in stored.parts] == [
        ("FV/2026/10/0001", 12345),
        ("FV/2026/11/1", 8000),
    ]


def test_overdue_and_own_amount(client, customer):
    overdue = start(client, customer, overdue=True)
    assert overdue.json_body["amount"] == "123.45"
    own = start(client, customer, amount="50,00")
    assert own.status_code == 201 and own.json_body["amount"] == "50.00"


@pytest.mark.parametrize(
    "body",
    [
        {"invoices": [encode_id("FV/2026/11/1")], "amount": "1.00"},  # cannot set the amount
        {"amount": "0,50"},  # below the minimum
        {},
        {"overdue": True, "amount": "20.00"},
        {"invoices": []},
    ],
)
def test_bad_starts_are_400(client, customer, body):
    assert start(client, customer, **body).status_code == 400


def test_another_customers_invoice_is_404(client, customer):
    answer = start(client, customer, invoices=[encode_id("FV/OTHER/1")])
    assert answer.status_code == 404


def paid_order(client, customer):
    order_id = start(client, customer, invoices=[encode_id("FV/2026/10/0001")]).json_body[
        "order_id"
    ]
    answer = notify(client, itn_body(transaction(order_id, "123.45")))
    assert confirmations(answer) == {order_id: "CONFIRMED"}
    return order_id


def test_success_marks_paid_pending_booking_everywhere_and_sends_one_receipt(
    client, customer, outbox
):
    order_id = paid_order(client, customer)
    assert order_item(order_id).status == "paid"
    invoices = {
        i["number"]: i for i in client.http.get("/invoices", headers=customer).json_body["items"]
    }
    assert invoices["FV/2026/10/0001"]["status"] == "paid_pending_booking"
    assert invoices["FV/2026/10/0001"]["overdue"] is False
    balance = client.http.get("/balance", headers=customer).json_body
    assert (balance["balance"], balance["overdue"]) == ("80.00", "0.00")
    history = client.http.get("/payments", headers=customer).json_body["items"]
    assert (history[0]["id"], history[0]["source"], history[0]["status"]) == (
        order_id,
        "online",
        "paid",
    )
    settlements = client.http.get("/settlements", headers=customer).json_body
    assert settlements["items"][0]["kind"] == "online_payment"
    receipts = [m for m in outbox.messages() if m["subject"].startswith("Potwierdzenie płatności")]
    assert len(receipts) == 1 and "Kwota: 123,45\u00a0zł\n" in receipts[0]["text"]
    assert "<strong>123,45\u00a0zł</strong>" in receipts[0]["html"]
    # The same notification again: confirmed, nothing changes, no second receipt.
    again = notify(client, itn_body(transaction(order_id, "123.45")))
    assert confirmations(again) == {order_id: "CONFIRMED"}
    receipts = [m for m in outbox.messages() if m["subject"].startswith("Potwierdzenie płatności")]
    assert len(receipts) == 1


def test_two_concurrent_deliveries_change_the_state_once(
    client, customer, outbox, serial_moto, monkeypatch
):
    order_id = start(client, customer, invoices=[encode_id("FV/2026/10/0001")]).json_body[
        "order_id"
    ]
    # Two correctly signed deliveries of the same payment that differ in remoteID.
    bodies = [itn_body(transaction(order_id, "123.45", remote=r)) for r in ("RA", "RB")]
    barrier = threading.Barrier(2, timeout=10)
    read_pointer = orders.find_order
    advance = orders.advance_order
    state_writes: list[str] = []  # the remoteID of every state write that succeeded

    def together(order):
        pointer = read_pointer(order)
        barrier.wait()  # both have read before either writes
        return pointer

    def counted_advance(pointer, **kwargs):
        result = advance(pointer, **kwargs)
        if result.moved:
            state_writes.append(kwargs["remote_id"])
        return result

    monkeypatch.setattr(orders, "find_order", together)
    monkeypatch.setattr(orders, "advance_order", counted_advance)
    answers: list[bytes] = []
    threads = [
        threading.Thread(
            target=lambda b=body: answers.append(
                service.handle_notification("bluemedia", b.encode(), FORM["Content-Type"])
            )
        )
        for body in bodies
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    monkeypatch.undo()
    assert len(answers) == 2
    assert [signed_confirmations(a) for a in answers] == [{order_id: "CONFIRMED"}] * 2
    assert len(state_writes) == 1  # the status condition let exactly one through
    stored = order_item(order_id)
    assert (stored.status, stored.remote_id) == ("paid", state_writes[0])
    assert len(receipts(outbox)) == 1
    # The loser's payment again, later: still confirmed, and the winner's remoteID stays.
    loser = bodies[1] if state_writes[0] == "RA" else bodies[0]
    assert confirmations(notify(client, loser)) == {order_id: "CONFIRMED"}
    assert order_item(order_id).remote_id == state_writes[0]
    assert len(receipts(outbox)) == 1


@pytest.mark.parametrize(
    ("case", "kind"),
    [
        ("amount", "itn_amount_mismatch"),
        ("currency", "itn_amount_mismatch"),
        ("service", "itn_other_service"),
        ("hash", "itn_bad_hash"),
        ("unknown", "itn_unknown_order"),
        ("comma", "itn_bad_amount"),
        ("one_decimal", "itn_bad_amount"),
    ],
)
def test_tampered_notifications_are_not_confirmed_and_change_nothing(
    client, customer, security_events, case, kind
):
    order_id = start(client, customer, invoices=[encode_id("FV/2026/10/0001")]).json_body[
        "order_id"
    ]
    body = {
        "amount": lambda: itn_body(transaction(order_id, "1.00")),
        "currency": lambda: itn_body(transaction(order_id, "123.45", currency="EUR")),
        "service": lambda: itn_body(transaction(order_id, "123.45"), service="999"),
        "hash": lambda: itn_body(transaction(order_id, "123.45"), hash_value="0" * 64),
        "unknown": lambda: itn_body(transaction("NOSUCHORDER1", "123.45")),
        # Correctly signed, but the amount is not written as the protocol says.
        "comma": lambda: itn_body(transaction(order_id, "123,45")),
        "one_decimal": lambda: itn_body(transaction(order_id, "123.4")),
    }[case]()
    answer = notify(client, body)
    assert set(confirmations(answer).values()) == {"NOTCONFIRMED"}
    stored = order_item(order_id)
    assert (stored.status, stored.remote_id) == ("started", None)
    logged, counted = security_events()
    assert kind in logged
    assert kind in counted


def test_an_amount_of_one_decimal_is_not_read_leniently(client, customer):
    order_id = start(client, customer, amount="20,00").json_body["order_id"]
    for amount in ("20.0", "20,00", "2000"):  # leniently each could be 20.00
        answer = notify(client, itn_body(transaction(order_id, amount)))
        assert confirmations(answer) == {order_id: "NOTCONFIRMED"}
    assert order_item(order_id).status == "started"
    assert confirmations(notify(client, itn_body(transaction(order_id, "20.00")))) == {
        order_id: "CONFIRMED"
    }


def test_nothing_moves_backwards(client, customer):
    order_id = paid_order(client, customer)
    for status in ("SUCCESS", "FAILURE", "PENDING"):
        answer = notify(
            client, itn_body(transaction(order_id, "123.45", status=status, remote="R2"))
        )
        assert confirmations(answer) == {order_id: "CONFIRMED"}
        stored = order_item(order_id)
        assert (stored.status, stored.remote_id) == ("paid", "R1")


def test_pending_then_failure(client, customer):
    order_id = start(client, customer, amount="20,00").json_body["order_id"]
    notify(client, itn_body(transaction(order_id, "20.00", status="PENDING")))
    assert order_item(order_id).status == "pending"
    notify(client, itn_body(transaction(order_id, "20.00", status="FAILURE")))
    assert order_item(order_id).status == "failed"
    detail = client.http.get(f"/payments/{order_id}", headers=customer).json_body
    assert detail["status"] == "failed" and "nie powiodła" in detail["message"]


@pytest.mark.parametrize(
    "body",
    [
        "transactions=" + quote(base64.b64encode(BOMB.encode()).decode(), safe=""),
        "transactions=" + quote(base64.b64encode(XXE.encode()).decode(), safe=""),
        "transactions=!!!",
        "transactions=" + base64.b64encode(b"<x").decode(),
        "nothing=here",
        "",
    ],
)
def test_hostile_notifications_are_400_never_500(client, customer, body):
    answer = notify(client, body)
    assert answer.status_code == 400, answer.body
    assert answer.json_body["error"]["code"] == "invalid_input"


def test_a_deeply_nested_notification_is_refused_without_a_traceback(
    client, customer, captured_logs
):
    service_id, _ = bluemedia_credentials()
    deep = "<a>" * 5000 + "x" + "</a>" * 5000
    xml = (
        f"<?xml version='1.0' encoding='UTF-8'?><transactionList><serviceID>{service_id}"
        f"</serviceID><transactions><transaction>{deep}</transaction></transactions>"
        f"<hash>{'0' * 64}</hash></transactionList>"
    )
    answer = notify(client, "transactions=" + quote(base64.b64encode(xml.encode()).decode()))
    assert answer.status_code in (200, 400), answer.body
    if answer.status_code == 200:
        assert set(confirmations(answer).values()) <= {"NOTCONFIRMED"}
    logged = captured_logs.getvalue()
    assert "Traceback" not in logged and "RecursionError" not in logged
    assert len(logged.splitlines()) < 10


def test_return_tells_what_to_show(client, customer):
    order_id = start(client, customer, amount="20,00").json_body["order_id"]
    service, key = bluemedia_credentials()
    query = f"ServiceID={service}&OrderID={order_id}&Hash={sha(f'{service}|{order_id}|{key}')}"
    pending = client.http.get(f"/payments/return/bluemedia?{query}").json_body
    assert pending["status"] == "pending"
    notify(client, itn_body(transaction(order_id, "20.00")))
    assert client.http.get(f"/payments/return/bluemedia?{query}").json_body["status"] == "paid"
    forged = client.http.get(f"/payments/return/bluemedia?{query[:-4]}0000")
    assert forged.status_code == 404


def test_booking_reconciles_the_online_payment(client, customer):
    order_id = paid_order(client, customer)
    import_lines(
        [
            {
                "type": "payment",
                "id": "WB/1",
                "customer_number": CUSTOMER,
                "paid_on": "2026-11-21",
                "amount": "123.45",
                "method": "online",
                "online_order": order_id,
                "allocations": [{"invoice": "FV/2026/10/0001", "amount": "123.45"}],
            }
        ],
        key="imports/booked.jsonl",
    )
    balance = client.http.get("/balance", headers=customer).json_body
    assert balance["balance"] == "80.00"  # counted once
    history = client.http.get("/payments", headers=customer).json_body["items"]
    online = next(p for p in history if p["id"] == order_id)
    assert online["status"] == "booked"
    invoices = {
        i["number"]: i for i in client.http.get("/invoices", headers=customer).json_body["items"]
    }
    assert invoices["FV/2026/10/0001"]["status"] == "paid"
    settlements = client.http.get("/settlements", headers=customer).json_body["items"]
    assert [e["kind"] for e in settlements].count("online_payment") == 0


def test_another_customers_payment_is_404(client, customer, outbox):
    order_id = start(client, customer, amount="20,00").json_body["order_id"]
    active_account(client, outbox, OTHER)
    other = bearer(client, OTHER)
    assert client.http.get(f"/payments/{order_id}", headers=other).status_code == 404
    assert client.http.get("/payments/..%2Fx", headers=customer).status_code == 404


def test_a_notification_without_optional_fields_is_applied(client, customer):
    order_id = start(client, customer, amount="20,00").json_body["order_id"]
    bare = (
        f"<transaction><orderID>{order_id}</orderID><amount>20.00</amount>"
        "<currency>PLN</currency><paymentStatus>PENDING</paymentStatus></transaction>",
        [order_id, "20.00", "PLN", "PENDING"],
    )
    assert confirmations(notify(client, itn_body(bare))) == {order_id: "CONFIRMED"}
    assert order_item(order_id).status == "pending"


def throttled() -> ClientError:
    return ClientError(
        {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "UpdateItem"
    )


@pytest.mark.parametrize(
    "error",
    [throttled, lambda: UpdateError("Failed to update item", cause=throttled())],
    ids=["client_error", "update_error"],
)
def test_an_internal_error_is_not_confirmed_and_changes_nothing(
    client, customer, outbox, monkeypatch, error
):
    order_id = start(client, customer, invoices=[encode_id("FV/2026/10/0001")]).json_body[
        "order_id"
    ]
    body = itn_body(transaction(order_id, "123.45"))

    def failing_advance(pointer, **kwargs):
        raise error()

    monkeypatch.setattr(orders, "advance_order", failing_advance)
    answer = notify(client, body)
    assert confirmations(answer) == {order_id: "NOTCONFIRMED"}  # signed; the gateway retries
    stored = order_item(order_id)
    assert (stored.status, stored.remote_id, stored.paid_at) == ("started", None, None)
    assert receipts(outbox) == []
    monkeypatch.undo()
    assert confirmations(notify(client, body)) == {order_id: "CONFIRMED"}  # the retry
    assert order_item(order_id).status == "paid"
    assert len(receipts(outbox)) == 1


def break_service_id(value: str | None) -> None:
    """Overwrite (or delete, for None) the ServiceID in SSM and forget the cached one."""
    ssm, name = aws.client("ssm"), get_settings().bluemedia_service_parameter
    if value is None:
        ssm.delete_parameter(Name=name)
    else:
        ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)
    secrets.reset()


@pytest.mark.parametrize("service_id", [None, "10a42", "12345678901"], ids=["missing", "x", "11"])
def test_unusable_credentials_are_a_clean_500_before_anything_happens(
    client, customer, caplog, captured_logs, service_id
):
    order_id = start(client, customer, amount="20,00").json_body["order_id"]
    body = itn_body(transaction(order_id, "20.00"))
    break_service_id(service_id)
    for answer in (
        notify(client, body),
        start(client, customer, amount="30,00"),
    ):
        assert answer.status_code == 500
        assert answer.json_body["error"]["code"] == "internal_error"
        assert answer.json_body["error"]["message"].startswith("Wystąpił błąd po naszej stronie")
        assert answer.json_body["error"]["request_id"] == answer.headers["X-Request-Id"]
    assert order_item(order_id).status == "started"
    history = client.http.get("/payments", headers=customer).json_body["items"]
    assert [p["id"] for p in history if p["source"] == "online"] == [order_id]  # none stored
    # Logged as an error line, without an unhandled exception's stack trace.
    assert not [r for r in caplog.records if r.exc_info]
    assert "Traceback" not in captured_logs.getvalue()
    assert "payment provider unavailable" in captured_logs.getvalue()


@pytest.mark.parametrize("value", ["10a42", "12345678901", " 100042", "-42"])
def test_service_id_from_ssm_must_be_up_to_ten_digits(aws_env, value):
    break_service_id(value)
    with pytest.raises(SecretError) as failed:
        bluemedia_credentials()
    assert get_settings().bluemedia_service_parameter in str(failed.value)
    assert value not in str(failed.value)
    break_service_id("1234567890")
    assert bluemedia_credentials()[0] == "1234567890"


def test_credentials_are_read_from_ssm_once_per_container(client, customer):
    settings = get_settings()
    names = (settings.bluemedia_service_parameter, settings.bluemedia_key_parameter)
    reads: list[str] = []

    def record(params, **_):
        reads.append(params["Name"])

    aws.client("ssm").meta.events.register("provide-client-params.ssm.GetParameter", record)
    first = start(client, customer, amount="20,00").json_body["order_id"]
    second = start(client, customer, amount="30,00").json_body["order_id"]
    for order_id, amount in ((first, "20.00"), (second, "30.00")):
        assert confirmations(notify(client, itn_body(transaction(order_id, amount)))) == {
            order_id: "CONFIRMED"
        }
    assert sorted(r for r in reads if r in names) == sorted(names)  # each read once


def test_an_amount_above_the_maximum_is_refused_in_polish(client, customer, monkeypatch):
    maximum = get_settings().payment_max_grosze
    assert maximum == 10_000_000  # PAYMENT_MAX_GROSZE's default
    too_much = f"{(maximum + 1) // 100},{(maximum + 1) % 100:02d}"
    answer = start(client, customer, amount=too_much)
    assert answer.status_code == 400, answer.body
    # Both limits as a person reads amounts: grouped digits, a comma, no-break spaces.
    assert answer.json_body["error"]["fields"]["amount"] == (
        "Kwota musi wynosić od 10,00\u00a0zł do 100\u00a0000,00\u00a0zł."
    )
    exact = f"{maximum // 100},{maximum % 100:02d}"
    assert start(client, customer, amount=exact).status_code == 201


def test_a_started_order_is_visible_right_after_the_start(client, customer):
    order_id = start(client, customer, amount="20,00").json_body["order_id"]
    history = client.http.get("/payments", headers=customer).json_body["items"]
    listed = next(p for p in history if p["id"] == order_id)
    assert (listed["source"], listed["status"], listed["amount"]) == ("online", "started", "20.00")
    detail = client.http.get(f"/payments/{order_id}", headers=customer)
    assert detail.status_code == 200
    assert detail.json_body["status"] == "started"
    assert detail.json_body["message"] == MESSAGES["started"]


def test_success_after_failure_is_confirmed_recorded_and_changes_nothing(
    client, customer, outbox, security_events
):
    order_id = start(client, customer, amount="20,00").json_body["order_id"]
    failed = itn_body(transaction(order_id, "20.00", status="FAILURE", remote="R1"))
    assert confirmations(notify(client, failed)) == {order_id: "CONFIRMED"}
    assert security_events() == ([], [])
    late = itn_body(transaction(order_id, "20.00", status="SUCCESS", remote="R2"))
    assert confirmations(notify(client, late)) == {order_id: "CONFIRMED"}  # or it resends
    stored = order_item(order_id)
    assert (stored.status, stored.remote_id, stored.paid_at) == ("failed", "R1", None)
    logged, counted = security_events()
    assert logged == counted == ["itn_success_after_failure"]
    assert receipts(outbox) == []


def test_a_receipt_that_could_not_be_sent_is_sent_by_the_retry(
    client, customer, outbox, monkeypatch, captured_logs
):
    order_id = start(client, customer, invoices=[encode_id("FV/2026/10/0001")]).json_body[
        "order_id"
    ]
    body = itn_body(transaction(order_id, "123.45"))
    address = order_item(order_id).email

    class SesDown:
        def send(self, template, to, context):
            # SES names the recipient in its errors; the log must not.
            error = {"Code": "MessageRejected", "Message": f"Address blacklisted: {address}"}
            raise ClientError({"Error": error}, "SendEmail")

    with using(mailer=SesDown()):
        assert confirmations(notify(client, body)) == {order_id: "NOTCONFIRMED"}  # retry
    logged = captured_logs.getvalue()
    assert "MessageRejected" in logged and "payment receipt not sent" in logged
    assert address not in logged
    assert f"***@{address.split('@')[1]}" in logged
    stored = order_item(order_id)
    assert stored.status == "paid"  # the payment itself is recorded
    assert (stored.receipt_sent_at, stored.receipt_claimed_at) == (None, None)  # released
    assert receipts(outbox) == []
    for _ in range(2):  # the gateway's retry sends it; a further repeat does not
        assert confirmations(notify(client, body)) == {order_id: "CONFIRMED"}
        assert len(receipts(outbox)) == 1
    assert order_item(order_id).receipt_sent_at is not None


def test_a_receipt_claim_left_by_a_dead_delivery_is_taken_over_after_the_lease(
    client, customer, outbox
):
    order_id = start(client, customer, amount="20,00").json_body["order_id"]
    body = itn_body(transaction(order_id, "20.00"))
    claimed = f"{clock.now().isoformat(timespec='microseconds')}#dead"
    order = order_item(order_id)
    order.update(
        actions=[OnlinePayment.status.set("paid"), OnlinePayment.receipt_claimed_at.set(claimed)]
    )
    assert confirmations(notify(client, body)) == {order_id: "CONFIRMED"}
    assert receipts(outbox) == []  # a fresh claim: its holder answers for it
    clock.travel(receipt_service.RECEIPT_CLAIM_LEASE.total_seconds() + 1)
    assert confirmations(notify(client, body)) == {order_id: "CONFIRMED"}
    assert len(receipts(outbox)) == 1
    assert confirmations(notify(client, body)) == {order_id: "CONFIRMED"}
    assert len(receipts(outbox)) == 1


class JsonGateway:
    """Another gateway, as a new provider module would be: JSON notifications, plain
    answers, nothing Blue Media's."""

    name = "jsonpay"

    def __init__(self) -> None:
        self.answers: list[list[tuple[str, bool]]] = []

    def start(self, request: StartRequest) -> Redirect:
        return Redirect("https://jsonpay.example/pay", [("order", request.order_id)])

    def parse_notification(self, body: bytes, content_type: str) -> Notification:
        data = json.loads(body)
        if data.get("sign") != "ok":
            raise InvalidNotification("bad_hash", "bad sign", [data["order"]])
        return Notification(
            service_id="jsonpay",
            transactions=[
                Transaction(data["order"], data["id"], data["grosze"], "PLN", data["status"])
            ],
        )

    def acknowledge(self, confirmations: list[tuple[str, bool]]) -> bytes:
        self.answers.append(confirmations)
        return b"OK"

    def verify_return(self, params: dict[str, str]) -> str:
        return params["order"]


def test_another_gateway_goes_through_the_same_shared_flow(
    client, customer, outbox, monkeypatch, security_events
):
    gateway = JsonGateway()
    monkeypatch.setitem(gateways.FACTORIES, "jsonpay", lambda _secrets: gateway)
    order_id = start(client, customer, amount="20,00").json_body["order_id"]

    def deliver(**fields) -> bytes:
        body = json.dumps({"order": order_id, "id": "J1", "grosze": 2000, **fields}).encode()
        return service.handle_notification("jsonpay", body, "application/json")

    assert deliver(status="SUCCESS", sign="bad") == b"OK"
    assert deliver(status="SUCCESS", sign="ok") == b"OK"
    assert deliver(status="FAILURE", sign="ok") == b"OK"  # backwards: confirmed, no change
    assert gateway.answers == [[(order_id, False)], [(order_id, True)], [(order_id, True)]]
    assert (order_item(order_id).status, order_item(order_id).remote_id) == ("paid", "J1")
    assert len(receipts(outbox)) == 1
    assert security_events()[0] == ["itn_bad_hash"]
    assert service.return_status("jsonpay", {"order": order_id}).status == "paid"


def test_a_rejected_notification_is_no_signing_oracle(client, customer, security_events):
    """An unauthenticated sender must not get our signature over values it chose: a signed
    `serviceID|<orderID>|NOTCONFIRMED|key` with `orderID = "O|20.00|PLN|SUCCESS"` would be
    the hash of a forged notification paying order O."""
    order_id = start(client, customer, amount="20,00").json_body["order_id"]
    forged_fields = f"{order_id}|20.00|PLN|SUCCESS"
    hostile_ids = [forged_fields, f"{order_id}-1", "A" * 33, "Zamówienie1", f"{order_id}&lt;"]
    for hostile in hostile_ids:
        answer = notify(client, itn_body(transaction(hostile, "20.00"), hash_value="0" * 64))
        assert answer.status_code == 400, hostile  # nothing signed for the sender's own ids
        assert answer.json_body["error"]["code"] == "invalid_input"
    # A well-formed id is answered "not confirmed", signed; that signature cannot be
    # turned into a notification: it covers no amount, and every amount has a dot.
    answer = notify(client, itn_body(transaction(order_id, "20.00"), hash_value="0" * 64))
    assert confirmations(answer) == {order_id: "NOTCONFIRMED"}
    oracle = ElementTree.fromstring(answer.body).findtext("hash")
    service_id, _ = bluemedia_credentials()
    forged = (
        f"<?xml version='1.0' encoding='UTF-8'?><transactionList><serviceID>{service_id}"
        f"</serviceID><transactions><transaction><orderID>{order_id}</orderID>"
        "<paymentStatus>NOTCONFIRMED</paymentStatus></transaction></transactions>"
        f"<hash>{oracle}</hash></transactionList>"
    )
    body = "transactions=" + quote(base64.b64encode(forged.encode()).decode(), safe="")
    assert confirmations(notify(client, body)) == {order_id: "NOTCONFIRMED"}
    assert order_item(order_id).status == "started"
    logged, _ = security_events()
    # The "|" id is refused before its hash is checked; the forgery's hash held, but a
    # notification without an amount is malformed.
    assert logged.count("itn_malformed") == 2
    assert logged.count("itn_bad_hash") == len(hostile_ids)


def test_marking_the_receipt_sent_is_retried(client, customer, outbox, monkeypatch):
    order_id = start(client, customer, amount="20,00").json_body["order_id"]
    real_mark = orders.mark_receipt_sent
    failures = []

    def flaky(order, at):
        if len(failures) < 2:
            failures.append(1)
            throttled = {"Error": {"Code": "ThrottlingException", "Message": "slow down"}}
            raise UpdateError("throttled", cause=ClientError(throttled, "UpdateItem"))
        return real_mark(order, at)

    monkeypatch.setattr(orders, "mark_receipt_sent", flaky)
    body = itn_body(transaction(order_id, "20.00"))
    assert confirmations(notify(client, body)) == {order_id: "CONFIRMED"}
    stored = order_item(order_id)
    assert len(failures) == 2
    assert stored.receipt_sent_at is not None and stored.receipt_claimed_at is None
    assert len(receipts(outbox)) == 1


@pytest.mark.parametrize(
    "forged_transaction",
    [
        # Text beside child elements is not covered by the hash (the leaves are).
        "<orderID>{order}<x>A</x></orderID><amount>20.00<y>NOTCONFIRMED</y></amount>"
        "<currency>PLN<z/></currency><paymentStatus>SUCCESS<w/></paymentStatus>",
        "<orderID><x>A</x></orderID><x>NOTCONFIRMED</x><orderID>{order}</orderID>",
        "<orderID>A</orderID>{order}<x>NOTCONFIRMED</x>",
    ],
)
def test_text_the_hash_does_not_cover_is_never_read(
    client, customer, security_events, forged_transaction
):
    order_id = start(client, customer, amount="20,00").json_body["order_id"]
    oracle_answer = notify(client, itn_body(transaction("A", "20.00"), hash_value="0" * 64))
    assert confirmations(oracle_answer) == {"A": "NOTCONFIRMED"}
    oracle = ElementTree.fromstring(oracle_answer.body).findtext("hash")
    service_id, _ = bluemedia_credentials()
    forged = (
        f"<?xml version='1.0' encoding='UTF-8'?><transactionList><serviceID>{service_id}"
        f"</serviceID><transactions><transaction>{forged_transaction.format(order=order_id)}"
        f"</transaction></transactions><hash>{oracle}</hash></transactionList>"
    )
    body = "transactions=" + quote(base64.b64encode(forged.encode()).decode(), safe="")
    answer = notify(client, body)
    assert answer.status_code in (200, 400)
    if answer.status_code == 200:
        assert set(confirmations(answer).values()) == {"NOTCONFIRMED"}
    assert order_item(order_id).status == "started"
    logged, _ = security_events()
    assert "itn_malformed" in logged or "itn_bad_hash" in logged


def test_a_signed_notification_with_an_order_id_not_ours_is_refused(client, customer):
    """Even a correctly signed notification gets no answer echoing an id we never issue."""
    for foreign in ("ORD|20.00|PLN|SUCCESS", "A" * 33, "zamówienie-1"):
        answer = notify(client, itn_body(transaction(foreign, "20.00")))
        assert answer.status_code == 400, foreign
        assert answer.json_body["error"]["code"] == "invalid_input"


def test_a_start_form_signature_never_passes_for_a_notification(client, customer):
    """The start form, the notification and our answers share the key. An e-mail holding
    "|" (valid in an address) once let a start form's Hash be read as the hash of a paid
    notification: `ServiceID|OrderID|Amount|Description|PLN|success|a@evil.example`."""
    order_id = start(client, customer, amount="20,00").json_body["order_id"]
    order = order_item(order_id)
    order.update(actions=[OnlinePayment.email.set("success|a@evil.example")])
    gateway = service.provider()
    form = dict(gateway.start(StartRequest(order_id, 2000, order.description, order.email)).fields)
    assert "CustomerEmail" not in form  # never signed with the separator in it
    service_id, _ = bluemedia_credentials()
    forged = (
        f"<?xml version='1.0' encoding='UTF-8'?><transactionList><serviceID>{service_id}"
        f"</serviceID><transactions><transaction><orderID>{order_id}</orderID>"
        f"<amount>{form['Amount']}</amount><remoteID>{form['Description']}</remoteID>"
        "<currency>PLN</currency><paymentStatus>success</paymentStatus>"
        "<x>a@evil.example</x></transaction></transactions>"
        f"<hash>{form['Hash']}</hash></transactionList>"
    )
    body = "transactions=" + quote(base64.b64encode(forged.encode()).decode(), safe="")
    assert confirmations(notify(client, body)) == {order_id: "NOTCONFIRMED"}
    assert order_item(order_id).status == "started"
    # Had the e-mail been signed, the hash would hold; the lower-case status alone is
    # refused too, and so is any "|" in a value.
    for status in ("success", "Success"):
        answer = notify(client, itn_body(transaction(order_id, "20.00", status=status)))
        assert confirmations(answer) == {order_id: "NOTCONFIRMED"}
    piped = itn_body(transaction(order_id, "20.00", remote="R|1"))
    assert confirmations(notify(client, piped)) == {order_id: "NOTCONFIRMED"}
    assert order_item(order_id).status == "started"


def test_a_transaction_with_a_field_twice_or_missing_is_refused(client, customer):
    order_id = start(client, customer, amount="20,00").json_body["order_id"]
    xml, values = transaction(order_id, "20.00")
    second_amount = xml.replace("</transaction>", "<amount>1.00</amount></transaction>")
    twice = (second_amount, [*values, "1.00"])
    missing = (xml.replace("<currency>PLN</currency>", ""), [v for v in values if v != "PLN"])
    for variant in (twice, missing):
        assert confirmations(notify(client, itn_body(variant))) == {order_id: "NOTCONFIRMED"}
    assert order_item(order_id).status == "started"


def store_invoice_unchecked(number: str, gross: str = "10.80") -> None:
    """An invoice as an import from before ids were checked stored it (here a `|`)."""
    from chalicelib.imports.parsing import encode, parse_line

    line = parse_line(json.dumps(invoice_line("FV/PLACEHOLDER", CUSTOMER, gross)))
    line = line.model_copy(update={"number": number})
    line.to_item(*encode(line)).save()


def online_orders() -> list[OnlinePayment]:
    return list(
        OnlinePayment.query(
            BillingItem.partition(CUSTOMER), OnlinePayment.sk.startswith(OnlinePayment.PREFIX)
        )
    )


def test_an_invoice_number_with_a_pipe_can_be_paid_and_stays_out_of_the_signature(client, customer):
    store_invoice_unchecked("FV|2026|11|7")
    answer = start(client, customer, invoices=[encode_id("FV|2026|11|7")])
    assert answer.status_code == 201, answer.body
    fields = [(f["name"], f["value"]) for f in answer.json_body["gateway"]["fields"]]
    order_id = answer.json_body["order_id"]
    assert dict(fields)["Description"] == f"Płatność {order_id}"
    assert not any("|" in value for _, value in fields)
    _, key = bluemedia_credentials()
    assert dict(fields)["Hash"] == sha("|".join([*(v for n, v in fields if n != "Hash"), key]))
    # The order still says which invoice it pays; the ITN pays it as any other.
    assert [p.invoice for p in order_item(order_id).parts] == ["FV|2026|11|7"]
    assert confirmations(notify(client, itn_body(transaction(order_id, "10.80")))) == {
        order_id: "CONFIRMED"
    }
    assert order_item(order_id).status == "paid"


def test_a_form_that_cannot_be_signed_leaves_no_order_behind(client, customer, monkeypatch):
    def refuse(self, request):
        raise ValueError("a value to be signed holds the separator")

    monkeypatch.setattr(gateways.BlueMedia, "start", refuse)
    answer = start(client, customer, invoices=[encode_id("FV/2026/11/1")])
    assert answer.status_code == 500
    assert "Traceback" not in answer.body.decode()
    assert online_orders() == []
    pointers = aws.client("dynamodb").scan(  # a Scan is fine in a test
        TableName=get_settings().billing_table,
        FilterExpression="begins_with(pk, :order)",
        ExpressionAttributeValues={":order": {"S": "ORDER#"}},
    )["Items"]
    assert pointers == []
    history = client.http.get("/payments", headers=customer).json_body["items"]
    assert [p for p in history if p["source"] == "online"] == []


# --- one open payment per invoice --------------------------------------------------------

OVERDUE, CURRENT = encode_id("FV/2026/10/0001"), encode_id("FV/2026/11/1")


def holds_stored() -> dict[str, str]:
    """The stored holds: invoice -> order id."""
    return {
        hold.invoice: hold.order_id
        for hold in PaymentHold.query(
            BillingItem.partition(CUSTOMER), PaymentHold.sk.startswith(PaymentHold.PREFIX)
        )
    }


def in_progress(answer, order_id: str) -> None:
    """`answer` is the 409 naming the open order `order_id`."""
    assert answer.status_code == 409, answer.body
    error = answer.json_body["error"]
    assert (error["code"], error["fields"]) == ("payment_in_progress", {"order_id": order_id})
    assert order_id in error["message"] and error["message"].endswith(".")


def test_an_invoice_held_by_an_open_order_cannot_be_paid_again(client, customer):
    first = start(client, customer, invoices=[OVERDUE]).json_body["order_id"]
    assert holds_stored() == {"FV/2026/10/0001": first}
    in_progress(start(client, customer, invoices=[OVERDUE]), first)
    in_progress(start(client, customer, invoices=[CURRENT, OVERDUE]), first)
    in_progress(start(client, customer, overdue=True), first)  # overdue counts the same way
    # Another invoice, and an amount of one's own, are free.
    second = start(client, customer, invoices=[CURRENT])
    assert second.status_code == 201
    assert start(client, customer, amount="20,00").status_code == 201
    assert holds_stored() == {
        "FV/2026/10/0001": first,
        "FV/2026/11/1": second.json_body["order_id"],
    }
    # A pending order (the bank deciding) still holds.
    notify(client, itn_body(transaction(first, "123.45", status="PENDING")))
    in_progress(start(client, customer, invoices=[OVERDUE]), first)
    # Nothing but the orders themselves was stored by the refused starts.
    assert len(online_orders()) == 3


def test_an_overdue_payment_holds_every_overdue_invoice(client, customer):
    order_id = start(client, customer, overdue=True).json_body["order_id"]
    assert holds_stored() == {"FV/2026/10/0001": order_id}
    in_progress(start(client, customer, invoices=[OVERDUE]), order_id)
    in_progress(start(client, customer, overdue=True), order_id)


def test_a_failed_order_releases_its_invoices_and_a_paid_one_leaves_nothing_to_pay(
    client, customer
):
    failed = start(client, customer, invoices=[OVERDUE, CURRENT]).json_body["order_id"]
    notify(client, itn_body(transaction(failed, "203.45", status="FAILURE")))
    assert holds_stored() == {}
    again = start(client, customer, invoices=[OVERDUE]).json_body["order_id"]
    assert holds_stored() == {"FV/2026/10/0001": again}
    notify(client, itn_body(transaction(again, "123.45")))
    assert holds_stored() == {}
    answer = start(client, customer, invoices=[OVERDUE])
    assert (answer.status_code, answer.json_body["error"]["code"]) == (409, "conflict")


def test_an_unfinished_order_releases_its_invoices_after_the_hold_time(
    client, customer, monkeypatch
):
    monkeypatch.setenv("PAYMENT_HOLD_MINUTES", "15")
    get_settings.cache_clear()
    try:
        began = clock.now()
        abandoned = start(client, customer, invoices=[OVERDUE]).json_body["order_id"]
        clock.travel_to(began + timedelta(minutes=14, seconds=59))
        in_progress(start(client, customer, invoices=[OVERDUE]), abandoned)
        clock.travel_to(began + timedelta(minutes=15))
        taken = start(client, customer, invoices=[OVERDUE])
        assert taken.status_code == 201, taken.body
        later = taken.json_body["order_id"]
        assert holds_stored() == {"FV/2026/10/0001": later}
        # The abandoned order ending now does not free the invoice its successor holds.
        notify(client, itn_body(transaction(abandoned, "123.45", status="FAILURE")))
        assert holds_stored() == {"FV/2026/10/0001": later}
        in_progress(start(client, customer, invoices=[OVERDUE]), later)
    finally:
        get_settings.cache_clear()


def test_a_pending_order_holds_its_invoices_past_the_hold_time(client, customer, monkeypatch):
    """The bank is still deciding: the order may yet be paid, so a second order for the same
    invoice would be a double charge however long the decision takes."""
    monkeypatch.setenv("PAYMENT_HOLD_MINUTES", "15")
    get_settings.cache_clear()
    try:
        began = clock.now()
        order_id = start(client, customer, invoices=[OVERDUE]).json_body["order_id"]
        notify(client, itn_body(transaction(order_id, "123.45", status="PENDING")))
        clock.travel_to(began + timedelta(minutes=16))
        in_progress(start(client, customer, invoices=[OVERDUE]), order_id)
    finally:
        get_settings.cache_clear()


def test_the_form_is_valid_at_the_gateway_only_while_the_order_holds(client, customer):
    """A started order's hold lapses after PAYMENT_HOLD_MINUTES: the signed ValidityTime
    makes the gateway refuse its form from then on, so it cannot be paid beside a newer one."""
    began = clock.now()
    body = start(client, customer, invoices=[OVERDUE]).json_body
    fields = [(f["name"], f["value"]) for f in body["gateway"]["fields"]]
    hold_ends = began + timedelta(minutes=get_settings().payment_hold_minutes)
    assert dict(fields)["ValidityTime"] == clock.to_warsaw(hold_ends).strftime("%Y-%m-%d %H:%M:%S")
    assert [n for n, _ in fields][-2:] == ["ValidityTime", "Hash"]  # the gateway's hash order
    _, key = bluemedia_credentials()
    assert dict(fields)["Hash"] == sha("|".join([*(v for n, v in fields[:-1]), key]))


def test_a_hold_left_by_an_ended_order_is_taken_over(client, customer, monkeypatch):
    order_id = start(client, customer, invoices=[OVERDUE]).json_body["order_id"]

    # The release after the failure is lost (e.g. throttled): the hold stays behind.
    def lost(order, invoices):
        raise ClientError({"Error": {"Code": "ThrottlingException"}}, "TransactWriteItems")

    monkeypatch.setattr(orders, "release_holds", lost)
    notify(client, itn_body(transaction(order_id, "123.45", status="FAILURE")))
    monkeypatch.undo()
    assert holds_stored() == {"FV/2026/10/0001": order_id}
    assert order_item(order_id).status == "failed"
    retry = start(client, customer, invoices=[OVERDUE])
    assert retry.status_code == 201, retry.body
    assert holds_stored() == {"FV/2026/10/0001": retry.json_body["order_id"]}


def test_two_concurrent_starts_for_one_invoice_give_exactly_one_order(
    client, customer, serial_moto, monkeypatch
):
    barrier = threading.Barrier(2, timeout=10)
    read = ledger_storage.read_ledger

    def together(customer_number):
        data = read(customer_number)
        barrier.wait()  # both have read the ledger (no hold) before either writes
        return data

    monkeypatch.setattr(ledger_storage, "read_ledger", together)
    outcomes: list[object] = []

    def begin() -> None:
        try:
            outcomes.append(service.start_payment(CUSTOMER, PaymentStart(invoices=[OVERDUE])))
        except PaymentInProgress as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=begin) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    monkeypatch.undo()
    started = [o for o in outcomes if not isinstance(o, PaymentInProgress)]
    refused = [o for o in outcomes if isinstance(o, PaymentInProgress)]
    assert (len(started), len(refused)) == (1, 1), outcomes
    assert refused[0].order_id == started[0].order_id
    assert [o.order_id for o in online_orders()] == [started[0].order_id]
    assert holds_stored() == {"FV/2026/10/0001": started[0].order_id}


def test_holds_change_no_customer_read(client, customer):
    reads = ("/balance", "/invoices", "/settlements", "/summary")
    before = {path: client.http.get(path, headers=customer).json_body for path in reads}
    start(client, customer, invoices=[OVERDUE, CURRENT])
    assert holds_stored()
    after = {path: client.http.get(path, headers=customer).json_body for path in reads}
    assert after == before
