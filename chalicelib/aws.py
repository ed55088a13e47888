"""AWS clients: created lazily, once per container, endpoint from the stage's settings."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from chalicelib.settings import get_settings

_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=2, read_timeout=5)


@cache
def client(service: str) -> Any:
    """Return the shared boto3 client for `service` (s3, ses, sns, sqs, ssm, dynamodb)."""
    settings = get_settings()
    return boto3.session.Session().client(
        service,
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint,
        config=_CONFIG,
    )


@cache
def queue_url(name: str) -> str:
    """The URL of the SQS queue `name`, looked up once per container."""
    return client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def reset() -> None:
    """Forget every cached client and setting (tests change the environment between cases)."""
    client.cache_clear()
    queue_url.cache_clear()
    get_settings.cache_clear()
