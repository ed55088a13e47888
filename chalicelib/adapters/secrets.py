"""Secrets from SSM Parameter Store, fetched once and cached per container."""

from __future__ import annotations

import re
from functools import lru_cache

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.settings import get_settings

SERVICE_ID = re.compile(r"[0-9]{1,10}")  # Blue Media: digits, at most 10


class SecretError(Exception):
    """A secret cannot be read from SSM, or its value is not valid (the message names the
    parameter, never the value)."""


@lru_cache(maxsize=8)
def _parameter(name: str) -> str:
    response = aws.client("ssm").get_parameter(Name=name, WithDecryption=True)
    return response["Parameter"]["Value"]


def password_pepper() -> bytes:
    """The pepper mixed into every password hash."""
    return _parameter(get_settings().pepper_parameter).encode("utf-8")


def bluemedia_credentials() -> tuple[str, str]:
    """The Blue Media ServiceID and shared key of this stage; SecretError when SSM cannot
    be read or the ServiceID is not 1-10 digits or the key is empty."""
    settings = get_settings()
    service_parameter = settings.bluemedia_service_parameter
    key_parameter = settings.bluemedia_key_parameter
    try:
        service_id = _parameter(service_parameter)
        key = _parameter(key_parameter)
    except (ClientError, BotoCoreError) as exc:
        raise SecretError(f"cannot read the Blue Media credentials from SSM: {exc}") from exc
    if not SERVICE_ID.fullmatch(service_id):
        raise SecretError(f"{service_parameter}: the Blue Media ServiceID must be 1-10 digits")
    if not key.strip():
        raise SecretError(f"{key_parameter}: the Blue Media shared key is empty")
    return service_id, key


def reset() -> None:
    """Forget cached secrets (tests)."""
    _parameter.cache_clear()
