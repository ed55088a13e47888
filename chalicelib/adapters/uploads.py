"""Uploads to the data bucket: presigned POST forms for one object, limited in type and size."""

from __future__ import annotations

from chalicelib import aws
from chalicelib.settings import get_settings


def presigned_post(
    key: str, content_type: str, max_bytes: int, seconds: int
) -> tuple[str, dict[str, str]]:
    """Where and with which form fields a browser may POST one object of `content_type` and
    at most `max_bytes` under `key`, for `seconds`."""
    post = aws.client("s3").generate_presigned_post(
        Bucket=get_settings().data_bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[
            {"Content-Type": content_type},
            ["content-length-range", 1, max_bytes],
        ],
        ExpiresIn=seconds,
    )
    return post["url"], post["fields"]


# Enough bytes for the magic numbers of every type `filetype` knows.
HEAD_BYTES = 262


def read_head(key: str) -> tuple[bytes, int, str | None]:
    """The first bytes of the uploaded object `key`, its full size and the version read
    (None in a bucket without versioning): what `move` must copy, since the upload form
    lets the same key be written again while the check runs."""
    found = aws.client("s3").get_object(
        Bucket=get_settings().data_bucket, Key=key, Range=f"bytes=0-{HEAD_BYTES - 1}"
    )
    head = found["Body"].read()
    total = str(found.get("ContentRange") or "").rpartition("/")[2]
    size = int(total) if total.isdigit() else int(found["ContentLength"])
    version = found.get("VersionId")
    return head, size, version if version and version != "null" else None


def content_type_of(head: bytes) -> str | None:
    """The MIME type the content's magic bytes show (`filetype`), whatever it was named
    or declared as; None when they show none it knows."""
    import filetype  # on the first upload check, not at every cold start

    kind = filetype.guess(head)
    return kind.mime if kind is not None else None


def move(source: str, target: str, version: str | None = None) -> None:
    """Move an object inside the data bucket (copy, then delete the source); `version`:
    copy that version of the source, not whatever the key holds by now."""
    s3 = aws.client("s3")
    bucket = get_settings().data_bucket
    copied = {"Bucket": bucket, "Key": source}
    if version:
        copied["VersionId"] = version
    s3.copy_object(Bucket=bucket, Key=target, CopySource=copied)
    s3.delete_object(Bucket=bucket, Key=source)


def delete(*keys: str) -> None:
    """Delete objects of the data bucket (missing ones are no error)."""
    s3 = aws.client("s3")
    bucket = get_settings().data_bucket
    for key in keys:
        s3.delete_object(Bucket=bucket, Key=key)
