"""Pydantic validation errors as Polish field messages: the texts live with the schemas
(`chalicelib/schemas/validation.py`), shared by request bodies and import lines."""

from __future__ import annotations

from chalicelib.schemas.validation import field_messages

__all__ = ["field_messages"]
