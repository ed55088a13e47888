"""Contracts with annexes and scanned documents; their files as short-lived links."""

from __future__ import annotations

from chalicelib.adapters.files import download_link, download_name
from chalicelib.domain.documents import ContractView, DownloadLink, contract_active
from chalicelib.domain.errors import NotFound
from chalicelib.domain.records import Annex, Document
from chalicelib.ids import decode_id
from chalicelib.schemas.fields import is_key
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.storage import documents as store

NO_CONTRACT = "Nie ma takiej umowy."
NO_ANNEX = "Nie ma takiego aneksu."
NO_DOCUMENT = "Nie ma takiego dokumentu."
NO_FILE = "Plik tego dokumentu nie jest jeszcze dostępny."


def list_contracts(customer_number: str, deps: Collaborators | None = None) -> list[ContractView]:
    """Contracts with their annexes, newest first (one Query)."""
    contracts, all_annexes = store.contracts_and_annexes(customer_number)
    annexes: dict[str, list[Annex]] = {}
    for annex in all_annexes:
        annexes.setdefault(annex.contract, []).append(annex)
    today = (deps or current()).clock.today()
    contracts.sort(key=lambda c: (c.valid_from, c.number), reverse=True)
    return [
        ContractView(
            contract=c,
            active=contract_active(c.valid_from, c.valid_to, today),
            annexes=sorted(annexes.get(c.number, []), key=lambda a: a.signed_on),
        )
        for c in contracts
    ]


def _link(key: str | None, stem: str) -> DownloadLink:
    filename = f"{download_name(stem)}.pdf"
    url, expires = download_link(key, filename, NO_FILE)
    return DownloadLink(url=url, expires_at=expires, filename=filename)


def contract_file(customer_number: str, identifier: str) -> DownloadLink:
    """A short-lived link to the contract's PDF."""
    number = decode_id(identifier, NO_CONTRACT)
    contract = store.contract(customer_number, number)
    if contract is None:
        raise NotFound(NO_CONTRACT)
    return _link(contract.pdf_key, f"Umowa-{number}")


def annex_file(customer_number: str, contract_id: str, annex_id: str) -> DownloadLink:
    """A short-lived link to an annex's PDF."""
    contract = decode_id(contract_id, NO_ANNEX)
    number = decode_id(annex_id, NO_ANNEX)
    annex = store.annex(customer_number, contract, number)
    if annex is None:
        raise NotFound(NO_ANNEX)
    return _link(annex.pdf_key, f"Aneks-{number}-do-umowy-{contract}")


def list_documents(customer_number: str) -> list[Document]:
    """Scanned documents, newest first (one Query)."""
    documents = store.documents(customer_number)
    documents.sort(key=lambda d: (d.date, d.id), reverse=True)
    return documents


def document_file(customer_number: str, document_id: str) -> DownloadLink:
    """A short-lived link to a scanned document."""
    if not is_key(document_id):
        raise NotFound(NO_DOCUMENT)
    document = store.document(customer_number, document_id)
    if document is None:
        raise NotFound(NO_DOCUMENT)
    return _link(document.pdf_key, f"{document.date.isoformat()}-{document.title}")
