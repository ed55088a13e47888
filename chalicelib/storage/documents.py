"""Reads of a customer's contracts, annexes and scanned documents (billing partition)."""

from __future__ import annotations

from chalicelib.domain import records
from chalicelib.models.contracts import (
    CONTRACT_PREFIX,
    DOCUMENT_PREFIX,
    AnnexRecord,
    ContractRecord,
    DocumentRecord,
)
from chalicelib.storage.billing import get_item, query_prefix
from chalicelib.storage.records import parse, parse_all


def contracts_and_annexes(
    customer_number: str,
) -> tuple[list[records.Contract], list[records.Annex]]:
    """Every contract of the customer and every annex to them (one Query)."""
    items = query_prefix(customer_number, CONTRACT_PREFIX)
    return parse_all(items, records.Contract), parse_all(items, records.Annex)


def contract(customer_number: str, number: str) -> records.Contract | None:
    """One contract of the customer (one GetItem); None if there is no such contract."""
    item = get_item(ContractRecord, customer_number, ContractRecord.sort_key(number))
    return parse(item) if item is not None else None


def annex(customer_number: str, contract: str, number: str) -> records.Annex | None:
    """One annex to a contract of the customer (one GetItem); None if there is none."""
    item = get_item(AnnexRecord, customer_number, AnnexRecord.sort_key(contract, number))
    return parse(item) if item is not None else None


def documents(customer_number: str) -> list[records.Document]:
    """Every scanned document of the customer (one Query)."""
    return parse_all(query_prefix(customer_number, DOCUMENT_PREFIX), records.Document)


def document(customer_number: str, document_id: str) -> records.Document | None:
    """One scanned document of the customer (one GetItem); None if there is no such one."""
    item = get_item(DocumentRecord, customer_number, DocumentRecord.sort_key(document_id))
    return parse(item) if item is not None else None
