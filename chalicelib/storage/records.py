"""Billing items as the typed records of domain/records.py.

Each item holds its validated import line (or, for a customer's reading, what the portal
stored) as a JSON body; one pydantic TypeAdapter per record type parses it. Nothing else
converts billing fields: services get `date`, `int` and `datetime` values.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from pydantic import TypeAdapter

from chalicelib.domain import records
from chalicelib.domain.readings import ExportState
from chalicelib.models.billing import (
    BalanceRecord,
    BillingItem,
    CustomerRecord,
    InvoiceRecord,
    PaymentRecord,
)
from chalicelib.models.contracts import AnnexRecord, ContractRecord, DocumentRecord
from chalicelib.models.meters import MeterRecord, ReadingRecord

Record = TypeVar("Record")

RECORD_OF_MODEL: dict[type[BillingItem], type[Any]] = {
    CustomerRecord: records.Customer,
    InvoiceRecord: records.Invoice,
    PaymentRecord: records.Payment,
    BalanceRecord: records.Balance,
    MeterRecord: records.Meter,
    ReadingRecord: records.Reading,
    ContractRecord: records.Contract,
    AnnexRecord: records.Annex,
    DocumentRecord: records.Document,
}
MODEL_OF_RECORD = {record: model for model, record in RECORD_OF_MODEL.items()}


@cache
def _adapter(record: type[Record]) -> TypeAdapter[Record]:
    return TypeAdapter(record)


def parse(item: BillingItem) -> Any:
    """The record an item holds (its type follows the item's model)."""
    record = _adapter(RECORD_OF_MODEL[type(item)]).validate_json(item.body or "{}")
    if isinstance(item, ReadingRecord) and (item.export_state or item.exported_at):
        # A customer's reading: its export state lives in top-level attributes.
        return dataclasses.replace(
            record,
            export_state=ExportState(item.export_state) if item.export_state else None,
            exported_at=datetime.fromisoformat(item.exported_at) if item.exported_at else None,
        )
    return record


def parse_all(items: list[BillingItem], record: type[Record]) -> list[Record]:
    """The records of type `record` among `items`, in their order."""
    model = MODEL_OF_RECORD[record]
    return [parse(item) for item in items if type(item) is model]


STATE_FIELDS = {"export_state", "exported_at"}  # top-level attributes, not in the body


def body_of(record: Any) -> str:
    """The JSON body storing `record` (None fields left out, like an import line's)."""
    dumped = _adapter(type(record)).dump_json(record, exclude_none=True, exclude=STATE_FIELDS)
    return dumped.decode("utf-8")
