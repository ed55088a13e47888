"""The OpenAPI 3.1 document, generated from the Chalice routes and their pydantic models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.http.auth import COOKIE_NAME
from chalicelib.http.endpoint import Operation

ERROR_DESCRIPTIONS = {
    400: "Nieprawidłowe dane (pola opisane w error.fields)",
    401: "Brak ważnej sesji lub nieudane logowanie",
    403: "Brak uprawnień lub brak nagłówka X-IBOK-CSRF",
    404: "Nie znaleziono",
    409: "Konflikt ze stanem danych",
    415: "Nieobsługiwany Content-Type",
    429: "Zbyt wiele prób (nagłówek Retry-After)",
    500: "Błąd wewnętrzny (z identyfikatorem żądania)",
}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string", "description": "Komunikat po polsku"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                "request_id": {"type": "string"},
            },
        }
    },
}


def _operations(routes: dict[str, dict[str, Any]]) -> list[tuple[str, str, Any, Operation]]:
    found = []
    for path, methods in sorted(routes.items()):
        for method, entry in sorted(methods.items()):
            operation = getattr(entry.view_function, "__openapi__", None)
            if operation is not None:
                found.append((path, method, entry, operation))
    return found


def _schemas(
    operations: list[tuple[str, str, Any, Operation]],
) -> tuple[dict[tuple[str, str], Any], dict[str, Any]]:
    pairs: dict[tuple[str, str], tuple[type[BaseModel], str]] = {}
    for *_, op in operations:
        if op.body is not None:
            pairs[(op.body.__name__, "validation")] = (op.body, "validation")
        if op.returns is not None:
            pairs[(op.returns.__name__, "serialization")] = (op.returns, "serialization")
    keyed, defs = models_json_schema(
        list(pairs.values()), ref_template="#/components/schemas/{model}"
    )
    refs = {name_mode: keyed[pair] for name_mode, pair in pairs.items()}
    return refs, dict(defs.get("$defs", {}))


_CACHE: dict[int, dict[str, Any]] = {}


def build_document(routes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The OpenAPI document for `routes` (Chalice's route table), built once per container."""
    if id(routes) not in _CACHE:
        _CACHE[id(routes)] = _build(routes)
    return _CACHE[id(routes)]


def _build(routes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    operations = _operations(routes)
    refs, components = _schemas(operations)
    components["Error"] = ERROR_SCHEMA
    paths: dict[str, dict[str, Any]] = {}
    for path, method, entry, op in operations:
        item: dict[str, Any] = {
            "summary": op.summary,
            "operationId": f"{method.lower()}_{entry.view_name}",
            "tags": list(op.tags),
            "responses": _responses(op, refs),
        }
        if entry.view_args:
            item["parameters"] = [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in entry.view_args
            ]
        if op.query is not None:
            item.setdefault("parameters", []).extend(_query_parameters(op.query))
        if op.body is not None:
            item["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": refs[(op.body.__name__, "validation")]}},
            }
        if op.form_fields:
            item["requestBody"] = {
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "required": [name for name, _ in op.form_fields],
                            "properties": {
                                name: {"type": "string", "description": text}
                                for name, text in op.form_fields
                            },
                        }
                    }
                },
            }
        if op.public:
            item["security"] = []
        else:
            item["x-roles"] = sorted(op.roles)  # any other role is answered 403
        paths.setdefault(path, {})[method.lower()] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "IBOK - Internetowe Biuro Obsługi Klienta",
            "version": "1.0.0",
            "description": "API portalu klienta przedsiębiorstwa wodociągowo-kanalizacyjnego.",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "cookieSession": {"type": "apiKey", "in": "cookie", "name": COOKIE_NAME},
                "bearerSession": {"type": "http", "scheme": "bearer"},
            },
        },
        "security": [{"cookieSession": []}, {"bearerSession": []}],
    }


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _responses(op: Operation, refs: dict[tuple[str, str], Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if op.status == 204 or (op.returns is None and op.status != 200):
        responses[str(op.status)] = {"description": "Gotowe"}
    elif op.returns is not None:
        responses[str(op.status)] = {
            "description": "OK",
            "content": {
                "application/json": {"schema": refs[(op.returns.__name__, "serialization")]}
            },
        }
    elif op.produces != "application/json":
        responses[str(op.status)] = {
            "description": "OK",
            "content": {op.produces: {"schema": {"type": "string"}}},
        }
    else:
        responses[str(op.status)] = {"description": "OK"}
    codes = set(op.errors) | {500}
    if op.body is not None:
        codes |= {400, 415}
    if not op.public:
        codes |= {401, 403}  # 403: another role, or a cookie without the CSRF header
    for code in sorted(codes):
        responses[str(code)] = {
            "description": ERROR_DESCRIPTIONS[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    return responses
