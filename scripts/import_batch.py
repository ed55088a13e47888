"""`make import FILE=batch.jsonl`: put a billing batch into the running local stack's data
bucket and wait for its import.

As deployed, the upload alone triggers the import: the bucket's object-created event goes
through EventBridge to the FIFO import queue, and the local stack's queue poller runs the
`billing_import` handler on it (scripts/local_queues.py). This command uploads, then waits
until that version of the batch is imported (its import marker) or dead-lettered (its
`.failed.json`), and prints the report.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from scripts.local_stack import ROOT, _port, stage_environment

POLL_SECONDS = 0.5


def _json(s3: Any, bucket: str, key: str) -> dict[str, Any] | None:
    try:
        return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except s3.exceptions.NoSuchKey:
        return None


def _wait(s3: Any, bucket: str, key: str, uploaded: dict[str, Any], timeout: float) -> int:
    """Wait for the import of the uploaded version; print its report; the exit status."""
    from chalicelib.imports.handler import failure_report_key
    from chalicelib.imports.service import report_key
    from chalicelib.models.billing import ImportMarker

    marker = ImportMarker.key(key, uploaded.get("VersionId"), uploaded["ETag"].strip('"'))
    deadline = time.monotonic() + timeout
    told_retry = False
    while time.monotonic() < deadline:
        try:
            ImportMarker.get(*marker, consistent_read=True)
        except ImportMarker.DoesNotExist:
            failed = _json(s3, bucket, failure_report_key(key))
            if failed and failed.get("version_id") == uploaded.get("VersionId"):
                print(f"{key}: {failed['message']} (błąd: {failed['error']})")
                return 3
            report = _json(s3, bucket, report_key(key))
            if report and report.get("failed") and not told_retry:
                print(f"{key}: próba importu nie powiodła się ({report['failed']}); ponowię.")
                told_retry = True
            time.sleep(POLL_SECONDS)
            continue
        report = _json(s3, bucket, report_key(key)) or {}
        return _print_report(bucket, key, report)
    print(f"{key}: import nie skończył się w {timeout:.0f} s — czy `make run` działa?")
    return 2


def _print_report(bucket: str, key: str, report: dict[str, Any]) -> int:
    print(
        f"{key}: {report['lines']} linii, nowe {report['created']}, "
        f"zmienione {report['updated']}, bez zmian {report['unchanged']}, "
        f"błędne {report['invalid']}"
    )
    for error in report["errors"][:20]:
        print(f"  linia {error['line']}: {error['field']}: {error['message']}")
    if report["invalid"] > 20:
        print(f"  … pełny raport: s3://{bucket}/{key}.report.json")
    return 1 if report["invalid"] else 0


def main(argv: list[str] | None = None) -> int:
    """Upload one file and wait for its import; print the report. Exit 1 if any line was
    rejected, 2 if the stack is not running (or the import did not end in time), 3 if
    the batch was dead-lettered."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path, help="a JSON Lines batch (docs/import-format.md)")
    parser.add_argument("--key", help="object key (default: imports/<file name>)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        parser.error(f"nie ma pliku {args.file}")
    key = args.key or f"imports/{args.file.name}"
    if not key.startswith("imports/") or not key.endswith(".jsonl"):
        parser.error("klucz musi zaczynać się od imports/ i kończyć na .jsonl")

    os.environ.update(stage_environment(_port("PORT", 8000), _port("MOTO_PORT", 5000)))
    os.chdir(ROOT)
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib import aws
    from chalicelib.settings import get_settings

    bucket = get_settings().data_bucket
    s3 = aws.client("s3")
    try:
        uploaded = s3.put_object(Bucket=bucket, Key=key, Body=args.file.read_bytes())
    except (BotoCoreError, ClientError) as exc:
        print(f"Nie mogę wysłać pliku do {bucket} — czy `make run` działa? ({exc})")
        return 2
    print(f"{key}: wysłany, czekam na import…", file=sys.stderr, flush=True)
    return _wait(s3, bucket, key, uploaded, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
