"""The local stage's own routes (`/_local/*`: the e-mail outbox and
the fake payment gateway, which signs notifications) exist only on the local stage against a
loopback moto endpoint, and answer only callers on the loopback interface; anyone else gets
the same 404 as an unknown route."""

from __future__ import annotations

import functools
import ipaddress
import os
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from chalice import Blueprint, Response

from chalicelib.domain.errors import NotFound
from chalicelib.http.responses import error_response


def is_loopback(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """True only on the local stage whose AWS endpoint (the moto server) is on loopback."""
    if environ.get("STAGE") != "local":
        return False
    try:
        host = urlsplit(environ.get("AWS_ENDPOINT_URL") or "").hostname
    except ValueError:
        return False
    return is_loopback(host)


def _source_ip(request: Any) -> str | None:
    identity = ((getattr(request, "context", None) or {}).get("identity")) or {}
    return identity.get("sourceIp")


def local_route(
    bp: Blueprint, path: str, **options: Any
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """`bp.route` for a local page: a caller not on loopback gets 404."""

    def register(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def guarded(**params: str) -> Response:
            if not is_loopback(_source_ip(bp.current_request)):
                return error_response(NotFound())
            return view(**params)

        bp.route(path, **options)(guarded)
        return guarded

    return register
