"""Bodies of contracts, annexes and scanned documents."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from chalicelib.schemas.base import Schema


class AnnexOut(Schema):
    """An annex to a contract."""

    id: str = Field(description="Identyfikator do /contracts/{id}/annexes/{annex_id}/file.")
    number: str
    signed_on: date
    valid_from: date | None
    title: str | None
    has_pdf: bool


class ContractOut(Schema):
    """A contract with its annexes."""

    id: str = Field(description="Identyfikator do /contracts/{id}/file.")
    number: str
    kind: str = Field(description="water | sewage | both")
    signed_on: date
    valid_from: date
    valid_to: date | None
    active: bool
    has_pdf: bool
    annexes: list[AnnexOut]


class ContractList(Schema):
    """The customer's contracts, newest first."""

    items: list[ContractOut]


class DocumentOut(Schema):
    """A scanned document."""

    id: str
    title: str
    date: date


class DocumentList(Schema):
    """The customer's scanned documents, newest first."""

    items: list[DocumentOut]
