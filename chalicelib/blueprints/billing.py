"""Invoices, balance, settlements and booked payments of the logged-in customer."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.http.endpoint import ApiRequest, endpoint
from chalicelib.lazy import lazy_module

bp = Blueprint(__name__)
ledger = lazy_module("chalicelib.services.ledger")
schemas = lazy_module("chalicelib.schemas.ledger")


@endpoint(
    bp,
    "/invoices",
    summary="Faktury (filtry: kind, status, from, to; stronicowanie kursorem)",
    query="ledger:InvoiceQuery",
    returns="ledger:InvoiceList",
    errors=(400, 401),
)
def invoices(req: ApiRequest) -> Any:
    return schemas.InvoiceList.from_result(ledger.list_invoices(req.user.login, req.query))


@endpoint(
    bp,
    "/invoices/{invoice_id}",
    summary="Faktura z łańcuchem korekt",
    returns="ledger:InvoiceDetail",
    errors=(401, 404),
)
def invoice(req: ApiRequest, invoice_id: str) -> Any:
    return schemas.InvoiceDetail.from_result(ledger.get_invoice(req.user.login, invoice_id))


@endpoint(
    bp,
    "/invoices/{invoice_id}/pdf",
    summary="Link (ważny do 5 minut) do pobrania PDF faktury",
    returns="ledger:FileLink",
    errors=(401, 404),
)
def invoice_pdf(req: ApiRequest, invoice_id: str) -> Any:
    link = ledger.invoice_pdf(req.user.login, invoice_id)
    return schemas.FileLink(url=link.url, expires_at=link.expires_at, filename=link.filename)


@endpoint(bp, "/balance", summary="Saldo na dziś", returns="ledger:BalanceOut", errors=(401,))
def balance(req: ApiRequest) -> Any:
    return schemas.BalanceOut.from_result(ledger.balance(req.user.login))


@endpoint(
    bp,
    "/settlements",
    summary="Rozliczenia: obciążenia i wpłaty z saldem narastająco",
    query="ledger:PageQuery",
    returns="ledger:SettlementList",
    errors=(400, 401),
)
def settlements(req: ApiRequest) -> Any:
    return schemas.SettlementList.from_result(ledger.settlements(req.user.login, req.query))


@endpoint(
    bp,
    "/payments",
    summary="Wpłaty zaksięgowane przez system rozliczeniowy",
    query="ledger:PageQuery",
    returns="ledger:PaymentList",
    errors=(400, 401),
)
def payments(req: ApiRequest) -> Any:
    return schemas.PaymentList.from_result(ledger.payments(req.user.login, req.query))
