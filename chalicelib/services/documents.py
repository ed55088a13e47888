"""Contracts with annexes and scanned documents; their files as short-lived links."""

from __future__ import annotations

from datetime import date

from chalicelib import clock
from chalicelib.adapters.files import download_link, download_name
from chalicelib.domain.documents import contract_active
from chalicelib.domain.errors import NotFound
from chalicelib.ids import decode_id, encode_id
from chalicelib.models.contracts import (
    CONTRACT_PREFIX,
    DOCUMENT_PREFIX,
    AnnexRecord,
    ContractRecord,
    DocumentRecord,
)
from chalicelib.schemas.documents import (
    AnnexOut,
    ContractList,
    ContractOut,
    DocumentList,
    DocumentOut,
)
from chalicelib.schemas.fields import is_key
from chalicelib.schemas.ledger import FileLink
from chalicelib.storage.billing import get_item, of_type, query_prefix

NO_CONTRACT = "Nie ma takiej umowy."
NO_ANNEX = "Nie ma takiego aneksu."
NO_DOCUMENT = "Nie ma takiego dokumentu."
NO_FILE = "Plik tego dokumentu nie jest jeszcze dostępny."


def _optional_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def list_contracts(customer_number: str) -> ContractList:
    """Contracts with their annexes, newest first (one Query)."""
    items = query_prefix(customer_number, CONTRACT_PREFIX)
    annexes: dict[str, list[AnnexRecord]] = {}
    for annex in of_type(items, AnnexRecord):
        annexes.setdefault(annex.contract, []).append(annex)
    now = clock.today()
    contracts = sorted(
        of_type(items, ContractRecord), key=lambda c: (c.valid_from, c.number), reverse=True
    )
    return ContractList(
        items=[
            ContractOut(
                id=encode_id(c.number),
                number=c.number,
                kind=c.contract_kind,
                signed_on=date.fromisoformat(c.signed_on),
                valid_from=date.fromisoformat(c.valid_from),
                valid_to=_optional_date(c.valid_to),
                active=contract_active(
                    date.fromisoformat(c.valid_from), _optional_date(c.valid_to), now
                ),
                has_pdf=bool(c.pdf_key),
                annexes=[
                    AnnexOut(
                        id=encode_id(a.number),
                        number=a.number,
                        signed_on=date.fromisoformat(a.signed_on),
                        valid_from=_optional_date(a.valid_from),
                        title=a.title,
                        has_pdf=bool(a.pdf_key),
                    )
                    for a in sorted(annexes.get(c.number, []), key=lambda a: a.signed_on)
                ],
            )
            for c in contracts
        ]
    )


def _link(key: str | None, stem: str) -> FileLink:
    filename = f"{download_name(stem)}.pdf"
    url, expires = download_link(key, filename, NO_FILE)
    return FileLink(url=url, expires_at=expires, filename=filename)


def contract_file(customer_number: str, identifier: str) -> FileLink:
    """A short-lived link to the contract's PDF."""
    number = decode_id(identifier, NO_CONTRACT)
    contract = get_item(ContractRecord, customer_number, ContractRecord.sort_key(number))
    if contract is None:
        raise NotFound(NO_CONTRACT)
    return _link(contract.pdf_key, f"Umowa-{number}")


def annex_file(customer_number: str, contract_id: str, annex_id: str) -> FileLink:
    """A short-lived link to an annex's PDF."""
    contract = decode_id(contract_id, NO_ANNEX)
    number = decode_id(annex_id, NO_ANNEX)
    annex = get_item(AnnexRecord, customer_number, AnnexRecord.sort_key(contract, number))
    if annex is None:
        raise NotFound(NO_ANNEX)
    return _link(annex.pdf_key, f"Aneks-{number}-do-umowy-{contract}")


def list_documents(customer_number: str) -> DocumentList:
    """Scanned documents, newest first (one Query)."""
    documents = of_type(query_prefix(customer_number, DOCUMENT_PREFIX), DocumentRecord)
    documents.sort(key=lambda d: (d.dated, d.document_id), reverse=True)
    return DocumentList(
        items=[
            DocumentOut(id=d.document_id, title=d.title, date=date.fromisoformat(d.dated))
            for d in documents
        ]
    )


def document_file(customer_number: str, document_id: str) -> FileLink:
    """A short-lived link to a scanned document."""
    if not is_key(document_id):
        raise NotFound(NO_DOCUMENT)
    document = get_item(DocumentRecord, customer_number, DocumentRecord.sort_key(document_id))
    if document is None:
        raise NotFound(NO_DOCUMENT)
    return _link(document.pdf_key, f"{document.dated}-{document.title}")
