"""A per-container copy of a small, rarely changing read (the terms versions, the current
announcements) that a request needs beside its own data: fresh for `max_age` seconds, and
when older, read again on a reader thread at the same time as the caller's own round trip,
so the caller never waits for a round trip more (DESIGN: at most two per customer read)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class _Held(Generic[T]):
    value: T
    read_at: datetime


class ContainerCopy(Generic[T]):
    """`read(now)` kept for `max_age()` seconds per container (a setting, read each time)."""

    def __init__(
        self, name: str, read: Callable[[datetime], T], max_age: Callable[[], int]
    ) -> None:
        self._name = name
        self._read = read
        self._max_age = max_age
        self._held: _Held[T] | None = None
        self._lock = threading.Lock()
        self._reader: ThreadPoolExecutor | None = None
        self._pending: Future[T] | None = None  # a read under way, shared by callers

    def _refresh(self, now: datetime) -> T:
        value = self._read(now)
        with self._lock:
            self._held = _Held(value, now)
        return value

    def start(self, now: datetime) -> Callable[[], T]:
        """Start getting the value as of `now`, and return the call that hands it over: the
        copy while it is younger than `max_age()` (no call at all), else the result of one
        read on the reader thread, which runs while the caller does its own work."""
        limit = self._max_age()
        with self._lock:
            held = self._held
            if held is not None and 0 <= (now - held.read_at).total_seconds() < limit:
                return lambda: held.value
            if self._reader is None:
                self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix=self._name)
            if self._pending is None or self._pending.done():
                self._pending = self._reader.submit(self._refresh, now)
            pending = self._pending
        return pending.result

    def forget(self) -> None:
        """Drop the copy (after a change made here; tests start from an empty table)."""
        with self._lock:
            self._held = None
