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
