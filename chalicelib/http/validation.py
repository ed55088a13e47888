"""Pydantic validation errors as Polish field messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError

_MESSAGES = {
    "missing": "To pole jest wymagane.",
    "extra_forbidden": "Nieznane pole.",
    "string_type": "Oczekiwano tekstu.",
    "string_too_short": "Za mało znaków (minimum {min_length}).",
    "string_too_long": "Za dużo znaków (maksimum {max_length}).",
    "string_pattern_mismatch": "Nieprawidłowy format.",
    "bool_type": "Oczekiwano wartości true lub false.",
    "bool_parsing": "Oczekiwano wartości true lub false.",
    "int_type": "Oczekiwano liczby całkowitej.",
    "int_parsing": "Oczekiwano liczby całkowitej.",
    "literal_error": "Niedozwolona wartość (dozwolone: {expected}).",
    "enum": "Niedozwolona wartość (dozwolone: {expected}).",
    "model_type": "Oczekiwano obiektu JSON.",
    "model_attributes_type": "Oczekiwano obiektu JSON.",
    "dict_type": "Oczekiwano obiektu JSON.",
    "list_type": "Oczekiwano listy.",
    "date_type": "Oczekiwano daty w formacie RRRR-MM-DD.",
    "date_parsing": "Oczekiwano daty w formacie RRRR-MM-DD.",
    "date_from_datetime_parsing": "Oczekiwano daty w formacie RRRR-MM-DD.",
    "greater_than_equal": "Wartość musi być nie mniejsza niż {ge}.",
    "less_than_equal": "Wartość musi być nie większa niż {le}.",
}
_DEFAULT = "Nieprawidłowa wartość."


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "value_error":
        # Our validators raise ValueError with a Polish message.
        return str(error.get("ctx", {}).get("error", _DEFAULT))
    template = _MESSAGES.get(kind, _DEFAULT)
    try:
        return template.format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        return _DEFAULT


def field_messages(exc: ValidationError) -> dict[str, str]:
    """Map each failing field (dotted path; "_" for the whole body) to one Polish message."""
    fields: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        path = ".".join(str(part) for part in error["loc"]) or "_"
        fields.setdefault(path, _message(error))
    return fields
