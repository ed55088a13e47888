"""Secrets from SSM Parameter Store, through Powertools Parameters: cached per container
for SECRETS_MAX_AGE seconds, so a rotated pepper or gateway key reaches running containers
within that time without a redeploy. A refresh that fails keeps the value last read: a
container that has read a secret never depends on SSM answering again (as before max_age),
so throttling or an SSM outage cannot turn logins or payments into 500s."""

from __future__ import annotations

import re
from functools import cache

from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.logs import logger
from chalicelib.settings import get_settings

SERVICE_ID = re.compile(r"[0-9]{1,10}")  # Blue Media: digits, at most 10


class SecretError(Exception):
    """A secret cannot be read from SSM, or its value is not valid (the message names the
    parameter, never the value)."""


SECRETS_MAX_AGE = 300  # seconds a value is kept before SSM is asked again
_last_read: dict[str, str] = {}  # by parameter name: what to use while SSM cannot answer


@cache
def _provider() -> parameters.SSMProvider:
    return parameters.SSMProvider(boto3_client=aws.client("ssm"))


def _parameter(name: str) -> str:
    try:
        value = _provider().get(name, decrypt=True, max_age=SECRETS_MAX_AGE)
    except GetParameterError as exc:
        cause = exc.__context__  # Powertools wraps the SDK error
        if isinstance(cause, ClientError | BotoCoreError):
            if name in _last_read:
                logger.warning(
                    "secret not refreshed from SSM: the cached value kept",
                    extra={"parameter": name, "reason": type(cause).__name__},
                )
                return _last_read[name]
            raise cause from None
        raise
    _last_read[name] = value
    return value


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


def edge_secret() -> str | None:
    """The value CloudFront adds to every /api/* request (X-IBOK-Edge) on this stage; None
    where no edge is deployed (EDGE_SECRET_PARAMETER unset: locally, in tests). SecretError
    when SSM cannot be read or the value is empty (an empty secret would match anything
    that sends an empty header)."""
    name = get_settings().edge_secret_parameter
    if name is None:
        return None
    try:
        value = _parameter(name)
    except (ClientError, BotoCoreError) as exc:
        raise SecretError(f"cannot read the edge secret {name} from SSM: {exc}") from exc
    if not value.strip():
        raise SecretError(f"{name}: the edge secret is empty")
    return value


def reset() -> None:
    """Forget cached secrets and the client holding them (a new container; tests)."""
    _provider.cache_clear()
    _last_read.clear()
