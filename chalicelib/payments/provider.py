"""What a payment gateway provider does for IBOK. Blue Media (Autopay) is the first
implementation (bluemedia.py); Przelewy24 or PayU would be another module with the same
three operations (see docs/payments.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class StartRequest:
    """What the customer's browser needs to POST to the gateway."""

    order_id: str
    amount: int  # grosze
    description: str
    customer_email: str | None


@dataclass(frozen=True)
class Redirect:
    """A form to POST from the browser: the gateway URL and its fields in order."""

    url: str
    fields: list[tuple[str, str]]


@dataclass(frozen=True)
class Transaction:
    """One transaction of a notification, as the gateway reported it."""

    order_id: str
    remote_id: str
    amount: int  # grosze
    currency: str
    status: str  # PENDING | SUCCESS | FAILURE
    gateway_id: str | None = None
    payment_date: str | None = None  # ISO 8601, UTC
    status_details: str | None = None


@dataclass(frozen=True)
class Notification:
    """A verified notification: the service it is for and its transactions."""

    service_id: str
    transactions: list[Transaction] = field(default_factory=list)


class InvalidNotification(Exception):
    """The notification is malformed or its signature is wrong: nothing may change."""


class Provider(Protocol):
    """A payment gateway."""

    name: str

    def start(self, request: StartRequest) -> Redirect:
        """The signed form that sends the customer to the gateway."""

    def parse_notification(self, body: bytes, content_type: str) -> Notification:
        """Verify and parse a notification; InvalidNotification if it cannot be trusted."""

    def acknowledge(self, service_id: str, confirmations: list[tuple[str, bool]]) -> bytes:
        """The signed answer to a notification: per order id, confirmed or not."""

    def verify_return(self, params: dict[str, str]) -> str:
        """The order id of a browser return whose signature holds; InvalidNotification
        otherwise."""
