"""Online payments. The order lives in the customer's ledger (`LEDGER#ONLINE#<order id>`),
so balance, settlements and payment history read it with the rest of the ledger in one
Query; a small immutable pointer (`ORDER#<order id>`) finds it from a notification, which
names only the order. Each invoice an open order pays is held (`LEDGER#HOLD#<invoice>`), so
no second order can pay it at the same time."""

from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from chalicelib.models.billing import BillingItem


class OrderPart(MapAttribute):
    """The part of an online payment meant for one invoice."""

    invoice = UnicodeAttribute()
    amount = NumberAttribute()  # grosze


class OnlinePayment(BillingItem, discriminator="online_payment"):
    """An online payment order and its state (started → pending → paid | failed; booked
    once the billing system books it)."""

    order_id = UnicodeAttribute()
    provider = UnicodeAttribute()
    amount = NumberAttribute()  # grosze
    currency = UnicodeAttribute(default="PLN")
    purpose = UnicodeAttribute()  # invoices | overdue | amount
    parts = ListAttribute(of=OrderPart, default=list)
    description = UnicodeAttribute()
    status = UnicodeAttribute()  # domain/payments.py PaymentStatus (never BOOKED)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    remote_id = UnicodeAttribute(null=True)
    gateway_id = UnicodeAttribute(null=True)
    paid_at = UnicodeAttribute(null=True)
    status_details = UnicodeAttribute(null=True)
    receipt_sent_at = UnicodeAttribute(null=True)
    receipt_claimed_at = UnicodeAttribute(null=True)  # "<ISO time>#<token>" while sending

    PREFIX = "LEDGER#ONLINE#"

    @classmethod
    def sort_key(cls, order_id: str) -> str:
        """Sort key of the order."""
        return f"{cls.PREFIX}{order_id}"


class OrderPointer(BillingItem, discriminator="order_pointer"):
    """Where an order lives and what a notification must match; never changes."""

    customer = UnicodeAttribute()
    amount = NumberAttribute()  # grosze
    currency = UnicodeAttribute()

    @staticmethod
    def key(order_id: str) -> tuple[str, str]:
        """The pointer's key."""
        return f"ORDER#{order_id}", "ORDER"


class PaymentHold(BillingItem, discriminator="payment_hold"):
    """The open order paying an invoice: written in the order's own transaction, on the
    condition that no other open order holds it; removed when the order ends, and free for
    another order after `until` in any case (an order left unfinished)."""

    order_id = UnicodeAttribute()
    until = NumberAttribute()  # epoch seconds

    PREFIX = "LEDGER#HOLD#"

    @property
    def invoice(self) -> str:
        """The invoice held."""
        return self.sk.removeprefix(self.PREFIX)

    @classmethod
    def sort_key(cls, invoice: str) -> str:
        """Sort key of the hold on one invoice."""
        return f"{cls.PREFIX}{invoice}"
