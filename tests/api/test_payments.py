"""Online payments end to end through the API: start, ITN (valid, repeated, concurrent,
tampered, hostile), forward-only states, receipts, return, and booking reconciliation."""

from __future__ import annotations

import base64
import hashlib
import threading
from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from chalicelib import clock
from chalicelib.adapters.secrets import bluemedia_credentials
from chalicelib.http.ids import encode_id
from chalicelib.models.billing import BillingItem
from chalicelib.models.payments import OnlinePayment
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


def confirmations(answer) -> dict[str, str]:
    from defusedxml import ElementTree

    assert answer.status_code == 200, answer.body
    assert answer.headers["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(answer.body)
    service, key = bluemedia_credentials()
    pairs = [
        (c.findtext("orderID"), c.findtext("confirmation"))
        for c in root.iter("transactionConfirmed")
    ]
    expected = sha("|".join([service, *[v for pair in pairs for v in pair], key]))
    assert root.findtext("hash") == expected
    return dict(pairs)


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
    assert len(receipts) == 1 and "123,45 zł" in receipts[0]["text"]
    # The same notification again: confirmed, nothing changes, no second receipt.
    again = notify(client, itn_body(transaction(order_id, "123.45")))
    assert confirmations(again) == {order_id: "CONFIRMED"}
    receipts = [m for m in outbox.messages() if m["subject"].startswith("Potwierdzenie płatności")]
    assert len(receipts) == 1


def test_two_concurrent_deliveries_change_the_state_once(client, customer, outbox, app):
    order_id = start(client, customer, invoices=[encode_id("FV/2026/10/0001")]).json_body[
        "order_id"
    ]
    body = itn_body(transaction(order_id, "123.45"))
    from chalicelib.services import payments as service

    barrier = threading.Barrier(2, timeout=10)
    original = service.get_item_pointer
    results = []

    def together(order):
        pointer = original(order)
        barrier.wait()  # both have read before either writes
        return pointer

    service.get_item_pointer = together
    try:
        threads = [
            threading.Thread(
                target=lambda: results.append(
                    service.handle_notification(body.encode(), FORM["Content-Type"])
                )
            )
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        service.get_item_pointer = original
    assert len(results) == 2 and all(b"CONFIRMED" in r for r in results)
    assert order_item(order_id).status == "paid"
    receipts = [m for m in outbox.messages() if m["subject"].startswith("Potwierdzenie płatności")]
    assert len(receipts) == 1


@pytest.mark.parametrize(
    "case",
    ["amount", "currency", "service", "hash", "unknown"],
)
def test_tampered_notifications_are_not_confirmed_and_change_nothing(client, customer, case):
    order_id = start(client, customer, invoices=[encode_id("FV/2026/10/0001")]).json_body[
        "order_id"
    ]
    body = {
        "amount": lambda: itn_body(transaction(order_id, "1.00")),
        "currency": lambda: itn_body(transaction(order_id, "123.45", currency="EUR")),
        "service": lambda: itn_body(transaction(order_id, "123.45"), service="999"),
        "hash": lambda: itn_body(transaction(order_id, "123.45"), hash_value="0" * 64),
        "unknown": lambda: itn_body(transaction("NOSUCHORDER1", "123.45")),
    }[case]()
    answer = notify(client, body)
    assert set(confirmations(answer).values()) == {"NOTCONFIRMED"}
    assert order_item(order_id).status == "started"


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
