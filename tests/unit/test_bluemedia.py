"""Blue Media protocol: every hash against a value computed here by hand from the
protocol's rules (sha256 of values joined with "|", then "|" and the key), not by the code
under test; hardened XML parsing."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote

import pytest
from defusedxml import ElementTree

from chalicelib.payments.bluemedia import BlueMedia, signature
from chalicelib.payments.provider import InvalidNotification, StartRequest

KEY = "3f9a2b7c-klucz"
SERVICE = "102345"
FORM = "application/x-www-form-urlencoded"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def gateway() -> BlueMedia:
    return BlueMedia(SERVICE, KEY, "https://testpay.example/payment")


def form(xml: str, spaces_for_plus: bool = False) -> bytes:
    encoded = base64.b64encode(xml.encode("utf-8")).decode("ascii")
    if spaces_for_plus:
        return ("transactions=" + encoded.replace("+", " ")).encode("ascii")
    return ("transactions=" + quote(encoded, safe="")).encode("ascii")


def test_start_form_fields_order_and_hash(gateway):
    redirect = gateway.start(StartRequest("20261124ABCDEF01", 12345, "Faktura FV/1", "a@b.pl"))
    names = [name for name, _ in redirect.fields]
    assert names == [
        "ServiceID",
        "OrderID",
        "Amount",
        "Description",
        "Currency",
        "CustomerEmail",
        "Hash",
    ]
    values = dict(redirect.fields)
    assert values["Amount"] == "123.45"
    assert values["Hash"] == sha(f"{SERVICE}|20261124ABCDEF01|123.45|Faktura FV/1|PLN|a@b.pl|{KEY}")
    assert redirect.url == "https://testpay.example/payment"


def test_start_hash_skips_empty_values(gateway):
    redirect = gateway.start(StartRequest("ORD1", 120, "Wpłata", None))
    values = dict(redirect.fields)
    assert "CustomerEmail" not in values and "GatewayID" not in values
    assert values["Hash"] == sha(f"{SERVICE}|ORD1|1.20|Wpłata|PLN|{KEY}")


@pytest.mark.parametrize(("length", "sent"), [(60, True), (61, False)])
def test_start_omits_an_email_the_gateway_would_cut(gateway, length, sent):
    email = "a" * (length - len("@wodociagi.pl")) + "@wodociagi.pl"
    assert len(email) == length
    redirect = gateway.start(StartRequest("ORD1", 120, "Wpłata", email))
    values = dict(redirect.fields)
    if sent:
        assert values["CustomerEmail"] == email
        assert values["Hash"] == sha(f"{SERVICE}|ORD1|1.20|Wpłata|PLN|{email}|{KEY}")
    else:  # never a cut (wrong) address
        assert "CustomerEmail" not in values
        assert values["Hash"] == sha(f"{SERVICE}|ORD1|1.20|Wpłata|PLN|{KEY}")


def itn(transactions: str, hash_value: str, service: str = SERVICE) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><transactionList>'
        f"<serviceID>{service}</serviceID><transactions>{transactions}</transactions>"
        f"<hash>{hash_value}</hash></transactionList>"
    )


ONE = (
    "<transaction><orderID>ORD1</orderID><remoteID>91ABC</remoteID><amount>123.45</amount>"
    "<currency>PLN</currency><gatewayID>106</gatewayID><paymentDate>20261124101530</paymentDate>"
    "<paymentStatus>SUCCESS</paymentStatus><paymentStatusDetails>AUTHORIZED</paymentStatusDetails>"
    "</transaction>"
)
ONE_VALUES = "ORD1|91ABC|123.45|PLN|106|20261124101530|SUCCESS|AUTHORIZED"


def test_itn_hash_single_transaction(gateway):
    body = form(itn(ONE, sha(f"{SERVICE}|{ONE_VALUES}|{KEY}")))
    notification = gateway.parse_notification(body, FORM)
    (transaction,) = notification.transactions
    assert (transaction.order_id, transaction.amount, transaction.status) == (
        "ORD1",
        12345,
        "SUCCESS",
    )
    assert transaction.payment_date == "2026-11-24T10:15:30+00:00"


def test_itn_hash_several_transactions_and_nested_customer_data(gateway):
    second = (
        "<transaction><orderID>ORD2</orderID><remoteID>91ABD</remoteID><amount>10.00</amount>"
        "<currency>PLN</currency><gatewayID>1500</gatewayID>"
        "<paymentDate>20261124101600</paymentDate><paymentStatus>PENDING</paymentStatus>"
        "<paymentStatusDetails>INIT</paymentStatusDetails>"
        "<customerData><fName>Anna</fName><lName>Nowak</lName><streetName>Wodna</streetName>"
        "<postalCode>41-709</postalCode><city>Ruda</city><senderData></senderData>"
        "</customerData><newOptionalField>x</newOptionalField></transaction>"
    )
    values = (
        f"{ONE_VALUES}|ORD2|91ABD|10.00|PLN|1500|20261124101600|PENDING|INIT"
        "|Anna|Nowak|Wodna|41-709|Ruda|x"
    )
    body = form(itn(ONE + second, sha(f"{SERVICE}|{values}|{KEY}")))
    notification = gateway.parse_notification(body, FORM)
    assert [t.order_id for t in notification.transactions] == ["ORD1", "ORD2"]
    assert notification.transactions[1].status == "PENDING"


PRETTY = """<?xml version="1.0" encoding="UTF-8"?>
<transactionList>
    <serviceID>{service}</serviceID>
    <transactions>
        <transaction>
            <orderID>ORD7</orderID>
            <remoteID>9A1B2C</remoteID>
            <amount>80.00</amount>
            <currency>PLN</currency>
            <gatewayID>106</gatewayID>
            <paymentDate>20261124120000</paymentDate>
            <paymentStatus>SUCCESS</paymentStatus>
            <paymentStatusDetails>AUTHORIZED</paymentStatusDetails>
        </transaction>
        <transaction>
            <orderID>ORD8</orderID>
            <remoteID>9A1B2D</remoteID>
            <amount>1234.05</amount>
            <currency>PLN</currency>
            <gatewayID>1500</gatewayID>
            <paymentDate>20261124120105</paymentDate>
            <paymentStatus>FAILURE</paymentStatus>
            <paymentStatusDetails>REJECTED</paymentStatusDetails>
            <customerData>
                <fName>Jan</fName>
                <lName>Kowalski</lName>
            </customerData>
        </transaction>
    </transactions>
    <hash>{hash}</hash>
</transactionList>
"""
# Written out by hand: the leaves in document order; indentation and newlines are no values.
PRETTY_VALUES = (
    "ORD7|9A1B2C|80.00|PLN|106|20261124120000|SUCCESS|AUTHORIZED"
    "|ORD8|9A1B2D|1234.05|PLN|1500|20261124120105|FAILURE|REJECTED|Jan|Kowalski"
)


def test_itn_hash_of_a_pretty_printed_document_with_several_transactions(gateway):
    xml = PRETTY.format(service=SERVICE, hash=sha(f"{SERVICE}|{PRETTY_VALUES}|{KEY}"))
    assert "\n        <transaction>" in xml
    notification = gateway.parse_notification(form(xml), FORM)
    assert [(t.order_id, t.amount, t.status) for t in notification.transactions] == [
        ("ORD7", 8000, "SUCCESS"),
        ("ORD8", 123405, "FAILURE"),
    ]
    assert notification.transactions[1].status_details == "REJECTED"
    with pytest.raises(InvalidNotification) as refused:  # the same hash, one amount changed
        gateway.parse_notification(form(xml.replace("1234.05", "1234.06")), FORM)
    assert refused.value.reason == "bad_hash"
    assert refused.value.order_ids == ["ORD7", "ORD8"]


def test_itn_base64_with_spaces_for_plus(gateway):
    # Find a description whose XML's base64 has a "+", as the gateway's may.
    for n in range(200):
        details = "Zapłacono ~" + "?" * n
        transaction = ONE.replace("AUTHORIZED", details)
        xml = itn(transaction, sha(f"{SERVICE}|{ONE_VALUES.replace('AUTHORIZED', details)}|{KEY}"))
        if "+" in base64.b64encode(xml.encode()).decode():
            break
    else:
        pytest.fail("no base64 with +")
    notification = gateway.parse_notification(form(xml, spaces_for_plus=True), FORM)
    assert notification.transactions[0].status_details == details


@pytest.mark.parametrize(
    "mutate",
    [
        lambda xml: xml.replace("123.45", "1.45"),  # tampered amount
        lambda xml: xml.replace(f"<serviceID>{SERVICE}", "<serviceID>999"),  # another service
        lambda xml: xml.replace("<hash>", "<hash>0"),  # broken hash
    ],
)
def test_tampered_itn_is_rejected(gateway, mutate):
    xml = itn(ONE, sha(f"{SERVICE}|{ONE_VALUES}|{KEY}"))
    gateway.parse_notification(form(xml), FORM)  # the original passes
    with pytest.raises(InvalidNotification) as rejected:
        gateway.parse_notification(form(mutate(xml)), FORM)
    assert rejected.value.order_ids == ["ORD1"]  # so it can be answered NOTCONFIRMED


@pytest.mark.parametrize(
    "amount", ["123,45", "123.4", "123.456", "-123.45", "+123.45", "123", ".45", "1e2", "١٢٣.٤٥"]
)
def test_itn_amount_must_be_digits_dot_two_decimals(gateway, amount):
    values = ONE_VALUES.replace("123.45", amount)
    xml = itn(ONE.replace("123.45", amount), sha(f"{SERVICE}|{values}|{KEY}"))  # signed
    with pytest.raises(InvalidNotification) as rejected:
        gateway.parse_notification(form(xml), FORM)
    assert rejected.value.reason == "bad_amount"
    assert rejected.value.order_ids == ["ORD1"]


@pytest.mark.parametrize(("amount", "grosze"), [("0.01", 1), ("123.45", 12345), ("007.10", 710)])
def test_itn_amounts_in_the_protocol_format(gateway, amount, grosze):
    values = ONE_VALUES.replace("123.45", amount)
    xml = itn(ONE.replace("123.45", amount), sha(f"{SERVICE}|{values}|{KEY}"))
    assert gateway.parse_notification(form(xml), FORM).transactions[0].amount == grosze


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    "<transactionList><serviceID>&lol3;</serviceID></transactionList>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    "<transactionList><serviceID>&e;</serviceID></transactionList>"
)


@pytest.mark.parametrize(
    "body",
    [
        form(BOMB),
        form(XXE),
        b"transactions=%%%not-base64",
        b"transactions=" + base64.b64encode(b"<not xml"),
        b"transactions=" + base64.b64encode("<a>\udcff</a>".encode("utf-8", "surrogatepass")),
        b"other=1",
        b"",
    ],
)
def test_hostile_or_malformed_notifications_are_rejected(gateway, body):
    with pytest.raises(InvalidNotification):
        gateway.parse_notification(body, FORM)


def test_acknowledgement_is_signed_per_transaction(gateway):
    answer = gateway.acknowledge([("ORD1", True), ("ORD2", False)])
    root = ElementTree.fromstring(answer)
    assert root.tag == "confirmationList"
    assert root.findtext("serviceID") == SERVICE
    confirmations = [
        (c.findtext("orderID"), c.findtext("confirmation"))
        for c in root.iter("transactionConfirmed")
    ]
    assert confirmations == [("ORD1", "CONFIRMED"), ("ORD2", "NOTCONFIRMED")]
    assert root.findtext("hash") == sha(f"{SERVICE}|ORD1|CONFIRMED|ORD2|NOTCONFIRMED|{KEY}")


def test_browser_return_hash(gateway):
    good = {"ServiceID": SERVICE, "OrderID": "ORD1", "Hash": sha(f"{SERVICE}|ORD1|{KEY}")}
    assert gateway.verify_return(good) == "ORD1"
    with pytest.raises(InvalidNotification):
        gateway.verify_return({**good, "OrderID": "ORD2"})
    with pytest.raises(InvalidNotification):
        gateway.verify_return({**good, "ServiceID": "1"})


def test_nothing_with_the_separator_is_ever_signed():
    with pytest.raises(ValueError, match="separator"):
        signature(["100042", "ORD|1"], KEY)
    assert signature(["100042", "", "ORD1"], KEY) == sha(f"100042|ORD1|{KEY}")
