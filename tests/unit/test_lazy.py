"""Lazy modules load once, completely, even when threads ask at the same time (the local
stack serves the portal's parallel calls on threads)."""

from __future__ import annotations

import sys
import threading

from chalicelib.lazy import lazy_module

SLOW_MODULE = """
import time
RUNS = globals().get("RUNS", 0) + 1
time.sleep(0.2)
VALUE = 42
"""


def test_threads_reading_a_lazy_module_all_see_it_fully_run(tmp_path, monkeypatch):
    (tmp_path / "ibok_slow_lazy_module.py").write_text(SLOW_MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "ibok_slow_lazy_module", raising=False)
    module = lazy_module("ibok_slow_lazy_module")
    seen: list[object] = []
    start = threading.Barrier(4)

    def read() -> None:
        start.wait()
        seen.append(getattr(module, "VALUE", "missing"))

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [42, 42, 42, 42]
    assert module.RUNS == 1
    assert type(module) is type(sys)  # a plain module once loaded
    sys.modules.pop("ibok_slow_lazy_module")


def test_a_lazy_module_is_not_run_before_it_is_used(tmp_path, monkeypatch):
    (tmp_path / "ibok_unused_lazy_module.py").write_text("raise RuntimeError('ran')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        lazy_module("ibok_unused_lazy_module")  # nothing runs
    finally:
        # Gone for good: a module that raises must not stay for others to touch.
        sys.modules.pop("ibok_unused_lazy_module", None)
