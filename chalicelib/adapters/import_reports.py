"""The billing import's reports in the data bucket (`imports/<batch>.jsonl.report.json`,
written beside each batch): listed by prefix for the staff, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib import aws
from chalicelib.settings import get_settings

PREFIX = "imports/"
REPORT_SUFFIX = ".report.json"


@dataclass(frozen=True)
class ImportReportFile:
    """One import report: its key, its batch's name, when it was written, its size."""

    key: str
    batch: str
    written_at: datetime
    size: int


def list_reports() -> list[ImportReportFile]:
    """Every import report under `imports/`, newest first (ListObjectsV2 pages by prefix;
    S3 lists in key order, so the order by time is made here)."""
    s3 = aws.client("s3")
    found: list[ImportReportFile] = []
    for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=get_settings().data_bucket, Prefix=PREFIX
    ):
        for item in page.get("Contents", []):
            key = item["Key"]
            if key.endswith(REPORT_SUFFIX):
                batch = key.removeprefix(PREFIX).removesuffix(REPORT_SUFFIX)
                found.append(ImportReportFile(key, batch, item["LastModified"], item["Size"]))
    return sorted(found, key=lambda report: (report.written_at, report.key), reverse=True)
