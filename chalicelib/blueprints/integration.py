"""Routes for the billing system (role `integration`; staff may read them too)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.domain.roles import SYSTEM_ROLES
from chalicelib.http.endpoint import ApiRequest, endpoint
from chalicelib.lazy import lazy_module

bp = Blueprint(__name__)
integration = lazy_module("chalicelib.services.integration")
schemas = lazy_module("chalicelib.schemas.integration")


@endpoint(
    bp,
    "/integration/readings",
    summary="Odczyty podane przez klientów, od kursora (dla systemu rozliczeniowego)",
    query="integration:FeedQuery",
    returns="integration:ReadingFeed",
    errors=(400, 401, 403),
    roles=SYSTEM_ROLES,
)
def reading_feed(req: ApiRequest) -> Any:
    return schemas.ReadingFeed.from_result(integration.reading_feed(req.query))
