"""Run one import batch: validate every line, upsert changed items by natural key in
batches, and write a report next to the batch. Bad lines are reported, never fatal.

A chunk that changes a meter's readings first moves the meter's latest imported reading
(models/meters.py `LatestImportedReading`, read strongly consistent after the lines'
hashes), then writes the lines: a customer's submission conditional on that item can never
land below a billing reading already written. A chunk sharing a meter with one still being
written waits for it; imports never run two at once (the Lambda's reserved concurrency is
1), so nothing else moves a mark between its read and its write."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from pynamodb.exceptions import PutError

from chalicelib import aws, clock, safe_json
from chalicelib.domain.ledger import NoticeState
from chalicelib.http.validation import field_messages
from chalicelib.imports.meter_records import ReadingLine, latest_marks
from chalicelib.imports.records import Line
from chalicelib.imports.registry import RECORD_TYPES
from chalicelib.models.billing import BillingItem, ImportMarker
from chalicelib.models.meters import LatestImportedReading

CHUNK = 100  # lines: one BatchGetItem (at most 100 keys) reads their stored hashes
WRITE_REQUEST_ITEMS = 25  # BatchWriteItem
WRITE_ATTEMPTS = 5  # of one BatchWriteItem group, with backoff between them
WRITE_BACKOFF_SECONDS = 0.1
MAX_REPORTED_ERRORS = 1000
MAX_LINE_BYTES = 64 * 1024
MAX_LINE_DEPTH = 32  # nested objects and lists; a line needs 3 (allocations, addresses)
WRITERS = 2  # chunks written at once: DynamoDB latency overlaps with parsing
REQUESTS = WRITERS * CHUNK // WRITE_REQUEST_ITEMS  # a chunk's write requests go at once
# What is read back of existing items: the hash, and what a rewrite must keep.
KEPT_ATTRIBUTES = ["pk", "sk", "cls", "content_hash", "notice_state", "notice_order"]
# What is read of the meters' marks (LatestImportedReading).
MARK_ATTRIBUTES = ["pk", "sk", "cls", "latest_on", "latest_source", "latest_litres"]

ProgressCallback = Callable[[int], None]


@dataclass
class ImportReport:
    """What one batch did."""

    batch: str
    started_at: str
    finished_at: str = ""
    lines: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    already_imported_at: str | None = None  # the same object was imported then
    # Set when the batch could not be imported to the end (e.g. DynamoDB kept refusing
    # writes): the lines counted so far were read, not all written; the event is retried.
    failed: str | None = None

    def add_error(self, line: int, field_name: str, message: str) -> None:
        """Record a rejected line (the first MAX_REPORTED_ERRORS are listed)."""
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"line": line, "field": field_name, "message": message})

    def as_dict(self) -> dict[str, Any]:
        """The report as written to S3."""
        return dict(self.__dict__)


def report_key(batch_key: str) -> str:
    """Where the report of a batch is written: next to it."""
    return f"{batch_key}.report.json"


def parse_line(raw: bytes | str) -> Line:
    """Validate one JSON line into its record model; ValueError with (field, message)."""
    if len(raw) > MAX_LINE_BYTES:
        raise LineError("_", "Linia jest za długa.")
    try:
        data = safe_json.loads(raw, max_depth=MAX_LINE_DEPTH)
    except safe_json.TooDeep as exc:
        raise LineError(
            "_",
            "Linia ma zbyt głęboko zagnieżdżone obiekty lub listy "
            f"(dozwolone zagnieżdżenie: {MAX_LINE_DEPTH}).",
        ) from exc
    except UnicodeDecodeError as exc:
        raise LineError("_", "Linia nie jest poprawnym tekstem UTF-8.") from exc
    except json.JSONDecodeError as exc:
        # json's own message is English ("Expecting value"): say where, in Polish.
        raise LineError("_", f"Nieprawidłowy JSON (znak {exc.pos + 1}).") from exc
    if not isinstance(data, dict):
        raise LineError("_", "Linia musi być obiektem JSON.")
    kind = data.get("type")
    model = RECORD_TYPES.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise LineError("type", f"Nieznany typ rekordu; dozwolone: {', '.join(RECORD_TYPES)}.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first_field, first_message = next(iter(field_messages(exc).items()))
        raise LineError(first_field, first_message) from exc


class LineError(ValueError):
    """A line that cannot be imported."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


def encode(line: Line) -> tuple[str, str]:
    """The line's validated content as the item body (JSON, without empty fields) and its
    hash: equal content gives equal hashes, whatever the key order or spacing of the line."""
    body = line.model_dump_json(exclude={"type"}, exclude_none=True)
    kind = type(line).model_fields["type"].annotation.__args__[0]
    return hashlib.sha256(f"{kind}\n{body}".encode()).hexdigest(), body


def _lines(body: Any) -> Iterator[bytes]:
    yield from body.iter_lines(chunk_size=1024 * 1024, keepends=False)


def _marker_key(key: str, s3_object: dict[str, Any]) -> tuple[str, str]:
    """The import marker of the object version read (its version id, else its ETag)."""
    return ImportMarker.key(key, s3_object.get("VersionId"), s3_object["ETag"].strip('"'))


def _already_imported(marker_key: tuple[str, str], report: ImportReport) -> bool:
    """Fill `report` from the marker of this very object version, if it was imported to the
    end."""
    try:
        marker = ImportMarker.get(*marker_key, consistent_read=True)
    except ImportMarker.DoesNotExist:
        return False
    report.already_imported_at = marker.finished_at
    report.lines, report.valid, report.invalid = (
        int(marker.lines),
        int(marker.valid),
        int(marker.invalid),
    )
    report.unchanged = report.valid
    report.finished_at = clock.now().isoformat()
    return True


@dataclass
class ChunkResult:
    """What writing one chunk did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


Chunk = dict[tuple[str, str], tuple[str, str, Line]]  # key -> (hash, body, line)


def _read(keys: list[tuple[str, str]], attributes: list[str]) -> dict[tuple[str, str], Any]:
    """The stored items of `keys`, read strongly consistent: a hash or a mark a just-finished
    import wrote is never missed (BatchGetItem pages of 100 keys)."""
    if not keys:
        return {}
    return {
        (item.pk, item.sk): item
        for item in BillingItem.batch_get(keys, consistent_read=True, attributes_to_get=attributes)
    }


# Threads start on first use; shared by the chunks being written.
_requests = ThreadPoolExecutor(REQUESTS, thread_name_prefix="import-write")


def _save_group(items: list[BillingItem]) -> None:
    """One BatchWriteItem of `items`. PynamoDB resends unprocessed items at once, a few
    times; when DynamoDB keeps refusing, wait and write the group again (puts of whole
    items: repeating one is harmless)."""
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            with BillingItem.batch_write() as writer:
                for item in items:
                    writer.save(item)
            return
        except PutError:
            if attempt == WRITE_ATTEMPTS:
                raise
            time.sleep(WRITE_BACKOFF_SECONDS * 2 ** (attempt - 1) * (1 + random.random()))


def _save_all(items: list[BillingItem]) -> None:
    """Write `items` in BatchWriteItem requests of 25 sent at once; return once every one is
    written (the first failure re-raised)."""
    groups = [
        items[start : start + WRITE_REQUEST_ITEMS]
        for start in range(0, len(items), WRITE_REQUEST_ITEMS)
    ]
    if len(groups) <= 1:
        for group in groups:
            _save_group(group)
        return
    for _ in _requests.map(_save_group, groups):
        pass


def _mark_keys(chunk: Chunk) -> set[tuple[str, str]]:
    return {line.mark_key() for _, _, line in chunk.values() if isinstance(line, ReadingLine)}


def _write_chunk(chunk: Chunk) -> ChunkResult:
    """Read the stored hashes of the chunk's keys, then the marks of the meters whose
    readings changed; move the marks and, after them, write the lines that changed."""
    result = ChunkResult()
    existing = _read(list(chunk), KEPT_ATTRIBUTES)
    changed = [
        (key, digest, body, line)
        for key, (digest, body, line) in chunk.items()
        if (old := existing.get(key)) is None or old.content_hash != digest
    ]
    result.unchanged = len(chunk) - len(changed)
    readings = [line for *_, line in changed if isinstance(line, ReadingLine)]
    stored_marks = _read(list(dict.fromkeys(line.mark_key() for line in readings)), MARK_ATTRIBUTES)
    marks = latest_marks(
        readings,
        {k: v for k, v in stored_marks.items() if isinstance(v, LatestImportedReading)},
    )
    _save_all(marks)  # committed before any reading is written
    created_at = clock.now().isoformat()
    items = []
    for key, digest, body, line in changed:
        old = existing.get(key)
        item = line.to_item(digest, body)
        if old is None:
            result.created += 1
            if line.notice():
                item.notice_state = NoticeState.PENDING
                item.notice_order = f"{created_at}#{key[0]}#{key[1]}"
        else:
            result.updated += 1
            # A changed line keeps the notice state of the item it replaces.
            for name in ("notice_state", "notice_order"):
                if hasattr(item, name):
                    setattr(item, name, getattr(old, name, None))
        items.append(item)
    _save_all(items)
    return result


class ChunkWriter:
    """Writes chunks on a few threads while the caller parses the next lines. A chunk that
    shares a key with one still being written waits for it, so the later line wins."""

    def __init__(self, report: ImportReport, workers: int = WRITERS) -> None:
        self.report = report
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="import")
        self.in_flight: dict[Future[ChunkResult], frozenset[tuple[str, str]]] = {}
        self.limit = workers * 2

    def _collect(self, future: Future[ChunkResult]) -> None:
        result = future.result()
        self.report.created += result.created
        self.report.updated += result.updated
        self.report.unchanged += result.unchanged
        del self.in_flight[future]

    def submit(self, chunk: Chunk) -> None:
        """Queue a chunk (a copy is taken)."""
        keys = frozenset(chunk) | _mark_keys(chunk)  # a meter's mark: one chunk at a time
        for future in [f for f, busy in self.in_flight.items() if busy & keys]:
            future.result()
            self._collect(future)
        while len(self.in_flight) >= self.limit:
            done, _ = wait(list(self.in_flight), return_when=FIRST_COMPLETED)
            for future in done:
                self._collect(future)
        self.in_flight[self.pool.submit(_write_chunk, dict(chunk))] = keys
        for future in [f for f in self.in_flight if f.done()]:
            self._collect(future)

    def close(self) -> None:
        """Wait for every chunk; re-raise the first failure."""
        try:
            for future in list(self.in_flight):
                self._collect(future)
        finally:
            self.pool.shutdown(wait=True)


def run_import(bucket: str, key: str, progress: ProgressCallback | None = None) -> ImportReport:
    """Import the batch at s3://bucket/key and write its report; return the report."""
    report = ImportReport(batch=key, started_at=clock.now().isoformat())
    s3_object = aws.client("s3").get_object(Bucket=bucket, Key=key)
    marker_key = _marker_key(key, s3_object)
    if _already_imported(marker_key, report):
        s3_object["Body"].close()
        return report  # a redelivered event: every line is as stored; the report stands
    try:
        _import_lines(s3_object["Body"], report, progress)
    except Exception as exc:
        # The operator sees the failure next to the batch; the event's retry starts over
        # (no marker is written) and, being idempotent, finishes the job.
        report.failed = type(exc).__name__
        report.finished_at = clock.now().isoformat()
        _write_report(bucket, key, report)
        raise
    if progress is not None:
        progress(report.lines)
    report.finished_at = clock.now().isoformat()
    _write_report(bucket, key, report)
    ImportMarker(
        *marker_key,
        finished_at=report.finished_at,
        lines=report.lines,
        valid=report.valid,
        invalid=report.invalid,
    ).save()
    return report


def _write_report(bucket: str, key: str, report: ImportReport) -> None:
    aws.client("s3").put_object(
        Bucket=bucket,
        Key=report_key(key),
        Body=json.dumps(report.as_dict(), ensure_ascii=False, indent=1).encode("utf-8"),
        ContentType="application/json",
    )


def _import_lines(body: Any, report: ImportReport, progress: ProgressCallback | None) -> None:
    """Validate every line of `body` and write the chunks; counts go to `report`."""
    pending: Chunk = {}
    writer = ChunkWriter(report)
    try:
        for number, raw in enumerate(_lines(body), start=1):
            report.lines = number
            if raw.strip():
                try:
                    line = parse_line(raw)
                except LineError as exc:
                    report.invalid += 1
                    report.add_error(number, exc.field, exc.message)
                else:
                    report.valid += 1
                    kind = type(line).model_fields["type"].annotation.__args__[0]
                    report.by_type[kind] = report.by_type.get(kind, 0) + 1
                    natural_key = line.natural_key()
                    if natural_key in pending:  # the same record twice in a chunk: last wins
                        report.unchanged += 1
                    pending[natural_key] = (*encode(line), line)
                    if len(pending) >= CHUNK:
                        writer.submit(pending)
                        pending.clear()
            if progress is not None and number % 500 == 0:
                progress(number)
        if pending:
            writer.submit(pending)
    finally:
        writer.close()
