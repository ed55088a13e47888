"""HTTP middleware: one JSON error shape for Chalice's own errors, security headers,
the request id, and an access log line without personal data."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from chalice import Response

from chalicelib.http.cors import apply_cors
from chalicelib.http.responses import API_SECURITY_HEADERS, current_request_id, error_reply
from chalicelib.logs import logger

# Chalice's built-in errors (and API Gateway's, infra/gateway_responses.py), in Polish.
CHALICE_ERRORS = {
    "BadRequestError": ("bad_request", "Nieprawidłowe żądanie."),
    "UnsupportedMediaType": ("unsupported_media_type", "Wyślij dane jako application/json."),
    "MethodNotAllowedError": (
        "method_not_allowed",
        "Ta metoda nie jest obsługiwana pod tym adresem.",
    ),
    "NotFoundError": ("not_found", "Nie znaleziono."),
    "UnauthorizedError": ("unauthorized", "Zaloguj się, aby kontynuować."),
    "ForbiddenError": ("forbidden", "Brak uprawnień do tej operacji."),
    "TooManyRequestsError": ("too_many_requests", "Zbyt wiele żądań. Spróbuj ponownie za chwilę."),
    "BadRequest": ("bad_request", "Nieprawidłowe żądanie."),
    "RequestTooLarge": ("request_too_large", "Treść żądania jest za duża."),
    "InternalServerError": (
        "internal_error",
        "Wystąpił błąd po naszej stronie. Spróbuj ponownie później.",
    ),
}


def _request_id(request: Any) -> str:
    context = getattr(request, "lambda_context", None)
    rid = getattr(context, "aws_request_id", None)
    if not rid:
        rid = ((getattr(request, "context", None) or {}).get("requestId")) or str(uuid.uuid4())
    return str(rid)


def _reshape_chalice_error(response: Response) -> Response:
    body = response.body
    if not (isinstance(body, dict) and set(body) == {"Code", "Message"}):
        return response
    code, message = CHALICE_ERRORS.get(body["Code"], ("bad_request", "Nieprawidłowe żądanie."))
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    return error_reply(response.status_code, code, message, headers=headers)


def http_middleware(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """Wrap every API request."""
    request_id = _request_id(event)
    logger.append_keys(request_id=request_id)
    token = current_request_id.set(request_id)
    started = time.perf_counter()
    try:
        response = _reshape_chalice_error(get_response(event))
    finally:
        current_request_id.reset(token)
    for name, value in API_SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["X-Request-Id"] = request_id
    apply_cors(response, event)
    logger.info(
        "request",
        extra={
            "method": getattr(event, "method", None),
            "route": (getattr(event, "context", None) or {}).get("resourcePath"),
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    logger.remove_keys(["request_id"])
    return response
