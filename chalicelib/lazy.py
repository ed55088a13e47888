"""Modules loaded on first attribute access, to keep the Lambda cold start small.

Route modules refer to services and schemas through `lazy_module`, so importing `app.py`
registers every route without importing pydantic, PynamoDB or Jinja2; each request then
loads only what its route uses (once per container).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any


def lazy_module(name: str) -> ModuleType:
    """Return module `name`, executed only when one of its attributes is first used."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def resolve(reference: str | type | None, package: str = "chalicelib.schemas") -> Any:
    """Turn "module:Name" (relative to `package`) into the object; pass classes through."""
    if reference is None or not isinstance(reference, str):
        return reference
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(f"{package}.{module_name}"), attribute)
