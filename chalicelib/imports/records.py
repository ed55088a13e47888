"""Import line models, one per record type, and how each becomes a billing item.

Adding a record type = a pydantic model with a `type` literal, a `to_item` that builds the
PynamoDB item keyed by the record's natural key, and an entry in `RECORD_TYPES`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from chalicelib.models.billing import Address, BillingItem, CustomerRecord, InvoiceRecord
from chalicelib.schemas.base import Strict
from chalicelib.schemas.fields import CustomerNumber, Email, Grosze, Phone

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PdfKey = Annotated[str, StringConstraints(pattern=r"^invoices/[A-Za-z0-9._/\-]{1,200}\.pdf$")]


class Line(Strict):
    """Base of every import line."""

    def natural_key(self) -> tuple[str, str]:
        """The item key the line upserts."""
        raise NotImplementedError

    def to_item(self, content_hash: str, batch_key: str) -> BillingItem:
        """The billing item this line stands for."""
        raise NotImplementedError


class AddressLine(Strict):
    """A postal address."""

    street: Text
    postal_code: Annotated[str, StringConstraints(pattern=r"^\d{2}-\d{3}$")]
    city: Text

    def to_attribute(self) -> Address:
        """As stored."""
        return Address(street=self.street, postal_code=self.postal_code, city=self.city)


class CustomerLine(Line):
    """A customer (odbiorca)."""

    type: Literal["customer"]
    customer_number: CustomerNumber
    name: Text
    kind: Literal["person", "business"] = "person"
    service_address: AddressLine
    correspondence_address: AddressLine | None = None
    email: Email | None = None
    phone: Phone | None = None
    contract_status: Literal["active", "terminated"]
    contract_ended_on: date | None = None

    @model_validator(mode="after")
    def _check(self) -> CustomerLine:
        if self.contract_status == "terminated" and self.contract_ended_on is None:
            raise ValueError("Dla rozwiązanej umowy podaj contract_ended_on.")
        return self

    def natural_key(self) -> tuple[str, str]:
        return BillingItem.partition(self.customer_number), CustomerRecord.SORT_KEY

    def to_item(self, content_hash: str, batch_key: str) -> CustomerRecord:
        return CustomerRecord(
            *self.natural_key(),
            content_hash=content_hash,
            batch_key=batch_key,
            number=self.customer_number,
            name=self.name,
            customer_kind=self.kind,
            service_address=self.service_address.to_attribute(),
            correspondence_address=(
                self.correspondence_address.to_attribute() if self.correspondence_address else None
            ),
            email=self.email,
            phone=self.phone,
            contract_status=self.contract_status,
            contract_ended_on=self.contract_ended_on.isoformat()
            if self.contract_ended_on
            else None,
        )


InvoiceKind = Literal["invoice", "correction", "duplicate", "interest_note", "accounting_note"]


class InvoiceLine(Line):
    """An invoice or another billing document."""

    type: Literal["invoice"]
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    customer_number: CustomerNumber
    kind: InvoiceKind = "invoice"
    issue_date: date
    sale_date: date | None = None
    due_date: date
    net: Grosze
    vat: Grosze
    gross: Grosze
    pdf_key: PdfKey | None = None
    corrects: str | None = Field(None, max_length=40)

    @model_validator(mode="after")
    def _check(self) -> InvoiceLine:
        if self.net + self.vat != self.gross:
            raise ValueError("Kwota brutto musi być sumą netto i VAT.")
        if self.due_date < self.issue_date:
            raise ValueError("Termin płatności nie może być wcześniejszy niż data wystawienia.")
        if self.kind == "correction" and not self.corrects:
            raise ValueError("Faktura korygująca musi wskazywać korygowaną fakturę (corrects).")
        return self

    def natural_key(self) -> tuple[str, str]:
        return BillingItem.partition(self.customer_number), InvoiceRecord.sort_key(self.number)

    def to_item(self, content_hash: str, batch_key: str) -> InvoiceRecord:
        return InvoiceRecord(
            *self.natural_key(),
            content_hash=content_hash,
            batch_key=batch_key,
            number=self.number,
            customer_number=self.customer_number,
            kind=self.kind,
            issue_date=self.issue_date.isoformat(),
            sale_date=self.sale_date.isoformat() if self.sale_date else None,
            due_date=self.due_date.isoformat(),
            net=self.net,
            vat=self.vat,
            gross=self.gross,
            pdf_key=self.pdf_key,
            corrects=self.corrects,
        )


RECORD_TYPES: dict[str, type[Line]] = {
    "customer": CustomerLine,
    "invoice": InvoiceLine,
}
