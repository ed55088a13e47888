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
from typing import Any, cast


class _LazyModule:
    """Stands for a module until one of its attributes is used, then imports it with
    `importlib.import_module`, whose import lock makes every other thread wait for the
    whole module (importlib's LazyLoader is not thread-safe before Python 3.12: a second
    thread could see the module half executed, as the threaded local server did)."""

    __slots__ = ("_lazy_module", "_lazy_name")

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_lazy_name", name)
        object.__setattr__(self, "_lazy_module", None)

    def _load(self) -> ModuleType:
        module = self._lazy_module
        if module is None:
            module = importlib.import_module(self._lazy_name)
            object.__setattr__(self, "_lazy_module", module)
        return module

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._load(), attribute)

    def __setattr__(self, attribute: str, value: Any) -> None:
        setattr(self._load(), attribute, value)

    def __delattr__(self, attribute: str) -> None:
        delattr(self._load(), attribute)

    def __repr__(self) -> str:
        state = "loaded" if self._lazy_module is not None else "not loaded yet"
        return f"<lazy module {self._lazy_name!r}, {state}>"


def lazy_module(name: str) -> ModuleType:
    """Return module `name`, executed only when one of its attributes is first used."""
    if name in sys.modules:
        return sys.modules[name]
    if importlib.util.find_spec(name) is None:
        raise ModuleNotFoundError(name)
    return cast(ModuleType, _LazyModule(name))


def resolve(reference: str | type | None, package: str = "chalicelib.schemas") -> Any:
    """Turn "module:Name" (relative to `package`) into the object; pass classes through."""
    if reference is None or not isinstance(reference, str):
        return reference
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(f"{package}.{module_name}"), attribute)
