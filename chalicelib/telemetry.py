"""Security events: logged (without personal data) and counted as a CloudWatch metric
through Powertools' embedded metric format."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from chalicelib.logs import logger

NAMESPACE = "IBOK"


def security_event(kind: str, **details: Any) -> None:
    """Record one security event of `kind` (e.g. a notification with a bad signature)."""
    logger.warning("security event", extra={"security_event": kind, **details})
    with single_metric(
        name="SecurityEvents", unit=MetricUnit.Count, value=1, namespace=NAMESPACE
    ) as metric:
        metric.add_dimension(name="kind", value=kind)
