"""Bodies of online payments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from chalicelib.money import format_grosze
from chalicelib.schemas.base import Schema, Strict
from chalicelib.schemas.fields import Grosze
from chalicelib.schemas.ledger import PaymentOut

if TYPE_CHECKING:
    from chalicelib.domain.ledger import OrderDetail
    from chalicelib.domain.payments import ReturnState, Started

# What to tell the customer about an online payment in each state.
MESSAGES = {
    "started": "Płatność rozpoczęta. Jeśli jej nie dokończono, można zacząć nową.",
    "pending": "Płatność jest w toku. Potwierdzenie z banku zwykle przychodzi w ciągu minut.",
    "paid": (
        "Płatność otrzymana. Do czasu zaksięgowania faktury są oznaczone jako opłacone "
        "(oczekuje na zaksięgowanie)."
    ),
    "failed": "Płatność nie powiodła się. Możesz spróbować ponownie.",
    "booked": "Płatność zaksięgowana.",
}


class PaymentStart(Strict):
    """What to pay: chosen invoices, the whole overdue amount, or an amount of your own.
    The amount of an invoice payment is computed by the server, never sent. One open order
    at a time pays an invoice: while an order holding it is started or pending (at most
    PAYMENT_HOLD_MINUTES), a start for it is 409 with code `payment_in_progress` and the
    open order's id in `error.fields.order_id`."""

    invoices: list[str] | None = Field(
        None, min_length=1, max_length=50, description="Identyfikatory faktur z GET /invoices."
    )
    overdue: bool = False
    amount: Grosze | None = Field(None, description='Własna kwota, np. "150,00".')

    @model_validator(mode="after")
    def _one_purpose(self) -> PaymentStart:
        chosen = [self.invoices is not None, self.overdue, self.amount is not None]
        if sum(chosen) != 1:
            raise ValueError("Wybierz dokładnie jedno: faktury, zaległość albo własną kwotę.")
        return self


class FormField(Schema):
    """One field of the gateway form, in order."""

    name: str
    value: str


class GatewayForm(Schema):
    """Where the browser POSTs (application/x-www-form-urlencoded) to pay."""

    url: str
    method: str = "POST"
    fields: list[FormField]


class StartedPayment(Schema):
    """A started online payment and where to send the customer."""

    order_id: str
    amount: str
    status: str
    gateway: GatewayForm

    @classmethod
    def from_result(cls, started: Started) -> StartedPayment:
        """A started order and its gateway form as shown."""
        return cls(
            order_id=started.order_id,
            amount=format_grosze(started.amount),
            status=started.status,
            gateway=GatewayForm(
                url=started.url, fields=[FormField(name=n, value=v) for n, v in started.fields]
            ),
        )


class PaymentDetail(PaymentOut):
    """An online payment in detail."""

    remote_id: str | None
    message: str = Field(description="Co pokazać klientowi.")

    @classmethod
    def from_result(cls, detail: OrderDetail) -> PaymentDetail:
        """An online payment in detail, with what to tell the customer."""
        return cls(
            **PaymentOut.fields_of(detail.line),
            remote_id=detail.remote_id,
            message=MESSAGES[detail.line.status],
        )


class ReturnStatus(Schema):
    """What the frontend shows when the customer comes back from the gateway."""

    order_id: str
    status: str
    message: str

    @classmethod
    def from_result(cls, state: ReturnState) -> ReturnStatus:
        """What to show a returning customer."""
        return cls(order_id=state.order_id, status=state.status, message=MESSAGES[state.status])
