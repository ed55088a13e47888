"""URL ids of objects whose natural keys may hold slashes (invoice and contract numbers)."""

from __future__ import annotations

import base64
import binascii

from chalicelib.errors import NotFound


def encode_id(natural_key: str) -> str:
    """The URL-safe id of a natural key."""
    return base64.urlsafe_b64encode(natural_key.encode("utf-8")).decode("ascii").rstrip("=")


def decode_id(identifier: str, missing: str) -> str:
    """The natural key of a URL id; NotFound(`missing`) for anything that is not one."""
    try:
        padded = identifier + "=" * (-len(identifier) % 4)
        return base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise NotFound(missing) from exc
