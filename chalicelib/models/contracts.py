"""Contracts, their annexes and scanned documents, in the customer's billing partition."""

from __future__ import annotations

from chalicelib.models.billing import BillingItem, field

CONTRACT_PREFIX = "CONTRACT#"
DOCUMENT_PREFIX = "DOCUMENT#"


class ContractRecord(BillingItem, discriminator="contract"):
    """A contract for water supply and/or sewage disposal."""

    number = field("number")
    contract_kind = field("kind")  # water | sewage | both
    signed_on = field("signed_on")
    valid_from = field("valid_from")
    valid_to = field("valid_to")
    pdf_key = field("pdf_key")

    @staticmethod
    def prefix(number: str) -> str:
        """The prefix of the contract and its annexes."""
        return f"{CONTRACT_PREFIX}{number}#"

    @classmethod
    def sort_key(cls, number: str) -> str:
        """Sort key of the contract itself."""
        return cls.prefix(number)


class AnnexRecord(BillingItem, discriminator="annex"):
    """An annex to a contract."""

    contract = field("contract")
    number = field("number")
    signed_on = field("signed_on")
    valid_from = field("valid_from")
    title = field("title")
    pdf_key = field("pdf_key")

    @staticmethod
    def sort_key(contract: str, number: str) -> str:
        """Sort key of an annex."""
        return f"{ContractRecord.prefix(contract)}A#{number}"


class DocumentRecord(BillingItem, discriminator="document"):
    """A scanned document (a copy of a letter, protocol, …)."""

    document_id = field("id")
    title = field("title")
    dated = field("date")
    pdf_key = field("pdf_key")

    @staticmethod
    def sort_key(document_id: str) -> str:
        """Sort key of a document."""
        return f"{DOCUMENT_PREFIX}{document_id}"
