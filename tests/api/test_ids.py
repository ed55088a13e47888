"""Ids from the billing system that become parts of item keys: each is checked once on
import (letters, digits, a few separators, a length), so `#` can no longer reach into
another record's key; every id that is stored - also one from before the check - answers
its routes without a 500."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib import aws, clock
from chalicelib.ids import encode_id
from chalicelib.imports.parsing import LineError, encode, parse_line
from chalicelib.models.contracts import AnnexRecord, ContractRecord
from chalicelib.settings import get_settings
from tests.factories import active_account, bearer, customer_line, import_lines, invoice_line

CUSTOMER = "100200"

LINES: dict[str, dict[str, Any]] = {
    "customer": customer_line(CUSTOMER),
    "invoice": invoice_line("FV/2026/11/1", CUSTOMER, "10.80", pdf_key=None),
    "correction": invoice_line(
        "KOR/2026/11/1", CUSTOMER, "-1.08", kind="correction", corrects="FV/2026/11/1"
    ),
    "duplicate": invoice_line(
        "DUP/2026/11/1", CUSTOMER, "10.80", kind="duplicate", duplicate_of="FV/2026/11/1"
    ),
    "payment": {
        "type": "payment",
        "id": "WB/2026/11/1",
        "customer_number": CUSTOMER,
        "paid_on": "2026-11-10",
        "amount": "10.80",
        "allocations": [{"invoice": "FV/2026/11/1", "amount": "10.80"}],
        "online_order": "20261110ABCDEF0123456789",
    },
    "meter": {
        "type": "meter",
        "serial": "WM-2019-0042",
        "customer_number": CUSTOMER,
        "installed_on": "2019-05-10",
    },
    "reading": {
        "type": "reading",
        "customer_number": CUSTOMER,
        "meter": "WM-2019-0042",
        "date": "2026-09-30",
        "value": "812,345",
    },
    "contract": {
        "type": "contract",
        "number": "U/2019/0042",
        "customer_number": CUSTOMER,
        "signed_on": "2019-05-02",
        "valid_from": "2019-05-10",
    },
    "annex": {
        "type": "annex",
        "contract": "U/2019/0042",
        "number": "1",
        "customer_number": CUSTOMER,
        "signed_on": "2024-01-15",
    },
    "document": {
        "type": "document",
        "id": "PROT-2024-17",
        "customer_number": CUSTOMER,
        "title": "Protokół",
        "date": "2024-03-02",
        "pdf_key": "documents/prot-2024-17.pdf",
    },
}

# (line, dotted field path, what the message calls it)
ID_FIELDS = [
    ("customer", "customer_number", "numer klienta"),
    ("invoice", "customer_number", "numer klienta"),
    ("invoice", "number", "Numer faktury"),
    ("correction", "corrects", "Numer faktury"),
    ("duplicate", "duplicate_of", "Numer faktury"),
    ("payment", "id", "Identyfikator wpłaty"),
    ("payment", "allocations.0.invoice", "Numer faktury"),
    ("payment", "online_order", "Numer płatności internetowej"),
    ("meter", "serial", "Numer wodomierza"),
    ("reading", "meter", "Numer wodomierza"),
    ("contract", "number", "Numer umowy"),
    ("annex", "contract", "Numer umowy"),
    ("annex", "number", "Numer aneksu"),
    ("document", "id", "Identyfikator dokumentu"),
]


def with_value(line: dict[str, Any], path: str, value: str) -> dict[str, Any]:
    """A deep copy of `line` with the field at the dotted `path` set to `value`."""
    copy = json.loads(json.dumps(line))
    *parents, last = path.split(".")
    target: Any = copy
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    return copy


def test_the_lines_are_valid_as_they_are():
    for line in LINES.values():
        parse_line(json.dumps(line))


@pytest.mark.parametrize(
    ("kind", "path", "label"), ID_FIELDS, ids=[f"{k}.{p}" for k, p, _ in ID_FIELDS]
)
def test_a_hash_in_any_id_is_refused_with_a_message_naming_the_field(kind, path, label):
    with pytest.raises(LineError) as refused:
        parse_line(json.dumps(with_value(LINES[kind], path, "A#1")))
    assert refused.value.field == path
    message = refused.value.message
    assert label.lower() in message.lower()
    assert message[0].isupper() and message.endswith(".")


HOSTILE = {
    "pipe": "FV|1",
    "hash-prefix": "#1",
    "newline": "FV/1\n",
    "tab": "FV\t1",
    "nul": "FV\x001",
    "leading-space": " FV/1",
    "trailing-space": "FV/1 ",
    "non-ascii": "FV/Ł/1",
    "fullwidth-digit": "FV/１",
    "empty": "",
    "leading-slash": "/1",
    "too-long": "F" * 65,
}


# Customer numbers are [A-Za-z0-9/-]{1,20}, as documented: a leading slash is theirs to use.
HOSTILE_CASES = [
    pytest.param(kind, path, value, id=f"{kind}.{path}-{name}")
    for kind, path, _ in ID_FIELDS
    for name, value in HOSTILE.items()
    if not (path == "customer_number" and name == "leading-slash")
]


@pytest.mark.parametrize(("kind", "path", "value"), HOSTILE_CASES)
def test_hostile_ids_are_refused_in_every_id_field(kind, path, value):
    with pytest.raises(LineError) as refused:
        parse_line(json.dumps(with_value(LINES[kind], path, value)))
    assert refused.value.field == path


def test_billing_ids_take_up_to_40_characters_and_inner_spaces():
    longest = "FV 2026/11_0001.A-" + "9" * 22
    assert len(longest) == 40
    assert parse_line(json.dumps(with_value(LINES["invoice"], "number", longest)))
    with pytest.raises(LineError):
        parse_line(json.dumps(with_value(LINES["invoice"], "number", longest + "9")))


def test_refused_ids_are_per_line_and_the_rest_is_imported(aws_env):
    report = import_lines(
        [
            LINES["contract"],
            with_value(LINES["contract"], "number", "U/2019/0042#A#1"),
            with_value(LINES["annex"], "number", "1#"),
            LINES["annex"],
        ]
    )
    assert (report.valid, report.invalid) == (2, 2)
    assert [(e["line"], e["field"]) for e in report.errors] == [(2, "number"), (3, "number")]
    assert all("Numer" in e["message"] for e in report.errors)


# --- every stored id answers its routes without a 500 -------------------------------

EDGE_BILLING_IDS = ["9", "a", "FV 2026/11_0001.A-" + "9" * 22, "Z./_-", "A  B", "0" * 40]
EDGE_KEYS = ["9", "z", "A" + "._-" * 21, "a" * 64, "a..", "0-"]


@pytest.fixture
def customer(client, outbox):
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    active_account(client, outbox, CUSTOMER)
    return bearer(client, CUSTOMER)


def put_pdf(key: str) -> None:
    aws.client("s3").put_object(Bucket=get_settings().data_bucket, Key=key, Body=b"%PDF-1.4")


def assert_walk(client, headers) -> dict[str, int]:
    """Request every list, detail and file route for every id the lists name; no 500.
    Returns the statuses of the detail and file routes by path."""
    statuses: dict[str, int] = {}

    def get(path: str) -> Any:
        answer = client.http.get(path, headers=headers)
        assert answer.status_code < 500, (path, answer.body)
        statuses[path] = answer.status_code
        return answer

    for path in ("/invoices", "/contracts", "/documents", "/meters", "/payments", "/balance"):
        assert get(path).status_code == 200
    statuses.clear()
    for invoice in get("/invoices").json_body["items"]:
        get(f"/invoices/{invoice['id']}")
        get(f"/invoices/{invoice['id']}/pdf")
        assert post_payment(client, headers, invoice["id"]).status_code < 500
    for contract in get("/contracts").json_body["items"]:
        get(f"/contracts/{contract['id']}/file")
        for annex in contract["annexes"]:
            get(f"/contracts/{contract['id']}/annexes/{annex['id']}/file")
    for document in get("/documents").json_body["items"]:
        get(f"/documents/{document['id']}/file")
    for meter in get("/meters").json_body["items"]:
        get(f"/meters/{meter['id']}/readings")
    return statuses


def post_payment(client, headers, invoice_id: str) -> Any:
    return client.http.post(
        "/payments",
        headers={"Content-Type": "application/json", **headers},
        body=json.dumps({"invoices": [invoice_id]}),
    )


def test_ids_at_the_edges_of_the_allowed_set_round_trip_through_their_routes(client, customer):
    lines: list[dict[str, Any]] = []
    for number in EDGE_BILLING_IDS:
        lines.append(with_value(LINES["invoice"], "number", number))
        lines[-1]["pdf_key"] = "invoices/edge.pdf"
        contract = with_value(LINES["contract"], "number", number)
        contract["pdf_key"] = "contracts/edge.pdf"
        lines.append(contract)
        annex = with_value(with_value(LINES["annex"], "contract", number), "number", number)
        annex["pdf_key"] = "contracts/edge.pdf"
        lines.append(annex)
    for key in EDGE_KEYS:
        lines.append(with_value(LINES["document"], "id", key))
        lines.append(with_value(LINES["meter"], "serial", key))
        lines.append(with_value(LINES["reading"], "meter", key))
    report = import_lines(lines, key="imports/edges.jsonl")
    assert report.invalid == 0, report.errors
    for key in ("invoices/edge.pdf", "contracts/edge.pdf", "documents/prot-2024-17.pdf"):
        put_pdf(key)
    put_pdf("invoices/FV-2026-10-0001.pdf")  # the registration invoice
    statuses = assert_walk(client, customer)
    # every detail, file and reading route found its object
    assert {path: status for path, status in statuses.items() if status != 200} == {}
    lists = 4  # /invoices, /contracts, /documents and /meters read again for their ids
    assert len(statuses) == lists + 2 * 7 + 6 + 6 + 6 + 6
    invoices = client.http.get("/invoices", headers=customer).json_body["items"]
    assert {i["id"] for i in invoices} >= {encode_id(n) for n in EDGE_BILLING_IDS}


def store_unchecked(line: dict[str, Any], **overrides: Any) -> None:
    """Store a line as an import from before ids were checked would have: validated with
    harmless ids, then the ids replaced without any check."""
    model = parse_line(json.dumps(line)).model_copy(update=overrides)
    model.to_item(*encode(model)).save()


LEGACY_IDS = ["A#1", "FV|2026|1", "x" * 40 + "#", "Ł/ó/1", " pad ", "C\x01D", "#", "%2F..%2F"]


def test_ids_stored_before_the_check_answer_without_a_500(client, customer):
    put_pdf("contracts/U-2019-0042.pdf")
    for number in LEGACY_IDS:
        store_unchecked(LINES["invoice"], number=number, pdf_key="invoices/x.pdf")
        store_unchecked(LINES["contract"], number=number, pdf_key="contracts/U-2019-0042.pdf")
        store_unchecked(LINES["annex"], contract="U/1", number=number)
        store_unchecked(LINES["document"], id=number)
        store_unchecked(LINES["meter"], serial=number)
    # Two records in one key: the contract "U/1#A#1" and the annex "1#" of contract "U/1".
    store_unchecked(LINES["contract"], number="U/1")
    store_unchecked(LINES["annex"], contract="U/1", number="1#", pdf_key="contracts/a.pdf")
    store_unchecked(LINES["contract"], number="U/1#A#1", pdf_key="contracts/U-2019-0042.pdf")
    assert_walk(client, customer)
    # The overwritten annex is no longer found; it is not mistaken for the contract.
    answer = client.http.get(
        f"/contracts/{encode_id('U/1')}/annexes/{encode_id('1#')}/file", headers=customer
    )
    assert answer.status_code == 404
    assert answer.json_body["error"]["message"] == "Nie ma takiego aneksu."
    assert isinstance(
        ContractRecord.get(f"CUSTOMER#{CUSTOMER}", AnnexRecord.sort_key("U/1", "1#")),
        ContractRecord,
    )
