"""URL ids of objects whose natural keys may hold slashes (invoice and contract numbers)."""

from __future__ import annotations

import base64
import binascii

from chalicelib.domain.errors import NotFound

# Natural keys are short (an invoice number is ~20 characters); DynamoDB refuses a sort key
# over 1024 bytes with a ValidationException, and an annex key holds two of these ids.
MAX_KEY_BYTES = 200
_MAX_ID_LENGTH = -(-MAX_KEY_BYTES // 3) * 4  # base64 length of MAX_KEY_BYTES, padded


def encode_id(natural_key: str) -> str:
    """The URL-safe id of a natural key."""
    return base64.urlsafe_b64encode(natural_key.encode("utf-8")).decode("ascii").rstrip("=")


def decode_id(identifier: str, missing: str) -> str:
    """The natural key of a URL id; NotFound(`missing`) for anything that is not one,
    including a key longer than MAX_KEY_BYTES (in UTF-8)."""
    if len(identifier) > _MAX_ID_LENGTH:
        raise NotFound(missing)
    try:
        padded = identifier + "=" * (-len(identifier) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
        if len(raw) > MAX_KEY_BYTES:
            raise NotFound(missing)
        return raw.decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise NotFound(missing) from exc
