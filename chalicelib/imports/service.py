"""Run one import batch: read its lines from S3, validate each, hand chunks of valid lines
to the writer (storage/imports.py: upserts of changed items by natural key), and write a
report next to the batch. Bad lines are reported, never fatal."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from chalicelib import aws, clock
from chalicelib.domain.imports import BatchVersion, ImportedBatch
from chalicelib.imports.parsing import LineError, encode, parse_line
from chalicelib.storage import imports as storage
from chalicelib.storage.imports import Chunk, ChunkQueue, ImportWriter

CHUNK = 100  # lines: one BatchGetItem (at most 100 keys) reads their stored hashes
MAX_REPORTED_ERRORS = 1000
PROGRESS_EVERY = 500  # lines

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


def run_import(
    bucket: str,
    key: str,
    progress: ProgressCallback | None = None,
    *,
    version_id: str | None = None,
    writer: ImportWriter | None = None,
) -> ImportReport:
    """Import the batch at s3://bucket/key (the version `version_id` when given: the one
    its event announced, even if the key was overwritten since) and write its report;
    return the report."""
    report = ImportReport(batch=key, started_at=clock.now().isoformat())
    pinned = {"VersionId": version_id} if version_id else {}
    s3_object = aws.client("s3").get_object(Bucket=bucket, Key=key, **pinned)
    version = BatchVersion(key, s3_object.get("VersionId"), s3_object["ETag"].strip('"'))
    imported = storage.imported_batch(version)
    if imported is not None:
        # A redelivered event: every line is as stored; the report of that import stands.
        s3_object["Body"].close()
        _restate(report, imported)
        return report
    try:
        _import_lines(s3_object["Body"], report, progress, writer or ImportWriter())
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
    storage.record_imported(
        version, ImportedBatch(report.finished_at, report.lines, report.valid, report.invalid)
    )
    return report


def _restate(report: ImportReport, imported: ImportedBatch) -> None:
    """Fill `report` from the import of the same object version that went to the end."""
    report.already_imported_at = imported.finished_at
    report.lines, report.valid, report.invalid = imported.lines, imported.valid, imported.invalid
    report.unchanged = report.valid
    report.finished_at = clock.now().isoformat()


def _write_report(bucket: str, key: str, report: ImportReport) -> None:
    aws.client("s3").put_object(
        Bucket=bucket,
        Key=report_key(key),
        Body=json.dumps(report.as_dict(), ensure_ascii=False, indent=1).encode("utf-8"),
        ContentType="application/json",
    )


def _lines(body: Any) -> Iterator[bytes]:
    yield from body.iter_lines(chunk_size=1024 * 1024, keepends=False)


def _import_lines(
    body: Any, report: ImportReport, progress: ProgressCallback | None, writer: ImportWriter
) -> None:
    """Validate every line of `body` and hand the chunks to `writer`; counts go to
    `report`, also when a write fails."""
    queue: ChunkQueue | None = None
    try:
        with writer.writing() as queue:
            pending: Chunk = {}
            for number, raw in enumerate(_lines(body), start=1):
                report.lines = number
                if raw.strip():
                    _take(number, raw, pending, report)
                    if len(pending) >= CHUNK:
                        queue.submit(pending)
                        pending.clear()
                if progress is not None and number % PROGRESS_EVERY == 0:
                    progress(number)
            if pending:
                queue.submit(pending)
    finally:
        if queue is not None:
            report.created += queue.counts.created
            report.updated += queue.counts.updated
            report.unchanged += queue.counts.unchanged


def _take(number: int, raw: bytes, pending: Chunk, report: ImportReport) -> None:
    """Parse line `number` into `pending` (by its natural key: of two, the last wins), or
    report why it cannot be imported."""
    try:
        line = parse_line(raw)
    except LineError as exc:
        report.invalid += 1
        report.add_error(number, exc.field, exc.message)
        return
    report.valid += 1
    report.by_type[line.type] = report.by_type.get(line.type, 0) + 1
    natural_key = line.natural_key()
    if natural_key in pending:  # the same record twice in a chunk: one write
        report.unchanged += 1
    pending[natural_key] = (*encode(line), line)
