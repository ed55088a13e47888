"""The providers of this stage by name, built from their credentials (SSM, cached per
container, through the secrets the caller passes). A new gateway adds its factory to
FACTORIES; nothing else here changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from chalicelib.adapters import secrets as stage_secrets
from chalicelib.adapters.secrets import SecretError
from chalicelib.payments.bluemedia import BlueMedia
from chalicelib.payments.provider import Provider, ProviderUnavailable
from chalicelib.settings import get_settings

DEFAULT = "bluemedia"  # the gateway new orders go through


class Credentials(Protocol):
    """Where the gateways' credentials come from (adapters/secrets.py, or a test's fake)."""

    def bluemedia_credentials(self) -> tuple[str, str]: ...


def bluemedia(secrets: Credentials = stage_secrets) -> BlueMedia:
    """The Blue Media provider of this stage; ProviderUnavailable if its credentials cannot
    be loaded or are not valid."""
    try:
        service_id, key = secrets.bluemedia_credentials()
    except SecretError as exc:
        raise ProviderUnavailable(str(exc)) from exc
    return BlueMedia(service_id, key, get_settings().bluemedia_gateway_url)


FACTORIES: dict[str, Callable[[Credentials], Provider]] = {"bluemedia": bluemedia}


def provider(name: str = DEFAULT, secrets: Credentials = stage_secrets) -> Provider:
    """The provider called `name`; ProviderUnavailable if there is none or it cannot work."""
    factory = FACTORIES.get(name)
    if factory is None:
        raise ProviderUnavailable(f"no payment provider called {name!r}")
    return factory(secrets)
