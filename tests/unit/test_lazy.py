"""Lazy modules load once, completely, also when threads race for the first use."""

from __future__ import annotations

import sys
import threading
import uuid

import pytest

from chalicelib.lazy import lazy_module


def test_threads_racing_for_a_lazy_module_all_see_it_whole(tmp_path, monkeypatch):
    name = f"slow_module_{uuid.uuid4().hex}"
    (tmp_path / f"{name}.py").write_text(
        "import time\nFIRST = 1\ntime.sleep(0.3)\nLAST = 2\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    module = lazy_module(name)
    assert name not in sys.modules  # nothing executed yet
    seen: list[object] = []
    start = threading.Barrier(8)

    def use() -> None:
        start.wait()
        try:
            seen.append(module.LAST)
        except Exception as exc:  # a half-executed module
            seen.append(exc)

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert seen == [2] * 8
        assert sys.modules[name].FIRST == 1
    finally:
        sys.modules.pop(name, None)  # leave no module of a deleted folder behind


def test_an_unknown_module_fails_at_once():
    with pytest.raises(ModuleNotFoundError):
        lazy_module("chalicelib.no_such_module")
