"""Every import record type by its `type` value."""

from __future__ import annotations

from chalicelib.imports.document_records import AnnexLine, ContractLine, DocumentLine
from chalicelib.imports.ledger_records import BalanceLine, PaymentLine
from chalicelib.imports.meter_records import MeterLine, ReadingLine
from chalicelib.imports.records import CustomerLine, InvoiceLine, Line

RECORD_TYPES: dict[str, type[Line]] = {
    "customer": CustomerLine,
    "invoice": InvoiceLine,
    "payment": PaymentLine,
    "balance": BalanceLine,
    "meter": MeterLine,
    "reading": ReadingLine,
    "contract": ContractLine,
    "annex": AnnexLine,
    "document": DocumentLine,
}
