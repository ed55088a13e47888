"""Contracts, their annexes and scanned documents, in the customer's billing partition.

Each item's body is its record (domain/records.py Contract, Annex, Document), parsed by
storage/records.py."""

from __future__ import annotations

from chalicelib.models.billing import BillingItem

CONTRACT_PREFIX = "CONTRACT#"
DOCUMENT_PREFIX = "DOCUMENT#"


class ContractRecord(BillingItem, discriminator="contract"):
    """A contract for water supply and/or sewage disposal."""

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

    @staticmethod
    def sort_key(contract: str, number: str) -> str:
        """Sort key of an annex."""
        return f"{ContractRecord.prefix(contract)}A#{number}"


class DocumentRecord(BillingItem, discriminator="document"):
    """A scanned document (a copy of a letter, protocol, …)."""

    @staticmethod
    def sort_key(document_id: str) -> str:
        """Sort key of a document."""
        return f"{DOCUMENT_PREFIX}{document_id}"
