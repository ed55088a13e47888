"""The dashboard in one call (`GET /summary`): balance, unpaid invoices, the meters with
their last readings and certification notices from one Query of the customer's partition,
and the announcements for the customer's service address (services/announcements.py
`current_copy`: a per-container copy, refreshed beside that Query when it is older than a
minute)."""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.domain.ledger import BalanceSummary, InvoiceView
from chalicelib.domain.meters import MeterView
from chalicelib.domain.records import Customer
from chalicelib.services import announcements as notices
from chalicelib.services import ledger, meters
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.settings import get_settings
from chalicelib.storage import summary as summary_store


@dataclass(frozen=True)
class Announcement:
    """A notice of the utility (planned works, a failure, a general one) for the customer's
    service address."""

    id: str
    kind: str
    title: str
    text: str
    starts_at: str
    ends_at: str | None


@dataclass(frozen=True)
class PaymentLimits:
    """The least and the most an online payment of the customer's own amount may be (grosze),
    so the pay page can say so before the customer types."""

    minimum: int
    maximum: int


@dataclass(frozen=True)
class Summary:
    """What the dashboard shows."""

    customer_number: str
    name: str | None
    payment_limits: PaymentLimits
    balance: BalanceSummary
    unpaid: list[InvoiceView]
    meters: list[MeterView]  # active meters only: the ones a customer reads and certifies
    announcements: list[Announcement] = field(default_factory=list)

    @property
    def certification_notices(self) -> list[MeterView]:
        """The active meters whose certification has expired or expires within 90 days."""
        return [view for view in self.meters if view.attention]


def summary(customer_number: str, deps: Collaborators | None = None) -> Summary:
    """The customer's dashboard as of today (one Query, and the announcements beside it)."""
    deps = deps or current()
    published = notices.current_copy(deps)
    stored = summary_store.read_customer(customer_number)
    today = deps.clock.today()
    data = ledger.ledger_of(stored.ledger)
    views = meters.meter_views(stored.meters, stored.readings, today)
    settings = get_settings()
    return Summary(
        customer_number=customer_number,
        name=stored.customer.name if stored.customer else None,
        payment_limits=PaymentLimits(settings.payment_min_grosze, settings.payment_max_grosze),
        balance=ledger.balance_of(data, today),
        unpaid=ledger.unpaid_invoices(data, today),
        meters=[view for view in views if view.accepts_readings],
        announcements=_announcements(published(), stored.customer, deps),
    )


def _announcements(
    published: list[notices.Announcement], customer: Customer | None, deps: Collaborators
) -> list[Announcement]:
    if customer is None:
        return []
    address = customer.service_address
    return [
        Announcement(
            id=a.id,
            kind=str(a.kind),
            title=a.title,
            text=a.text,
            starts_at=a.starts_at.isoformat(),
            ends_at=a.ends_at.isoformat() if a.ends_at else None,
        )
        for a in notices.for_address(published, address.postal_code, address.street, deps)
    ]
