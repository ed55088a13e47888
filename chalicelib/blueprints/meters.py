"""Meters, reading history and reading submission of the logged-in customer."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.http.endpoint import ApiRequest, endpoint
from chalicelib.lazy import lazy_module

bp = Blueprint(__name__)
meters = lazy_module("chalicelib.services.meters")
schemas = lazy_module("chalicelib.schemas.meters")


@endpoint(
    bp,
    "/meters",
    summary="Wodomierze: stan, legalizacja, ostatni odczyt",
    returns="meters:MeterList",
    errors=(401,),
)
def meter_list(req: ApiRequest) -> Any:
    return schemas.MeterList.from_result(meters.list_meters(req.user.login))


@endpoint(
    bp,
    "/meters/{meter_id}/readings",
    summary="Historia odczytów wodomierza ze zużyciem między odczytami",
    query="ledger:PageQuery",
    returns="meters:ReadingHistory",
    errors=(400, 401, 404),
)
def reading_history(req: ApiRequest, meter_id: str) -> Any:
    page = meters.reading_history(req.user.login, meter_id, req.query)
    return schemas.ReadingHistory.from_result(page)


@endpoint(
    bp,
    "/meters/{meter_id}/readings",
    "POST",
    summary="Podanie odczytu wodomierza (opcjonalnie ze zdjęciem)",
    body="meters:ReadingSubmission",
    returns="meters:SubmittedReading",
    status=201,
    errors=(400, 401, 403, 404, 409),
)
def submit_reading(req: ApiRequest, meter_id: str) -> Any:
    submitted = meters.submit_reading(req.user.login, meter_id, req.body, req.user.login)
    return schemas.SubmittedReading.from_result(submitted)
