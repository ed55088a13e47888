"""The providers of this stage by name, built from their credentials (SSM, cached per
container). A new gateway adds its factory to FACTORIES; nothing else here changes."""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.adapters.secrets import SecretError, bluemedia_credentials
from chalicelib.payments.bluemedia import BlueMedia
from chalicelib.payments.provider import Provider, ProviderUnavailable
from chalicelib.settings import get_settings

DEFAULT = "bluemedia"  # the gateway new orders go through


def bluemedia() -> BlueMedia:
    """The Blue Media provider of this stage; ProviderUnavailable if its credentials cannot
    be loaded or are not valid."""
    try:
        service_id, key = bluemedia_credentials()
    except SecretError as exc:
        raise ProviderUnavailable(str(exc)) from exc
    return BlueMedia(service_id, key, get_settings().bluemedia_gateway_url)


FACTORIES: dict[str, Callable[[], Provider]] = {"bluemedia": bluemedia}


def provider(name: str = DEFAULT) -> Provider:
    """The provider called `name`; ProviderUnavailable if there is none or it cannot work."""
    factory = FACTORIES.get(name)
    if factory is None:
        raise ProviderUnavailable(f"no payment provider called {name!r}")
    return factory()
