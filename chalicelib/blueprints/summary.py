"""The dashboard of the logged-in customer in one call."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.http.endpoint import ApiRequest, endpoint
from chalicelib.lazy import lazy_module

bp = Blueprint(__name__)
summaries = lazy_module("chalicelib.services.summary")
schemas = lazy_module("chalicelib.schemas.summary")


@endpoint(
    bp,
    "/summary",
    summary="Pulpit: saldo, nieopłacone faktury, ostatnie odczyty, legalizacja, komunikaty",
    returns="summary:SummaryOut",
    errors=(401,),
)
def summary(req: ApiRequest) -> Any:
    return schemas.SummaryOut.from_result(summaries.summary(req.user.login))
