"""Import lines of contracts, their annexes and scanned documents."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import model_validator

from chalicelib.imports.records import Line, Text, pdf_key
from chalicelib.models.billing import BillingItem
from chalicelib.models.contracts import AnnexRecord, ContractRecord, DocumentRecord
from chalicelib.schemas.fields import ImportedCustomerNumber, billing_id, key_id

ContractPdf = pdf_key("contracts")
DocumentPdf = pdf_key("documents")
ContractNumber = billing_id("Numer umowy")
AnnexNumber = billing_id("Numer aneksu")
DocumentId = key_id("Identyfikator dokumentu")


class ContractLine(Line):
    """A contract for water supply, sewage disposal or both."""

    MODEL = ContractRecord

    type: Literal["contract"]
    number: ContractNumber
    customer_number: ImportedCustomerNumber
    kind: Literal["water", "sewage", "both"] = "both"
    signed_on: date
    valid_from: date
    valid_to: date | None = None
    pdf_key: ContractPdf | None = None

    @model_validator(mode="after")
    def _check(self) -> ContractLine:
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("Umowa nie może kończyć się przed początkiem obowiązywania.")
        return self

    def natural_key(self) -> tuple[str, str]:
        return BillingItem.partition(self.customer_number), ContractRecord.sort_key(self.number)


class AnnexLine(Line):
    """An annex to a contract."""

    MODEL = AnnexRecord

    type: Literal["annex"]
    contract: ContractNumber
    number: AnnexNumber
    customer_number: ImportedCustomerNumber
    signed_on: date
    valid_from: date | None = None
    title: Text | None = None
    pdf_key: ContractPdf | None = None

    def natural_key(self) -> tuple[str, str]:
        return (
            BillingItem.partition(self.customer_number),
            AnnexRecord.sort_key(self.contract, self.number),
        )


class DocumentLine(Line):
    """A scanned document."""

    MODEL = DocumentRecord

    type: Literal["document"]
    id: DocumentId
    customer_number: ImportedCustomerNumber
    title: Text
    date: date
    pdf_key: DocumentPdf

    def natural_key(self) -> tuple[str, str]:
        return BillingItem.partition(self.customer_number), DocumentRecord.sort_key(self.id)
