"""The dashboard's body (`GET /summary`): the shapes of /balance, /invoices and /meters,
the certification notices and the announcements for the customer's address."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from chalicelib.domain.meters import certification_notice
from chalicelib.money import format_grosze
from chalicelib.schemas.base import Schema
from chalicelib.schemas.ledger import BalanceOut, InvoiceOut
from chalicelib.schemas.meters import MeterOut

if TYPE_CHECKING:
    from chalicelib.services.summary import Announcement, Summary


class CertificationNoticeOut(Schema):
    """An active meter whose certification (legalizacja) expired or expires within 90 days."""

    meter_id: str = Field(description="Identyfikator do ścieżek /meters/{id}.")
    serial: str
    valid_until: dt.date
    state: Literal["expiring", "expired"]
    days_left: int
    message: str = Field(description="Komunikat dla odbiorcy.")


class AnnouncementOut(Schema):
    """A notice of the utility for the customer's address (planned works, a failure)."""

    id: str
    kind: Literal["planned_works", "failure", "general"]
    title: str
    text: str
    starts_at: str = Field(description="ISO 8601.")
    ends_at: str | None = Field(description="ISO 8601; brak: do odwołania.")

    @classmethod
    def from_result(cls, announcement: Announcement) -> AnnouncementOut:
        """An announcement as shown."""
        return cls.model_validate(announcement, from_attributes=True)


class PaymentLimitsOut(Schema):
    """The limits of an online payment of the customer's own amount."""

    minimum: str = Field(description='Najmniejsza kwota, np. "10.00".')
    maximum: str = Field(description="Największa kwota.")


class SummaryOut(Schema):
    """The dashboard in one call."""

    customer_number: str
    name: str | None = Field(description="Imię i nazwisko lub nazwa odbiorcy.")
    payment_limits: PaymentLimitsOut = Field(
        description="Granice własnej kwoty płatności online (POST /payments, amount)."
    )
    balance: BalanceOut
    unpaid_invoices: list[InvoiceOut] = Field(
        description="Dokumenty z kwotą do zapłaty, od najstarszego terminu."
    )
    meters: list[MeterOut] = Field(description="Czynne wodomierze z ostatnim odczytem.")
    certification_notices: list[CertificationNoticeOut]
    announcements: list[AnnouncementOut] = Field(
        description="Bieżące komunikaty dla adresu odbiorcy (na razie zawsze pusta lista)."
    )

    @classmethod
    def from_result(cls, summary: Summary) -> SummaryOut:
        """The dashboard as shown."""
        limits = summary.payment_limits
        return cls(
            customer_number=summary.customer_number,
            name=summary.name,
            payment_limits=PaymentLimitsOut(
                minimum=format_grosze(limits.minimum), maximum=format_grosze(limits.maximum)
            ),
            balance=BalanceOut.from_result(summary.balance),
            unpaid_invoices=[InvoiceOut.from_view(view) for view in summary.unpaid],
            meters=[MeterOut.from_result(view) for view in summary.meters],
            certification_notices=[
                CertificationNoticeOut(
                    meter_id=view.meter.serial,
                    serial=view.meter.serial,
                    valid_until=view.certification.valid_until,
                    state=view.certification.state,
                    days_left=view.certification.days_left,
                    message=certification_notice(view.meter.serial, view.certification),
                )
                for view in summary.certification_notices
                if view.certification.valid_until is not None
                and view.certification.days_left is not None
            ],
            announcements=[AnnouncementOut.from_result(a) for a in summary.announcements],
        )
