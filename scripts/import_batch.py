"""`make import FILE=batch.jsonl`: put a billing batch into the running local stack's data
bucket and import it through the same S3 event handler the Lambda runs, with a progress bar.

On AWS the upload alone triggers the import (S3 event notification); the moto server does
not call Lambdas, so this command plays the notification's part.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from scripts.local_stack import ROOT, _port, stage_environment


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def main(argv: list[str] | None = None) -> int:
    """Upload and import one file; print the report. Exit 1 if any line was rejected."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path, help="a JSON Lines batch (docs/import-format.md)")
    parser.add_argument("--key", help="object key (default: imports/<file name>)")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        parser.error(f"nie ma pliku {args.file}")
    key = args.key or f"imports/{args.file.name}"
    if not key.startswith("imports/") or not key.endswith(".jsonl"):
        parser.error("klucz musi zaczynać się od imports/ i kończyć na .jsonl")

    os.environ.update(stage_environment(_port("PORT", 8000), _port("MOTO_PORT", 5000)))
    os.chdir(ROOT)
    from botocore.exceptions import BotoCoreError, ClientError
    from chalice.test import TestEventsClient
    from tqdm import tqdm

    from app import app
    from chalicelib import aws
    from chalicelib.imports.handler import observe_progress
    from chalicelib.settings import get_settings

    bucket = get_settings().data_bucket
    s3 = aws.client("s3")
    try:
        s3.upload_file(str(args.file), bucket, key)
    except (BotoCoreError, ClientError) as exc:
        print(f"Nie mogę wysłać pliku do {bucket} — czy `make run` działa? ({exc})")
        return 2
    event = TestEventsClient(app).generate_s3_event(bucket=bucket, key=key)
    with tqdm(total=_count_lines(args.file), unit=" linii", file=sys.stderr) as bar:

        def advance(done: int) -> None:
            bar.update(done - bar.n)

        with observe_progress(advance):
            app.handler_map["billing_import"](event, None)
    report = json.loads(s3.get_object(Bucket=bucket, Key=f"{key}.report.json")["Body"].read())
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


if __name__ == "__main__":
    sys.exit(main())
