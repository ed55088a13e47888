"""Base classes of every pydantic model: schemas are built on first use, not at import,
so a Lambda cold start pays only for the models its first request needs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Schema(BaseModel):
    """Base of response bodies."""

    model_config = ConfigDict(defer_build=True)


class Strict(BaseModel):
    """Base of request bodies and import lines: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
