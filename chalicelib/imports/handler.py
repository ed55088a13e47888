"""The S3 event adapter of the billing import."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from chalicelib.imports.service import ProgressCallback, run_import
from chalicelib.logs import logger

_observers: list[ProgressCallback] = []


@contextmanager
def observe_progress(callback: ProgressCallback) -> Iterator[None]:
    """Let an operator command watch an import run through the event handler."""
    _observers.append(callback)
    try:
        yield
    finally:
        _observers.remove(callback)


def _notify(done: int) -> None:
    for callback in _observers:
        callback(done)


def import_batch_event(bucket: str, key: str, run: Callable[..., object] = run_import) -> None:
    """Import the batch an S3 event announced."""
    if not key.startswith("imports/") or not key.endswith(".jsonl"):
        logger.info("ignored object", extra={"key": key})
        return
    report = run(bucket, key, progress=_notify if _observers else None)
    logger.info(
        "import finished",
        # Nested: "created" and friends are reserved LogRecord attribute names.
        extra={
            "import_report": {
                k: getattr(report, k)
                for k in ("batch", "lines", "created", "updated", "unchanged", "invalid")
            }
        },
    )
