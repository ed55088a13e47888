"""Downloads from the data bucket: presigned GET URLs for one object, minutes long."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from urllib.parse import quote

from botocore.exceptions import ClientError

from chalicelib import aws, clock
from chalicelib.errors import NotFound
from chalicelib.settings import get_settings

MAX_LINK_SECONDS = 300


def safe_filename(stem: str) -> str:
    """A file name any system accepts: "FV/2026/11/1" -> "FV-2026-11-1"."""
    folded = unicodedata.normalize("NFKD", stem.replace("ł", "l").replace("Ł", "L"))
    ascii_only = folded.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_only).strip("-.") or "dokument"


def download_link(key: str | None, filename: str, missing: str) -> tuple[str, str]:
    """A presigned URL for `key` saving as `filename`, and when it expires; NotFound with
    the `missing` message when there is no such object."""
    if not key:
        raise NotFound(missing)
    settings = get_settings()
    s3 = aws.client("s3")
    try:
        s3.head_object(Bucket=settings.data_bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            raise NotFound(missing) from exc
        raise
    seconds = min(settings.download_link_seconds, MAX_LINK_SECONDS)
    disposition = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    url = s3.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings.data_bucket,
            "Key": key,
            "ResponseContentDisposition": disposition,
            "ResponseContentType": "application/pdf",
        },
        ExpiresIn=seconds,
    )
    return url, (clock.now() + timedelta(seconds=seconds)).isoformat()
