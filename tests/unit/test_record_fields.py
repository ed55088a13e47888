"""Each billing record is declared once (domain/records.py): the import line of its type
has exactly its fields, and a stored line parses back into the record, typed."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from chalicelib.domain import records
from chalicelib.imports.parsing import encode, parse_line
from chalicelib.imports.registry import RECORD_TYPES
from chalicelib.storage.records import MODEL_OF_RECORD, RECORD_OF_MODEL, STATE_FIELDS, parse

RECORD_OF_TYPE = {
    "customer": records.Customer,
    "invoice": records.Invoice,
    "payment": records.Payment,
    "balance": records.Balance,
    "meter": records.Meter,
    "reading": records.Reading,
    "contract": records.Contract,
    "annex": records.Annex,
    "document": records.Document,
}


def test_every_line_type_has_a_record_and_a_model():
    assert set(RECORD_OF_TYPE) == set(RECORD_TYPES)
    assert {RECORD_TYPES[kind].MODEL for kind in RECORD_TYPES} == set(RECORD_OF_MODEL)
    assert set(MODEL_OF_RECORD) == set(RECORD_OF_TYPE.values())


@pytest.mark.parametrize("kind", sorted(RECORD_OF_TYPE))
def test_the_line_declares_the_fields_of_its_record(kind):
    line_fields = set(RECORD_TYPES[kind].model_fields) - {"type"}
    record_fields = {f.name for f in dataclasses.fields(RECORD_OF_TYPE[kind])}
    record_fields -= STATE_FIELDS | records.SUBMISSION_FIELDS
    assert line_fields == record_fields


def _stored(raw: str):
    line = parse_line(raw)
    content_hash, body = encode(line)
    return line.to_item(content_hash, body)


def test_an_invoice_line_parses_back_into_a_typed_record():
    item = _stored(
        '{"type": "invoice", "number": "FV/1/2026", "customer_number": "100200",'
        ' "issue_date": "2026-01-05", "due_date": "2026-01-19", "net": "10.00", "vat": "0.80",'
        ' "gross": "10.80", "pdf_key": "invoices/FV-1-2026.pdf"}'
    )
    invoice = parse(item)
    assert invoice == records.Invoice(
        number="FV/1/2026",
        customer_number="100200",
        issue_date=date(2026, 1, 5),
        due_date=date(2026, 1, 19),
        net=1000,
        vat=80,
        gross=1080,
        pdf_key="invoices/FV-1-2026.pdf",
    )


def test_a_payment_keeps_its_allocations_as_records():
    item = _stored(
        '{"type": "payment", "id": "W/1", "customer_number": "100200", "paid_on": "2026-02-01",'
        ' "amount": "50.00", "allocations": [{"invoice": "FV/1/2026", "amount": "10.80"}]}'
    )
    payment = parse(item)
    assert payment.allocations == (records.Allocation("FV/1/2026", 1080),)
    assert payment.paid_on == date(2026, 2, 1)
    assert payment.method == "transfer"


def test_a_customer_keeps_nested_addresses():
    item = _stored(
        '{"type": "customer", "customer_number": "100200", "name": "Jan Kowalski",'
        ' "service_address": {"street": "Wodna 1", "postal_code": "00-001", "city": "Gdańsk"},'
        ' "contract_status": "active"}'
    )
    customer = parse(item)
    assert customer.service_address == records.Address("Wodna 1", "00-001", "Gdańsk")
    assert customer.correspondence_address is None
