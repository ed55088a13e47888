"""The self-service record types of the billing import: each upserts by its natural key,
reports bad lines, and a new invoice records one notice for the customer."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain import records
from chalicelib.models.billing import BillingItem, InvoiceRecord, PaymentRecord
from chalicelib.models.contracts import AnnexRecord, ContractRecord, DocumentRecord
from chalicelib.models.meters import MeterRecord, ReadingRecord
from chalicelib.money import parse_grosze
from chalicelib.storage.records import RECORD_OF_MODEL, parse
from tests.factories import customer_line, import_lines, invoice_line

CUSTOMER = "100200"

LINES = [
    customer_line(CUSTOMER),
    invoice_line("FV/1", CUSTOMER, "123.45"),
    invoice_line("KOR/1", CUSTOMER, "-10.80", kind="correction", corrects="FV/1"),
    invoice_line("DUP/1", CUSTOMER, "123.45", kind="duplicate", duplicate_of="FV/1"),
    {
        "type": "payment",
        "id": "P/2026/1",
        "customer_number": CUSTOMER,
        "paid_on": "2026-10-10",
        "amount": "100,00",
        "method": "transfer",
        "allocations": [{"invoice": "FV/1", "amount": "100.00"}],
    },
    {"type": "balance", "customer_number": CUSTOMER, "as_of": "2026-10-31", "amount": "-5,50"},
    {
        "type": "meter",
        "serial": "W-17",
        "customer_number": CUSTOMER,
        "kind": "garden",
        "installed_on": "2024-04-01",
        "certified_until": "2029-04-01",
        "seal": "PL-0042",
        "initial_value": "0,5",
    },
    {
        "type": "reading",
        "customer_number": CUSTOMER,
        "meter": "W-17",
        "date": "2026-10-31",
        "value": "12,345",
        "source": "collector",
    },
    {
        "type": "contract",
        "number": "U/1",
        "customer_number": CUSTOMER,
        "kind": "water",
        "signed_on": "2024-03-01",
        "valid_from": "2024-04-01",
    },
    {
        "type": "annex",
        "contract": "U/1",
        "number": "1",
        "customer_number": CUSTOMER,
        "signed_on": "2025-01-01",
    },
    {
        "type": "document",
        "id": "D1",
        "customer_number": CUSTOMER,
        "title": "Protokół",
        "date": "2026-01-02",
        "pdf_key": "documents/d1.pdf",
    },
    invoice_line("NO/1", CUSTOMER, "12.30", kind="interest_note", net="12.30", vat="0.00"),
    invoice_line("NK/1", CUSTOMER, "-21.60", kind="accounting_note", due_date="2026-10-31"),
]


def items():
    return {item.sk: item for item in BillingItem.query(BillingItem.partition(CUSTOMER))}


def records_by_key():
    return {sk: parse(item) for sk, item in items().items() if type(item) in RECORD_OF_MODEL}


def test_every_type_lands_under_its_natural_key_with_exact_values(aws_env):
    report = import_lines(LINES)
    assert report.invalid == 0, report.errors
    assert report.created == len(LINES)
    stored = records_by_key()
    invoice = stored[InvoiceRecord.sort_key("FV/1")]
    assert isinstance(invoice, records.Invoice) and invoice.gross == 12345
    correction = stored[InvoiceRecord.sort_key("KOR/1")]
    assert (correction.gross, correction.corrects) == (-1080, "FV/1")
    payment = stored[PaymentRecord.sort_key("P/2026/1")]
    assert payment.allocations == (records.Allocation(invoice="FV/1", amount=10000),)
    assert stored["LEDGER#BALANCE#2026-10-31"].amount == -550
    meter = stored[MeterRecord.sort_key("W-17")]
    assert (meter.kind, meter.initial_value, meter.seal) == ("garden", 500, "PL-0042")
    reading = stored[ReadingRecord.sort_key("W-17", "2026-10-31", "collector")]
    assert (reading.value, reading.source) == (12345, "collector")
    assert isinstance(stored[ContractRecord.sort_key("U/1")], records.Contract)
    assert isinstance(stored[AnnexRecord.sort_key("U/1", "1")], records.Annex)
    assert stored[DocumentRecord.sort_key("D1")].title == "Protokół"
    interest = stored[InvoiceRecord.sort_key("NO/1")]
    assert isinstance(interest, records.Invoice)
    assert (interest.kind, interest.net, interest.vat, interest.gross) == (
        "interest_note",
        1230,
        0,
        1230,
    )
    assert (interest.corrects, interest.duplicate_of) == (None, None)
    accounting = stored[InvoiceRecord.sort_key("NK/1")]
    assert (accounting.kind, accounting.net, accounting.vat, accounting.gross) == (
        "accounting_note",
        -2000,
        -160,
        -2160,
    )
    assert (accounting.issue_date, accounting.due_date, accounting.pdf_key) == (
        date(2026, 10, 1),
        date(2026, 10, 31),
        "invoices/NK-1.pdf",
    )


def _waiting_notices() -> list[InvoiceRecord]:
    """The customer's invoices whose notice is still to be sent."""
    return list(
        InvoiceRecord.query(
            BillingItem.partition(CUSTOMER),
            InvoiceRecord.sk.startswith(InvoiceRecord.PREFIX),
            filter_condition=InvoiceRecord.notice_state == "pending",
        )
    )


def test_new_invoices_record_one_notice_and_reimports_add_none(aws_env):
    import_lines(LINES)
    pending = _waiting_notices()
    # The invoice, the correction and both notes; a duplicate is a copy and tells nothing new.
    assert sorted(i.sk for i in pending) == [
        InvoiceRecord.sort_key("FV/1"),
        InvoiceRecord.sort_key("KOR/1"),
        InvoiceRecord.sort_key("NK/1"),
        InvoiceRecord.sort_key("NO/1"),
    ]
    again = import_lines(LINES, key="imports/again.jsonl")
    assert again.unchanged == len(LINES) and again.created == again.updated == 0
    assert len(_waiting_notices()) == 4


def test_a_changed_invoice_keeps_its_notice_state(aws_env):
    import_lines(LINES)
    sent = InvoiceRecord.get(BillingItem.partition(CUSTOMER), InvoiceRecord.sort_key("FV/1"))
    sent.update(actions=[InvoiceRecord.notice_state.remove()])  # the customer was told
    changed = [*LINES[:1], invoice_line("FV/1", CUSTOMER, "123.45", due_date="2026-10-30")]
    report = import_lines(changed, key="imports/changed.jsonl")
    assert report.updated == 1
    stored = InvoiceRecord.get(BillingItem.partition(CUSTOMER), InvoiceRecord.sort_key("FV/1"))
    assert parse(stored).due_date == date(2026, 10, 30)
    assert stored.notice_state is None  # not told twice
    unsent = InvoiceRecord.get(BillingItem.partition(CUSTOMER), InvoiceRecord.sort_key("KOR/1"))
    assert unsent.notice_state == "pending"


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({**LINES[4], "amount": "0"}, "_"),
        ({**LINES[4], "allocations": [{"invoice": "FV/1", "amount": "200.00"}]}, "_"),
        ({**LINES[4], "method": "cheque"}, "method"),
        ({**LINES[6], "status": "removed"}, "_"),
        ({**LINES[6], "serial": "W 17"}, "serial"),
        ({**LINES[7], "value": "12,3456"}, "value"),
        ({**LINES[7], "value": "-1"}, "value"),
        ({**LINES[7], "source": "guess"}, "source"),
        ({**LINES[8], "valid_to": "2020-01-01"}, "_"),
        ({**LINES[10], "pdf_key": "invoices/d1.pdf"}, "pdf_key"),
        (invoice_line("FV/2", CUSTOMER, "-1.08"), "_"),
        (invoice_line("DUP/2", CUSTOMER, "1.08", kind="duplicate"), "_"),
        (invoice_line("FV/3", CUSTOMER, "1.08", corrects="FV/1"), "_"),
        (invoice_line("NO/2", CUSTOMER, "-1.08", kind="interest_note"), "_"),  # never negative
        (invoice_line("NO/3", CUSTOMER, "1.08", kind="interest_note", corrects="FV/1"), "_"),
        (invoice_line("NK/2", CUSTOMER, "1.08", kind="accounting_note", net="1.01"), "_"),
        (invoice_line("NK/3", CUSTOMER, "1.08", kind="credit_note"), "kind"),
    ],
)
def test_bad_lines_of_the_new_types_are_reported(aws_env, line, field):
    report = import_lines([LINES[0], line])
    assert report.invalid == 1 and report.valid == 1
    error = report.errors[0]
    assert (error["line"], error["field"]) == (2, field)
    assert error["message"]


@pytest.mark.parametrize(
    ("kind", "gross", "accepted"),
    [
        ("interest_note", "0.00", True),
        ("interest_note", "-0.01", False),  # interest is never owed back
        ("accounting_note", "-0.01", True),  # an accounting note may credit the customer
        ("accounting_note", "54.00", True),
        ("correction", "-0.01", True),
        ("invoice", "-0.01", False),
    ],
)
def test_sign_rule_of_notes(aws_env, kind, gross, accepted):
    extra = {"corrects": "FV/1"} if kind == "correction" else {}
    report = import_lines([LINES[0], invoice_line("N/1", CUSTOMER, gross, kind=kind, **extra)])
    assert (report.valid, report.invalid) == ((2, 0) if accepted else (1, 1)), report.errors
    if accepted:
        stored = InvoiceRecord.get(BillingItem.partition(CUSTOMER), InvoiceRecord.sort_key("N/1"))
        assert (parse(stored).kind, parse(stored).gross) == (kind, parse_grosze(gross))
    else:
        assert report.errors[0]["message"] == (
            "Kwota ujemna jest dozwolona tylko w korekcie i nocie księgowej."
        )
