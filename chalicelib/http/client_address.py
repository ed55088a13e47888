"""The caller's address, which every per-source throttle counts by (login, registration,
password reset) and the login history shows.

API Gateway's `sourceIp` is the peer it saw. The portal calls the API through CloudFront
(infra/edge.yaml), so there the peer is a CloudFront edge server, shared by every customer
that edge serves: one per-source budget for all of them. CloudFront adds the viewer's own
address (`CloudFront-Viewer-Address`, "ip:port", IPv6 without brackets) and, as an origin
custom header, the stage's edge secret (`X-IBOK-Edge`, from SSM). Only a request carrying
that secret is trusted to name its viewer; anyone can send the address header straight to
the API's execute-api URL (the billing system does call it directly), and then it means
nothing. A wrong secret is a security event, never an error for the caller.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping

from chalicelib.lazy import lazy_module
from chalicelib.logs import logger

secrets = lazy_module("chalicelib.adapters.secrets")
telemetry = lazy_module("chalicelib.telemetry")

EDGE_SECRET_HEADER = "X-IBOK-Edge"  # noqa: S105  (the header's name, not its value)
VIEWER_ADDRESS_HEADER = "CloudFront-Viewer-Address"


def viewer_ip(value: str | None) -> str | None:
    """The IP address in a `CloudFront-Viewer-Address` value ("198.51.100.7:443",
    "2001:db8::1:443"), normalised (an IPv4-mapped IPv6 address as IPv4); None if the value
    is not an address and a port."""
    host, colon, port = (value or "").strip().rpartition(":")
    if not colon or not port.isdigit():
        return None
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def client_address(headers: Mapping[str, str], source_ip: str) -> str:
    """The viewer's address for a request CloudFront forwarded with the right edge secret;
    `source_ip` otherwise. SSM is asked (through the secrets cache) only when a request
    carries the secret header."""
    presented = headers.get(EDGE_SECRET_HEADER.lower())
    if not presented:
        return source_ip
    try:
        secret = secrets.edge_secret()
    except secrets.SecretError as exc:
        # Counted by the source, as before CloudFront forwarded addresses; not the caller's
        # fault, so it answers as usual.
        logger.warning("edge_secret_unavailable", extra={"cause": str(exc)[:300]})
        return source_ip
    if secret is None:  # no edge on this stage (local): the header means nothing
        return source_ip
    if not hmac.compare_digest(presented.encode("utf-8"), secret.encode("utf-8")):
        telemetry.security_event("edge_secret_mismatch")
        return source_ip
    viewer = viewer_ip(headers.get(VIEWER_ADDRESS_HEADER.lower()))
    if viewer is None:  # the origin request policy no longer forwards it?
        logger.warning("viewer_address_missing")
        return source_ip
    return viewer
