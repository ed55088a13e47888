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
from collections.abc import Callable
from dataclasses import dataclass, field

from chalicelib import aws, clock
from chalicelib.domain.meters import reading_id
from chalicelib.domain.readings import ExportState
from chalicelib.domain.records import Reading
from chalicelib.logs import logger
from chalicelib.settings import get_settings
from chalicelib.storage import readings as store
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

FileWriter = Callable[[str, list[Reading]], list[str]]


@dataclass
class ExportResult:
    """What one run exported, by run id (recovered runs included)."""

    files: dict[str, list[str]] = field(default_factory=dict)
    readings: int = 0


def as_row(reading: Reading) -> dict[str, str]:
    """One exported reading."""
    return {
        "reading_id": reading_id(reading),
        "customer_number": reading.customer_number,
        "meter": reading.meter,
        "date": reading.date.isoformat(),
        "value_m3": format_m3(reading.value),
        "submitted_at": reading.submitted_at.isoformat() if reading.submitted_at else "",
        "confirmed_unusual": "true" if reading.confirmed_unusual else "false",
        "photo_key": reading.photo_key or "",
    }


def write_files(run: str, readings: list[Reading]) -> list[str]:
    """Write the run's CSV and JSON Lines files; their keys."""
    rows = sorted(
        (as_row(reading) for reading in readings),
        key=lambda r: (r["submitted_at"], r["reading_id"]),
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


def _export_run(run: str, keys: list[store.Key], result: ExportResult, write: FileWriter) -> None:
    if not keys:
        return
    readings = store.claimed_by(run, keys)
    if not readings:
        return
    result.files[run] = write(run, readings)
    result.readings += len(readings)
    store.mark_exported(readings, run, clock.now().isoformat())


def export_readings(write: FileWriter = write_files) -> ExportResult:
    """Finish any interrupted run, then export every pending customer reading (`write`
    stores a run's files)."""
    result = ExportResult()
    interrupted: dict[str, list[store.Key]] = defaultdict(list)
    for queued in store.export_queue(ExportState.CLAIMED):
        interrupted[queued.run].append(queued.key)
    for run, keys in sorted(interrupted.items()):
        _export_run(run, keys, result, write)
    pending = store.export_queue(ExportState.PENDING)
    if pending:
        run = f"{clock.now():%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
        claimed = [queued.key for queued in pending if store.claim_for_export(queued, run)]
        _export_run(run, claimed, result, write)
    logger.info(
        "readings exported",
        extra={"export": {"runs": sorted(result.files), "readings": result.readings}},
    )
    return result
