"""Pydantic validation errors as Polish field messages."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError

_DATE = "Oczekiwano daty w formacie RRRR-MM-DD."
_INTEGER = "Oczekiwano liczby całkowitej."
_NUMBER = "Oczekiwano liczby."
_OBJECT = "Oczekiwano obiektu JSON."
_BOOLEAN = "Oczekiwano wartości logicznej."
_CHOICE = "Niedozwolona wartość. Dozwolone: {choices}."

# Every pydantic error type a body, a query or an import line can raise, in Polish (the
# pydantic text never reaches a person; a type not listed here gets _DEFAULT).
_MESSAGES = {
    "missing": "To pole jest wymagane.",
    "extra_forbidden": "Nieznane pole.",
    "string_type": "Oczekiwano tekstu.",
    "string_too_short": "Za mało znaków (minimum {min_length}).",
    "string_too_long": "Za dużo znaków (maksimum {max_length}).",
    "string_pattern_mismatch": "Nieprawidłowy format.",
    "string_unicode": "Tekst zawiera niedozwolone znaki.",
    "bool_type": _BOOLEAN,
    "bool_parsing": _BOOLEAN,
    "int_type": _INTEGER,
    "int_parsing": _INTEGER,
    "int_parsing_size": "Liczba jest za duża.",
    "int_from_float": _INTEGER,
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "finite_number": "Oczekiwano liczby skończonej.",
    "decimal_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "literal_error": _CHOICE,
    "enum": _CHOICE,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "dict_type": _OBJECT,
    "list_type": "Oczekiwano listy.",
    "too_short": "Za mało elementów (minimum {min_length}).",
    "too_long": "Za dużo elementów (maksimum {max_length}).",
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "datetime_type": "Oczekiwano daty i godziny w formacie ISO 8601.",
    "datetime_parsing": "Oczekiwano daty i godziny w formacie ISO 8601.",
    "greater_than": "Wartość musi być większa niż {gt}.",
    "greater_than_equal": "Wartość musi być nie mniejsza niż {ge}.",
    "less_than": "Wartość musi być mniejsza niż {lt}.",
    "less_than_equal": "Wartość musi być nie większa niż {le}.",
    "json_invalid": "Nieprawidłowy JSON.",
    "json_type": "Oczekiwano tekstu w formacie JSON.",
}
_DEFAULT = "Nieprawidłowa wartość."

# The allowed values in pydantic's `expected` ("'month' or 'billing'", "1 or 2").
_CHOICE_VALUE = re.compile(r"'([^']*)'|\"([^\"]*)\"|(-?\d+)")


def _choices(expected: object) -> str:
    """pydantic's English list of allowed values as a Polish one: "month lub billing"."""
    values = ["".join(parts) for parts in _CHOICE_VALUE.findall(str(expected))]
    if not values:
        return ""
    if len(values) == 1:
        return values[0]
    return f"{', '.join(values[:-1])} lub {values[-1]}"


def _sentence(text: str) -> str:
    """`text` as a sentence: a capital letter first and a full stop (or ? !) last."""
    text = text.strip()
    if not text:
        return _DEFAULT
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".?!" else f"{text}."


def _message(error: Any) -> str:
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "value_error":
        # Our validators raise ValueError with a Polish message.
        return _sentence(str(context.get("error", _DEFAULT)))
    template = _MESSAGES.get(kind, _DEFAULT)
    if template == _CHOICE:
        choices = _choices(context.get("expected"))
        return template.format(choices=choices) if choices else "Niedozwolona wartość."
    try:
        return template.format(**context)
    except (KeyError, IndexError, ValueError):
        return _DEFAULT


def field_messages(exc: ValidationError) -> dict[str, str]:
    """Map each failing field (dotted path; "_" for the whole body) to one Polish message."""
    fields: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        path = ".".join(str(part) for part in error["loc"]) or "_"
        fields.setdefault(path, _message(error))
    return fields
