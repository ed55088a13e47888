"""What a payment gateway provider does for IBOK. Blue Media (Autopay) is the first
implementation (bluemedia.py); Przelewy24 or PayU would be another module with the same
operations (see docs/payments.md). The shared flow (services/payments.py) uses only what is
defined here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class StartRequest:
    """What the customer's browser needs to POST to the gateway."""

    order_id: str
    amount: int  # grosze
    description: str
    customer_email: str | None
    valid_until: datetime | None = None  # after this the gateway refuses to take the payment


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
    """The notification is malformed or its signature is wrong: nothing may change.

    `reason` is a short code for the security event (`malformed`, `other_service`,
    `bad_hash`, `bad_amount`); `order_ids` are the orders the notification names when they
    could be read, so that each can be answered "not confirmed"."""

    def __init__(self, reason: str, detail: str = "", order_ids: Sequence[str] = ()) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.order_ids = list(order_ids)


class ProviderUnavailable(Exception):
    """The provider cannot work now: its credentials cannot be loaded or are not valid."""


class Provider(Protocol):
    """A payment gateway."""

    name: str

    def start(self, request: StartRequest) -> Redirect:
        """The signed form that sends the customer to the gateway."""

    def parse_notification(self, body: bytes, content_type: str) -> Notification:
        """Verify and parse a notification; InvalidNotification if it cannot be trusted."""

    def acknowledge(self, confirmations: list[tuple[str, bool]]) -> bytes:
        """The answer to a notification: per order id, confirmed or not (also for a
        notification that was rejected, with the order ids its InvalidNotification names)."""

    def verify_return(self, params: dict[str, str]) -> str:
        """The order id of a browser return whose signature holds; InvalidNotification
        otherwise."""
