"""Import lines of the ledger: payments booked by the billing system and balances."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from chalicelib.imports.records import InvoiceNumber, Line
from chalicelib.models.billing import (
    BalanceRecord,
    BillingItem,
    PaymentRecord,
)
from chalicelib.schemas.base import Strict
from chalicelib.schemas.fields import Grosze, ImportedCustomerNumber, OrderId, billing_id

PaymentId = billing_id("Identyfikator wpłaty")


class AllocationLine(Strict):
    """How much of the payment settled one invoice."""

    invoice: InvoiceNumber
    amount: Grosze


class PaymentLine(Line):
    """A payment booked by the billing system; `allocations` say which invoices it paid
    (the unallocated rest is an overpayment)."""

    MODEL = PaymentRecord

    type: Literal["payment"]
    id: PaymentId
    customer_number: ImportedCustomerNumber
    paid_on: date
    amount: Grosze
    method: Literal["transfer", "cash", "card", "online", "offset"] = "transfer"
    allocations: list[AllocationLine] = Field(default_factory=list, max_length=200)
    online_order: OrderId | None = None
    title: Annotated[str, StringConstraints(max_length=200)] | None = None

    @model_validator(mode="after")
    def _check(self) -> PaymentLine:
        if self.amount <= 0:
            raise ValueError("Kwota wpłaty musi być dodatnia.")
        if any(part.amount <= 0 for part in self.allocations):
            raise ValueError("Kwoty rozliczenia wpłaty muszą być dodatnie.")
        if sum(part.amount for part in self.allocations) > self.amount:
            raise ValueError("Rozliczenia przekraczają kwotę wpłaty.")
        return self

    def natural_key(self) -> tuple[str, str]:
        return BillingItem.partition(self.customer_number), PaymentRecord.sort_key(self.id)


class BalanceLine(Line):
    """The balance as of a date: positive when the customer owes, negative when overpaid."""

    MODEL = BalanceRecord

    type: Literal["balance"]
    customer_number: ImportedCustomerNumber
    as_of: date
    amount: Grosze

    def natural_key(self) -> tuple[str, str]:
        return (
            BillingItem.partition(self.customer_number),
            BalanceRecord.sort_key(self.as_of.isoformat()),
        )
