"""X-Ray tracing through Powertools Tracer, in Lambda only.

Every invocation (API request, queue batch, schedule) runs in a subsegment named for what
it is, annotated with the route or handler, and the Tracer patches botocore so each
DynamoDB, S3, SES, SQS and SSM call shows as its own subsegment. Outside Lambda (tests,
`make run`) or with POWERTOOLS_TRACE_DISABLED set, nothing is imported or recorded: the
X-Ray SDK stays out of cold starts that do not use it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any


def enabled() -> bool:
    """Trace only in Lambda (whose active tracing opens the segment) unless disabled."""
    disabled = os.environ.get("POWERTOOLS_TRACE_DISABLED", "").lower() in ("1", "true")
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME")) and not disabled


@cache
def tracer() -> Any:
    """The Powertools Tracer of this container (created on first traced invocation)."""
    from aws_lambda_powertools import Tracer

    return Tracer(patch_modules=("botocore",))


@contextmanager
def subsegment(name: str, **annotations: str) -> Iterator[None]:
    """Run the block in an X-Ray subsegment with searchable annotations (when tracing)."""
    if not enabled():
        yield
        return
    with tracer().provider.in_subsegment(name=name) as sub:
        for key, value in annotations.items():
            sub.put_annotation(key=key, value=value)
        yield


def _name(event: Any) -> tuple[str, dict[str, str]]:
    context = getattr(event, "context", None)
    if isinstance(context, dict) and "resourcePath" in context:  # an API request
        route = context["resourcePath"]
        return f"## {getattr(event, 'method', '')} {route}", {"route": route}
    handler = getattr(context, "function_name", None) or type(event).__name__
    return f"## {handler}", {"handler": str(handler)}


def tracing_middleware(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Chalice middleware for every event type: one subsegment per invocation."""
    if not enabled():
        return get_response(event)
    name, annotations = _name(event)
    with subsegment(name, **annotations):
        return get_response(event)
