"""The billing import's writes: lines upserted in BatchWriteItem requests, the meters'
latest imported readings moved before them, and a marker per batch version imported.

A chunk that changes a meter's readings first moves the meter's latest imported reading
(models/meters.py `LatestImportedReading`, read strongly consistent after the lines'
hashes), then writes the lines: a customer's submission conditional on that item can never
land below a billing reading already written. A chunk sharing a key or a meter with one
still being written waits for it; imports never run two at once (the Lambda's reserved
concurrency is 1), so nothing else moves a mark between its read and its write."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Any, Protocol

from pynamodb.exceptions import PutError

from chalicelib import clock
from chalicelib.domain.imports import (
    BatchVersion,
    ImportedBatch,
    ItemKey,
    ReadingMark,
    WriteCounts,
    moved_marks,
)
from chalicelib.domain.ledger import NoticeState
from chalicelib.models.billing import BillingItem, ImportMarker
from chalicelib.models.meters import LatestImportedReading

WRITE_REQUEST_ITEMS = 25  # BatchWriteItem
WRITE_ATTEMPTS = 5  # of one BatchWriteItem group, with backoff between them
WRITE_BACKOFF_SECONDS = 0.1
# Chunks written at once, each by one thread of one pool: DynamoDB latency overlaps with
# the caller's parsing and with the other chunk's requests. Two are as fast as four here
# (bench/bench_import.py: 10,000 mixed lines 3,068 lines/s with two) and each writer
# thread's botocore session holds its own copy of the service model (four: +33 MB RSS).
WRITERS = 2
# What is read back of existing items: the hash, and what a rewrite must keep.
KEPT_ATTRIBUTES = ["pk", "sk", "cls", "content_hash", "notice_state", "notice_order", "notice_day"]
NOTICE_ATTRIBUTES = ("notice_state", "notice_order", "notice_day")
# What is read of the meters' marks (LatestImportedReading).
MARK_ATTRIBUTES = ["pk", "sk", "cls", "latest_on", "latest_source", "latest_litres"]


class ImportLine(Protocol):
    """What the writer needs of a validated import line."""

    def to_item(self, content_hash: str, body: str) -> BillingItem:
        """The billing item the line stands for, holding `body`."""
        ...

    def notice(self) -> str | None:
        """The notice a new item of this line records for the customer, if any."""
        ...

    def reading_mark(self) -> ReadingMark | None:
        """A reading line's meter mark it may move; None for other lines."""
        ...


Chunk = dict[ItemKey, tuple[str, str, ImportLine]]  # key -> (hash, body, line)


def _marker_key(version: BatchVersion) -> tuple[str, str]:
    return ImportMarker.key(version.batch, version.version_id, version.etag)


def imported_batch(version: BatchVersion) -> ImportedBatch | None:
    """The record of `version` having been imported to the end, if it was (one strongly
    consistent GetItem)."""
    try:
        marker = ImportMarker.get(*_marker_key(version), consistent_read=True)
    except ImportMarker.DoesNotExist:
        return None
    return ImportedBatch(
        finished_at=marker.finished_at,
        lines=int(marker.lines),
        valid=int(marker.valid),
        invalid=int(marker.invalid),
    )


def record_imported(version: BatchVersion, batch: ImportedBatch) -> None:
    """Remember that `version` was imported to the end: a redelivered event for it is
    answered from here."""
    ImportMarker(
        *_marker_key(version),
        finished_at=batch.finished_at,
        lines=batch.lines,
        valid=batch.valid,
        invalid=batch.invalid,
    ).save()


def send_batch(items: list[BillingItem]) -> None:
    """One BatchWriteItem of at most 25 `items`; PynamoDB resends unprocessed items at once,
    a few times, and raises PutError when DynamoDB keeps refusing."""
    with BillingItem.batch_write() as batch:
        for item in items:
            batch.save(item)


def _read(keys: list[ItemKey], attributes: list[str]) -> dict[ItemKey, Any]:
    """The stored items of `keys`, read strongly consistent: a hash or a mark a just-finished
    import wrote is never missed (BatchGetItem pages of 100 keys)."""
    if not keys:
        return {}
    return {
        (item.pk, item.sk): item
        for item in BillingItem.batch_get(keys, consistent_read=True, attributes_to_get=attributes)
    }


def _stored_marks(keys: list[ItemKey]) -> dict[ItemKey, ReadingMark]:
    return {
        key: ReadingMark(key, item.latest_on, item.latest_source, int(item.latest_litres))
        for key, item in _read(keys, MARK_ATTRIBUTES).items()
        if isinstance(item, LatestImportedReading)
    }


def _mark_item(mark: ReadingMark) -> LatestImportedReading:
    return LatestImportedReading(
        *mark.key, latest_on=mark.read_on, latest_source=mark.source, latest_litres=mark.litres
    )


class ImportWriter:
    """Writes chunks of import lines: reads their stored hashes, moves the meters' marks,
    then upserts the lines that changed, in BatchWriteItem requests of 25. A request
    DynamoDB keeps refusing is sent again after a growing wait (puts of whole items:
    repeating one is harmless); after `attempts`, PutError. `send` (one request) and
    `sleep` are the seams tests replace."""

    def __init__(
        self,
        *,
        workers: int = WRITERS,
        attempts: int = WRITE_ATTEMPTS,
        backoff: float = WRITE_BACKOFF_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        send: Callable[[list[BillingItem]], None] = send_batch,
    ) -> None:
        self.workers = workers
        self.attempts = attempts
        self.backoff = backoff
        self.sleep = sleep
        self.send = send

    @contextmanager
    def writing(self) -> Iterator[ChunkQueue]:
        """A queue writing chunks on `workers` threads; on leaving, every chunk is written
        (or the first failure re-raised)."""
        queue = ChunkQueue(self.write_chunk, self.workers)
        try:
            yield queue
        finally:
            queue.close()

    def write_chunk(self, chunk: Chunk) -> WriteCounts:
        """Read the stored hashes of the chunk's keys, then the marks of the meters whose
        readings changed; move the marks and, after them, write the lines that changed."""
        existing = _read(list(chunk), KEPT_ATTRIBUTES)
        changed = [
            (key, digest, body, line)
            for key, (digest, body, line) in chunk.items()
            if (old := existing.get(key)) is None or old.content_hash != digest
        ]
        counts = WriteCounts(unchanged=len(chunk) - len(changed))
        readings = [mark for *_, line in changed if (mark := line.reading_mark()) is not None]
        stored = _stored_marks(list(dict.fromkeys(mark.key for mark in readings)))
        self._save([_mark_item(mark) for mark in moved_marks(readings, stored)])  # first
        created_at = clock.now().isoformat()
        created_on = clock.today().isoformat()  # the new-invoices job reads by this day
        items = []
        for key, digest, body, line in changed:
            old = existing.get(key)
            item = line.to_item(digest, body)
            if old is None:
                counts.created += 1
                if line.notice():
                    item.notice_state = NoticeState.PENDING
                    item.notice_order = f"{created_at}#{key[0]}#{key[1]}"
                    item.notice_day = created_on
            else:
                counts.updated += 1
                # A changed line keeps the notice state of the item it replaces.
                for name in NOTICE_ATTRIBUTES:
                    if hasattr(item, name):
                        setattr(item, name, getattr(old, name, None))
            items.append(item)
        self._save(items)
        return counts

    def _save(self, items: list[BillingItem]) -> None:
        """Write `items` in requests of 25, one after another."""
        for start in range(0, len(items), WRITE_REQUEST_ITEMS):
            self._save_group(items[start : start + WRITE_REQUEST_ITEMS])

    def _save_group(self, items: list[BillingItem]) -> None:
        for attempt in range(1, self.attempts + 1):
            try:
                self.send(items)
                return
            except PutError:
                if attempt == self.attempts:
                    raise
                self.sleep(self.backoff * 2 ** (attempt - 1) * (1 + random.random()))


def _keys(chunk: Chunk) -> frozenset[ItemKey]:
    """The items a chunk writes: its lines' and the marks of its readings' meters."""
    marks = (line.reading_mark() for _, _, line in chunk.values())
    return frozenset(chunk) | {mark.key for mark in marks if mark is not None}


class ChunkQueue:
    """Chunks written on one pool of threads while the caller parses the next lines. A
    chunk that shares a key with one still being written waits for it, so the later line
    wins and a meter's mark moves in one chunk at a time."""

    def __init__(self, write: Callable[[Chunk], WriteCounts], workers: int) -> None:
        self.counts = WriteCounts()  # of the chunks written so far
        self._write = write
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="import-write")
        self._in_flight: dict[Future[WriteCounts], frozenset[ItemKey]] = {}
        self._limit = workers * 2

    def submit(self, chunk: Chunk) -> None:
        """Queue a chunk (a copy is taken)."""
        keys = _keys(chunk)
        for future in [f for f, busy in self._in_flight.items() if busy & keys]:
            self._collect(future)
        while len(self._in_flight) >= self._limit:
            done, _ = wait(list(self._in_flight), return_when=FIRST_COMPLETED)
            for future in done:
                self._collect(future)
        self._in_flight[self._pool.submit(self._write, dict(chunk))] = keys
        for future in [f for f in self._in_flight if f.done()]:
            self._collect(future)

    def close(self) -> None:
        """Wait for every chunk; re-raise the first failure."""
        try:
            for future in list(self._in_flight):
                self._collect(future)
        finally:
            self._pool.shutdown(wait=True)

    def _collect(self, future: Future[WriteCounts]) -> None:
        del self._in_flight[future]
        self.counts.add(future.result())
