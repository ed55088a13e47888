"""One import line from its JSON text to its validated line model, and its content as the
item body with the hash that tells a changed line from an unchanged one."""

from __future__ import annotations

import hashlib
import json

from pydantic import ValidationError

from chalicelib import safe_json
from chalicelib.imports.records import Line
from chalicelib.imports.registry import RECORD_TYPES
from chalicelib.schemas.validation import field_messages

MAX_LINE_BYTES = 64 * 1024
MAX_LINE_DEPTH = 32  # nested objects and lists; a line needs 3 (allocations, addresses)


class LineError(ValueError):
    """A line that cannot be imported."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


def parse_line(raw: bytes | str) -> Line:
    """Validate one JSON line into its record model; LineError with (field, message)."""
    if len(raw) > MAX_LINE_BYTES:
        raise LineError("_", "Linia jest za długa.")
    try:
        data = safe_json.loads(raw, max_depth=MAX_LINE_DEPTH)
    except safe_json.TooDeep as exc:
        raise LineError(
            "_",
            "Linia ma zbyt głęboko zagnieżdżone obiekty lub listy "
            f"(dozwolone zagnieżdżenie: {MAX_LINE_DEPTH}).",
        ) from exc
    except UnicodeDecodeError as exc:
        raise LineError("_", "Linia nie jest poprawnym tekstem UTF-8.") from exc
    except json.JSONDecodeError as exc:
        # json's own message is English ("Expecting value"): say where, in Polish.
        raise LineError("_", f"Nieprawidłowy JSON (znak {exc.pos + 1}).") from exc
    if not isinstance(data, dict):
        raise LineError("_", "Linia musi być obiektem JSON.")
    kind = data.get("type")
    model = RECORD_TYPES.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise LineError("type", f"Nieznany typ rekordu; dozwolone: {', '.join(RECORD_TYPES)}.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first_field, first_message = next(iter(field_messages(exc).items()))
        raise LineError(first_field, first_message) from exc


def encode(line: Line) -> tuple[str, str]:
    """The line's validated content as the item body (JSON, without empty fields) and its
    hash: equal content gives equal hashes, whatever the key order or spacing of the line."""
    body = line.model_dump_json(exclude={"type"}, exclude_none=True)
    return hashlib.sha256(f"{line.type}\n{body}".encode()).hexdigest(), body
