"""Contracts, annexes and scanned documents of the logged-in customer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.http.endpoint import ApiRequest, endpoint
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.domain.documents import DownloadLink

bp = Blueprint(__name__)
documents = lazy_module("chalicelib.services.documents")
schemas = lazy_module("chalicelib.schemas.documents")
ledger_schemas = lazy_module("chalicelib.schemas.ledger")


def _file_link(link: DownloadLink) -> Any:
    """The body of a short-lived link."""
    return ledger_schemas.FileLink(url=link.url, expires_at=link.expires_at, filename=link.filename)


@endpoint(
    bp, "/contracts", summary="Umowy z aneksami", returns="documents:ContractList", errors=(401,)
)
def contracts(req: ApiRequest) -> Any:
    return schemas.ContractList.from_result(documents.list_contracts(req.user.login))


@endpoint(
    bp,
    "/contracts/{contract_id}/file",
    summary="Link (ważny do 5 minut) do PDF umowy",
    returns="ledger:FileLink",
    errors=(401, 404),
)
def contract_file(req: ApiRequest, contract_id: str) -> Any:
    return _file_link(documents.contract_file(req.user.login, contract_id))


@endpoint(
    bp,
    "/contracts/{contract_id}/annexes/{annex_id}/file",
    summary="Link (ważny do 5 minut) do PDF aneksu",
    returns="ledger:FileLink",
    errors=(401, 404),
)
def annex_file(req: ApiRequest, contract_id: str, annex_id: str) -> Any:
    return _file_link(documents.annex_file(req.user.login, contract_id, annex_id))


@endpoint(
    bp, "/documents", summary="Skany dokumentów", returns="documents:DocumentList", errors=(401,)
)
def document_list(req: ApiRequest) -> Any:
    return schemas.DocumentList.from_result(documents.list_documents(req.user.login))


@endpoint(
    bp,
    "/documents/{document_id}/file",
    summary="Link (ważny do 5 minut) do skanu dokumentu",
    returns="ledger:FileLink",
    errors=(401, 404),
)
def document_file(req: ApiRequest, document_id: str) -> Any:
    return _file_link(documents.document_file(req.user.login, document_id))
