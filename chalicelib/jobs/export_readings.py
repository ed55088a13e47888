"""The daily export of customer readings to the billing system: CSV and JSON Lines under
`exports/readings/`, each reading in exactly one export.

Customer readings wait in the sparse `export_queue` index with `export_state = pending`.
A run first claims them one by one (a conditional update to `claimed`, tagged with the run
id), then writes the run's two files, then marks them exported (leaving the index). If a run
dies after claiming, the next run finds the `claimed` readings, rewrites the same run's files
with exactly those readings and finishes the marking — so no reading is lost or exported
twice, and a re-run with nothing pending writes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from collections import defaultdict
from dataclasses import dataclass, field

from pynamodb.exceptions import UpdateError

from chalicelib import aws, clock
from chalicelib.domain.readings import ExportState
from chalicelib.logs import logger
from chalicelib.models.meters import ReadingRecord
from chalicelib.settings import get_settings
from chalicelib.storage.errors import is_condition_failure
from chalicelib.volume import format_m3

EXPORT_PREFIX = "exports/readings/"
CSV_COLUMNS = [
    "reading_id",
    "customer_number",
    "meter",
    "date",
    "value_m3",
    "submitted_at",
    "confirmed_unusual",
    "photo_key",
]


@dataclass
class ExportResult:
    """What one run exported, by run id (recovered runs included)."""

    files: dict[str, list[str]] = field(default_factory=dict)
    readings: int = 0


def reading_id(item: ReadingRecord) -> str:
    """A stable id of a customer reading (customer, meter, day)."""
    return f"{item.pk.removeprefix('CUSTOMER#')}/{item.serial}/{item.read_on}"


def as_row(item: ReadingRecord) -> dict[str, str]:
    """One exported reading."""
    return {
        "reading_id": reading_id(item),
        "customer_number": item.pk.removeprefix("CUSTOMER#"),
        "meter": item.serial,
        "date": item.read_on,
        "value_m3": format_m3(int(item.litres)),
        "submitted_at": item.submitted_at or "",
        "confirmed_unusual": "true" if item.confirmed_unusual else "false",
        "photo_key": item.photo_key or "",
    }


def _queued(state: ExportState) -> list[ReadingRecord]:
    return list(ReadingRecord.export_queue.query(state))


def _claim(keys: list[ReadingRecord], run: str) -> list[tuple[str, str]]:
    claimed = []
    for key in keys:
        item = ReadingRecord(key.pk, key.sk)
        try:
            item.update(
                actions=[
                    ReadingRecord.export_state.set(ExportState.CLAIMED),
                    ReadingRecord.export_order.set(f"{run}#{key.export_order}"),
                    ReadingRecord.export_run.set(run),
                ],
                condition=ReadingRecord.export_state == ExportState.PENDING,
            )
        except UpdateError as exc:
            if is_condition_failure(exc):
                continue  # claimed by a concurrent run
            raise
        claimed.append((key.pk, key.sk))
    return claimed


def _write_files(run: str, items: list[ReadingRecord]) -> list[str]:
    rows = sorted(
        (as_row(item) for item in items), key=lambda r: (r["submitted_at"], r["reading_id"])
    )
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    bucket = get_settings().data_bucket
    day = run[:8]
    keys = [f"{EXPORT_PREFIX}{day}/{run}.csv", f"{EXPORT_PREFIX}{day}/{run}.jsonl"]
    s3 = aws.client("s3")
    s3.put_object(
        Bucket=bucket,
        Key=keys[0],
        Body=text.getvalue().encode("utf-8"),
        ContentType="text/csv; charset=utf-8",
    )
    s3.put_object(
        Bucket=bucket, Key=keys[1], Body=lines.encode("utf-8"), ContentType="application/x-ndjson"
    )
    return keys


def _finish(items: list[ReadingRecord], run: str, exported_at: str) -> None:
    for item in items:
        try:
            item.update(
                actions=[
                    ReadingRecord.export_state.remove(),
                    ReadingRecord.export_order.remove(),
                    ReadingRecord.exported_at.set(exported_at),
                ],
                condition=ReadingRecord.export_run == run,
            )
        except UpdateError as exc:
            if not is_condition_failure(exc):
                raise


def _export_run(run: str, keys: list[tuple[str, str]], result: ExportResult) -> None:
    if not keys:
        return
    items = [
        item
        for item in ReadingRecord.batch_get(keys, consistent_read=True)
        if item.export_run == run and item.export_state == ExportState.CLAIMED
    ]
    if not items:
        return
    result.files[run] = _write_files(run, items)
    result.readings += len(items)
    _finish(items, run, clock.now().isoformat())


def export_readings() -> ExportResult:
    """Finish any interrupted run, then export every pending customer reading."""
    result = ExportResult()
    interrupted: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in _queued(ExportState.CLAIMED):
        interrupted[key.export_order.split("#", 1)[0]].append((key.pk, key.sk))
    for run, keys in sorted(interrupted.items()):
        _export_run(run, keys, result)
    pending = _queued(ExportState.PENDING)
    if pending:
        run = f"{clock.now():%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
        _export_run(run, _claim(pending, run), result)
    logger.info(
        "readings exported",
        extra={"export": {"runs": sorted(result.files), "readings": result.readings}},
    )
    return result
