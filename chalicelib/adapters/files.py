"""Downloads from the data bucket: presigned GET URLs for one object, minutes long."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from urllib.parse import quote

from botocore.exceptions import ClientError

from chalicelib import aws, clock
from chalicelib.domain.errors import NotFound
from chalicelib.settings import get_settings

MAX_LINK_SECONDS = 300


MAX_NAME_CHARS = 120


def download_name(stem: str) -> str:
    """A file name that keeps Polish letters but nothing a file system or a header could
    misread: "Protokół wymiany/2026" -> "Protokół-wymiany-2026" (letters and digits of any
    script, "_", ".", "-"; no separators, quotes, control or direction characters)."""
    text = unicodedata.normalize("NFC", stem)
    return re.sub(r"[^\w.-]+", "-", text).strip("-.")[:MAX_NAME_CHARS].strip("-.") or "dokument"


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    ascii_only = folded.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_only).strip("-.")


def safe_filename(name: str) -> str:
    """The ASCII fallback of a file name, for clients that ignore `filename*`:
    "Umowa_źródło_łąka.pdf" -> "Umowa_zrodlo_laka.pdf" (the extension kept)."""
    stem, dot, extension = download_name(name).rpartition(".")
    if not dot:
        stem, extension = extension, ""
    extension = _ascii(extension)
    return f"{_ascii(stem) or 'dokument'}{'.' if extension else ''}{extension}"


def content_disposition(filename: str) -> str:
    """An RFC 6266 attachment header: an ASCII `filename` for old clients and the full
    name, Polish letters kept, as RFC 8187 UTF-8 in `filename*` (which browsers prefer)."""
    return (
        f'attachment; filename="{safe_filename(filename)}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )


def download_link(key: str | None, filename: str, missing: str) -> tuple[str, str]:
    """A presigned URL for `key` saving as `filename` (a `download_name`), and when it
    expires; NotFound with the `missing` message when there is no such object."""
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
    url = s3.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings.data_bucket,
            "Key": key,
            "ResponseContentDisposition": content_disposition(filename),
            "ResponseContentType": "application/pdf",
        },
        ExpiresIn=seconds,
    )
    return url, (clock.now() + timedelta(seconds=seconds)).isoformat()


def attachment_link(key: str, filename: str, content_type: str) -> tuple[str, str]:
    """A presigned URL of a checked ticket attachment (its state says it is there, so no
    request is made) saving as `filename`, with the type its content was checked to be,
    and when it expires."""
    settings = get_settings()
    seconds = min(settings.download_link_seconds, MAX_LINK_SECONDS)
    url = aws.client("s3").generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings.data_bucket,
            "Key": key,
            "ResponseContentDisposition": content_disposition(download_name(filename)),
            "ResponseContentType": content_type,
        },
        ExpiresIn=seconds,
    )
    return url, (clock.now() + timedelta(seconds=seconds)).isoformat()
