"""Consumption analysis of the logged-in customer."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.http.endpoint import ApiRequest, endpoint
from chalicelib.lazy import lazy_module

bp = Blueprint(__name__)
service = lazy_module("chalicelib.services.consumption")
schemas = lazy_module("chalicelib.schemas.consumption")


@endpoint(
    bp,
    "/consumption",
    summary="Zużycie wody w okresach (miesiące lub okresy rozliczeniowe), rok wcześniej, "
    "średnia, podejrzenie wycieku",
    query="consumption:ConsumptionQuery",
    returns="consumption:ConsumptionOut",
    errors=(400, 401),
)
def consumption(req: ApiRequest) -> Any:
    return schemas.ConsumptionOut.from_result(service.consumption(req.user.login, req.query))
