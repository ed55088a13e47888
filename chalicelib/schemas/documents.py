"""Bodies of contracts, annexes and scanned documents."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import Field

from chalicelib.ids import encode_id
from chalicelib.schemas.base import Schema

if TYPE_CHECKING:
    from chalicelib.domain.documents import ContractView
    from chalicelib.domain.records import Annex, Document


class AnnexOut(Schema):
    """An annex to a contract."""

    id: str = Field(description="Identyfikator do /contracts/{id}/annexes/{annex_id}/file.")
    number: str
    signed_on: date
    valid_from: date | None
    title: str | None
    has_pdf: bool

    @classmethod
    def from_record(cls, annex: Annex) -> AnnexOut:
        """The body of one annex."""
        return cls(
            id=encode_id(annex.number),
            number=annex.number,
            signed_on=annex.signed_on,
            valid_from=annex.valid_from,
            title=annex.title,
            has_pdf=bool(annex.pdf_key),
        )


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

    @classmethod
    def from_result(cls, view: ContractView) -> ContractOut:
        """The body of one contract with its annexes."""
        contract = view.contract
        return cls(
            id=encode_id(contract.number),
            number=contract.number,
            kind=contract.kind,
            signed_on=contract.signed_on,
            valid_from=contract.valid_from,
            valid_to=contract.valid_to,
            active=view.active,
            has_pdf=bool(contract.pdf_key),
            annexes=[AnnexOut.from_record(annex) for annex in view.annexes],
        )


class ContractList(Schema):
    """The customer's contracts, newest first."""

    items: list[ContractOut]

    @classmethod
    def from_result(cls, views: list[ContractView]) -> ContractList:
        """The body of the customer's contracts."""
        return cls(items=[ContractOut.from_result(view) for view in views])


class DocumentOut(Schema):
    """A scanned document."""

    id: str
    title: str
    date: date


class DocumentList(Schema):
    """The customer's scanned documents, newest first."""

    items: list[DocumentOut]

    @classmethod
    def from_result(cls, documents: list[Document]) -> DocumentList:
        """The body of the customer's scanned documents."""
        return cls(items=[DocumentOut(id=d.id, title=d.title, date=d.date) for d in documents])
