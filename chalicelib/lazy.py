"""Modules loaded on first attribute access, to keep the Lambda cold start small.

Route modules refer to services and schemas through `lazy_module`, so importing `app.py`
registers every route without importing pydantic, PynamoDB or Jinja2; each request then
loads only what its route uses (once per container).

Loading is thread-safe: Python 3.11's `importlib.util.LazyLoader` marks a module loaded
before running it, so a second thread (the local stack serves requests and drains queues
on threads) could read a half-run module and miss a name. `_LazyModule` below is the fix
Python 3.12 made (gh-114763): the first access runs the module under a lock; the others
wait for it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from types import ModuleType
from typing import Any


class _LazyModule(ModuleType):
    """A module that runs on its first attribute access, once, whichever thread asks."""

    def __getattribute__(self, attr: str) -> Any:
        spec = object.__getattribute__(self, "__spec__")
        state = spec.loader_state
        with state["lock"]:
            if object.__getattribute__(self, "__class__") is _LazyModule:
                if state["is_loading"]:  # a re-entrant access while running the module
                    return ModuleType.__getattribute__(self, attr)
                state["is_loading"] = True
                namespace = ModuleType.__getattribute__(self, "__dict__")
                before = state["__dict__"]
                changed = {
                    key: value
                    for key, value in namespace.items()
                    if key not in before or before[key] is not value
                }
                spec.loader.exec_module(self)
                namespace.update(changed)
                self.__class__ = ModuleType
        return getattr(self, attr)


class _LazyLoader(importlib.util.LazyLoader):
    """`importlib.util.LazyLoader` with the thread-safe `_LazyModule`."""

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__.loader = self.loader  # type: ignore[union-attr]
        module.__loader__ = self.loader
        module.__spec__.loader_state = {  # type: ignore[union-attr]
            "__dict__": module.__dict__.copy(),
            "lock": threading.RLock(),
            "is_loading": False,
        }
        module.__class__ = _LazyModule


def lazy_module(name: str) -> ModuleType:
    """Return module `name`, executed only when one of its attributes is first used."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    loader = _LazyLoader(spec.loader)
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
