"""Import line models, one per record type, and how each becomes a billing item.

Adding a record type = a record (domain/records.py), a PynamoDB model (models/), a pydantic
line model with the record's fields, a `type` literal, its `MODEL` and `natural_key`, and an
entry in `imports/registry.py`. The item holds the validated line as its JSON body.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from pydantic import StringConstraints, model_validator

from chalicelib import clock
from chalicelib.domain.announcements import street_name
from chalicelib.domain.imports import ReadingMark
from chalicelib.models.billing import (
    BillingItem,
    CustomerRecord,
    InvoiceRecord,
)
from chalicelib.schemas.base import Strict
from chalicelib.schemas.fields import Email, Grosze, ImportedCustomerNumber, Phone, billing_id

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
InvoiceNumber = billing_id("Numer faktury")


def pdf_key(prefix: str) -> Any:
    """A PDF's object key, which must lie under `prefix/` of the data bucket."""
    return Annotated[str, StringConstraints(pattern=rf"^{prefix}/[A-Za-z0-9._/\-]{{1,200}}\.pdf$")]


PdfKey = pdf_key("invoices")


class Line(Strict):
    """Base of every import line."""

    MODEL: ClassVar[type[BillingItem]]

    type: str  # the record type: each line model narrows it to its one literal

    def to_item(self, content_hash: str, body: str) -> BillingItem:
        """The billing item this line stands for, holding `body` (the line as JSON)."""
        return self.MODEL(*self.natural_key(), content_hash=content_hash, body=body)

    def natural_key(self) -> tuple[str, str]:
        """The item key the line upserts."""
        raise NotImplementedError

    def notice(self) -> str | None:
        """The notice a new item of this line records for the customer, if any."""
        return None

    def reading_mark(self) -> ReadingMark | None:
        """The meter's latest imported reading this line may move: readings only."""
        return None


class AddressLine(Strict):
    """A postal address."""

    street: Text
    postal_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{2}-[0-9]{3}$")]
    city: Text


class CustomerLine(Line):
    """A customer (odbiorca)."""

    MODEL = CustomerRecord

    type: Literal["customer"]
    customer_number: ImportedCustomerNumber
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

    def to_item(self, content_hash: str, body: str) -> BillingItem:
        """The customer's item; an ended contract also lists it for the terminations job
        (the `contracts_ended` index) by its end day, or by today when the end is past: the
        job reads back 30 days only, and §7 counts the 14 days from the customer's notice,
        so a contract reported ended late still starts the termination."""
        item = super().to_item(content_hash, body)
        if self.contract_status == "terminated" and self.contract_ended_on is not None:
            item.contract_ended_on = max(self.contract_ended_on, clock.today()).isoformat()
        if self.contract_status == "active":  # the announcements job's area
            item.service_postal_code = self.service_address.postal_code
            item.service_street = street_name(self.service_address.street) or None
        return item


InvoiceKind = Literal["invoice", "correction", "duplicate", "interest_note", "accounting_note"]


class InvoiceLine(Line):
    """An invoice or another billing document. A correction names the document it corrects;
    a duplicate names its original (a copy: never a second charge)."""

    MODEL = InvoiceRecord

    type: Literal["invoice"]
    number: InvoiceNumber
    customer_number: ImportedCustomerNumber
    kind: InvoiceKind = "invoice"
    issue_date: date
    sale_date: date | None = None
    due_date: date
    net: Grosze
    vat: Grosze
    gross: Grosze
    pdf_key: PdfKey | None = None
    corrects: InvoiceNumber | None = None
    duplicate_of: InvoiceNumber | None = None

    @model_validator(mode="after")
    def _check(self) -> InvoiceLine:
        if self.net + self.vat != self.gross:
            raise ValueError("Kwota brutto musi być sumą netto i VAT.")
        if self.due_date < self.issue_date:
            raise ValueError("Termin płatności nie może być wcześniejszy niż data wystawienia.")
        if self.kind == "correction" and not self.corrects:
            raise ValueError("Faktura korygująca musi wskazywać korygowaną fakturę (corrects).")
        if self.kind != "correction" and self.corrects:
            raise ValueError("Pole corrects dotyczy tylko faktury korygującej.")
        if self.kind == "duplicate" and not self.duplicate_of:
            raise ValueError("Duplikat musi wskazywać oryginał (duplicate_of).")
        if self.kind in ("invoice", "interest_note", "duplicate") and self.gross < 0:
            raise ValueError("Kwota ujemna jest dozwolona tylko w korekcie i nocie księgowej.")
        return self

    def natural_key(self) -> tuple[str, str]:
        return BillingItem.partition(self.customer_number), InvoiceRecord.sort_key(self.number)

    def notice(self) -> str | None:
        return None if self.kind == "duplicate" else "new_invoice"

    def to_item(self, content_hash: str, body: str) -> BillingItem:
        """The invoice's item; a charge of its own is also listed by its due date (the
        `invoices_due` index the invoice-reminders job reads)."""
        item = super().to_item(content_hash, body)
        if self.kind not in ("correction", "duplicate") and self.gross > 0:
            item.due_on = self.due_date.isoformat()
        return item
