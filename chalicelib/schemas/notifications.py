"""Bodies of the notifications list and of the unsubscribe link."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, ValidationError

from chalicelib.domain.notifications import RULES
from chalicelib.schemas.base import Schema, Strict

if TYPE_CHECKING:
    from chalicelib.domain.notifications import Notification
    from chalicelib.paging import Page
    from chalicelib.services.notifications import Unsubscription


class NotificationOut(Schema):
    """One notification the portal sent."""

    kind: str = Field(description="Rodzaj (np. invoice_reminder, payment_receipt).")
    category: str = Field(description="transactional (zawsze) albo notice (za zgodą).")
    title: str
    channels: list[str] = Field(description="email, sms")
    sent_at: str
    state: str = Field(description="sent; sending: wysyłka trwała, gdy zapisano listę.")

    @classmethod
    def from_result(cls, notification: Notification) -> NotificationOut:
        """The body of one notification."""
        return cls(
            kind=notification.kind.value,
            category=RULES[notification.kind].klass.value,
            title=notification.title,
            channels=[c.value for c in notification.channels],
            sent_at=notification.sent_at.isoformat(),
            state=notification.state,
        )


class NotificationList(Schema):
    """A page of notifications, newest first."""

    items: list[NotificationOut]
    next_cursor: str | None

    @classmethod
    def from_result(cls, page: Page[Notification]) -> NotificationList:
        """The body of a page of notifications."""
        return cls(
            items=[NotificationOut.from_result(n) for n in page.items],
            next_cursor=page.next_cursor,
        )


class UnsubscribeBody(Strict):
    """The portal page's withdrawal: the token from the link."""

    token: str = Field(min_length=1, max_length=200)


def token_in(raw: bytes) -> str | None:
    """The token of a JSON body, None if the body is not one."""
    try:
        return UnsubscribeBody.model_validate_json(raw).token
    except ValidationError:
        return None


class UnsubscribeState(Schema):
    """The consent an unsubscribe link names, and whether it stands."""

    consent: str = Field(description="email_notices albo sms_notices.")
    label: str
    granted: bool
    message: str

    @classmethod
    def from_result(cls, found: Unsubscription) -> UnsubscribeState:
        """The body for a verified link."""
        message = (
            f"Zgoda na {found.label} jest wyrażona."
            if found.granted
            else f"Zgoda na {found.label} jest wycofana. Nie wyślemy już takich powiadomień."
        )
        return cls(consent=found.consent, label=found.label, granted=found.granted, message=message)
