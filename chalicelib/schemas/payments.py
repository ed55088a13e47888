"""Bodies of online payments."""

from __future__ import annotations

from pydantic import Field, model_validator

from chalicelib.schemas.base import Schema, Strict
from chalicelib.schemas.fields import Grosze
from chalicelib.schemas.ledger import PaymentOut


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


class PaymentDetail(PaymentOut):
    """An online payment in detail."""

    remote_id: str | None
    message: str = Field(description="Co pokazać klientowi.")


class ReturnStatus(Schema):
    """What the frontend shows when the customer comes back from the gateway."""

    order_id: str
    status: str
    message: str
