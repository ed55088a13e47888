"""Run one import batch: validate every line, upsert changed items by natural key in
batches, and write a report next to the batch. Bad lines are reported, never fatal."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from chalicelib import aws, clock
from chalicelib.http.validation import field_messages
from chalicelib.imports.records import Line
from chalicelib.imports.registry import RECORD_TYPES
from chalicelib.models.billing import BillingItem

CHUNK = 100  # BatchGetItem takes at most 100 keys
MAX_REPORTED_ERRORS = 1000
MAX_LINE_BYTES = 64 * 1024

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
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LineError(
            "_", f"Nieprawidłowy JSON: {exc.msg if hasattr(exc, 'msg') else exc}"
        ) from exc
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


def content_hash(line: Line) -> str:
    """A hash of the line's validated content: equal lines give equal hashes."""
    return hashlib.sha256(line.model_dump_json().encode("utf-8")).hexdigest()


def _lines(bucket: str, key: str) -> Iterator[bytes]:
    body = aws.client("s3").get_object(Bucket=bucket, Key=key)["Body"]
    yield from body.iter_lines(chunk_size=1024 * 1024, keepends=False)


def _flush(
    pending: dict[tuple[str, str], tuple[str, Line]], batch_key: str, report: ImportReport
) -> None:
    if not pending:
        return
    existing = {
        (item.pk, item.sk): item.content_hash
        for item in BillingItem.batch_get(
            list(pending), attributes_to_get=["pk", "sk", "content_hash"]
        )
    }
    with BillingItem.batch_write() as writer:
        for key, (digest, line) in pending.items():
            old = existing.get(key)
            if old == digest:
                report.unchanged += 1
                continue
            writer.save(line.to_item(digest, batch_key))
            if old is None:
                report.created += 1
                for extra in line.on_created():
                    writer.save(extra)
            else:
                report.updated += 1
    pending.clear()


def run_import(bucket: str, key: str, progress: ProgressCallback | None = None) -> ImportReport:
    """Import the batch at s3://bucket/key and write its report; return the report."""
    report = ImportReport(batch=key, started_at=clock.now().isoformat())
    pending: dict[tuple[str, str], tuple[str, Line]] = {}
    for number, raw in enumerate(_lines(bucket, key), start=1):
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
                if natural_key in pending:  # the same record twice in a chunk: the last wins
                    report.unchanged += 1
                pending[natural_key] = (content_hash(line), line)
                if len(pending) >= CHUNK:
                    _flush(pending, key, report)
        if progress is not None and number % 500 == 0:
            progress(number)
    _flush(pending, key, report)
    if progress is not None:
        progress(report.lines)
    report.finished_at = clock.now().isoformat()
    aws.client("s3").put_object(
        Bucket=bucket,
        Key=report_key(key),
        Body=json.dumps(report.as_dict(), ensure_ascii=False, indent=1).encode("utf-8"),
        ContentType="application/json",
    )
    return report
