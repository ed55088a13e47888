"""Secrets from SSM Parameter Store, fetched once and cached per container."""

from __future__ import annotations

from functools import lru_cache

from chalicelib import aws
from chalicelib.settings import get_settings


@lru_cache(maxsize=8)
def _parameter(name: str) -> str:
    response = aws.client("ssm").get_parameter(Name=name, WithDecryption=True)
    return response["Parameter"]["Value"]


def password_pepper() -> bytes:
    """The pepper mixed into every password hash."""
    return _parameter(get_settings().pepper_parameter).encode("utf-8")


def bluemedia_credentials() -> tuple[str, str]:
    """The Blue Media ServiceID and shared key of this stage."""
    settings = get_settings()
    return (
        _parameter(settings.bluemedia_service_parameter),
        _parameter(settings.bluemedia_key_parameter),
    )


def reset() -> None:
    """Forget cached secrets (tests)."""
    _parameter.cache_clear()
