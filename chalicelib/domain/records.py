"""The billing records services work with, one typed declaration each.

The billing system sends these (docs/import-format.md); the import validates each line
(imports/*_records.py, whose fields must match these: tests/unit/test_record_fields.py)
and stores it as the item's body; storage parses a stored body into one of these. Field
names are the import format's, so nothing is renamed on the way. Money is integer grosze,
volumes integer litres, dates `date`, moments aware `datetime`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from chalicelib.domain.readings import ExportState

CustomerKind = Literal["person", "business"]
ContractStatus = Literal["active", "terminated"]
InvoiceKind = Literal["invoice", "correction", "duplicate", "interest_note", "accounting_note"]
PaymentMethod = Literal["transfer", "cash", "card", "online", "offset"]
MeterKind = Literal["main", "garden", "other"]
ReadingSource = Literal["billing", "collector", "customer", "estimate"]
ContractKind = Literal["water", "sewage", "both"]


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address."""

    street: str
    postal_code: str
    city: str


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer of the utility, as the billing system knows them."""

    customer_number: str
    name: str
    service_address: Address
    contract_status: ContractStatus
    kind: CustomerKind = "person"
    correspondence_address: Address | None = None
    email: str | None = None
    phone: str | None = None
    contract_ended_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Invoice:
    """An invoice or another billing document (correction, duplicate, note)."""

    number: str
    customer_number: str
    issue_date: dt.date
    due_date: dt.date
    net: int
    vat: int
    gross: int
    kind: InvoiceKind = "invoice"
    sale_date: dt.date | None = None
    pdf_key: str | None = None
    corrects: str | None = None  # a correction: the corrected document's number
    duplicate_of: str | None = None  # a duplicate: the original's number


@dataclass(frozen=True, slots=True)
class Allocation:
    """How much of a payment settled one invoice."""

    invoice: str
    amount: int


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment booked by the billing system."""

    id: str
    customer_number: str
    paid_on: dt.date
    amount: int
    method: PaymentMethod = "transfer"
    allocations: tuple[Allocation, ...] = ()
    online_order: str | None = None  # the online payment this booking settles
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Balance:
    """The balance as of a date (positive: the customer owes; negative: overpaid)."""

    customer_number: str
    as_of: dt.date
    amount: int


@dataclass(frozen=True, slots=True)
class Meter:
    """A water meter at the customer's premises."""

    serial: str
    customer_number: str
    installed_on: dt.date
    kind: MeterKind = "main"
    location: str | None = None
    removed_on: dt.date | None = None
    certified_until: dt.date | None = None  # legalizacja
    status: Literal["active", "removed", "faulty"] = "active"
    seal: str | None = None
    initial_value: int = 0  # litres on the counter when installed


# What only a customer's reading has (the portal writes it; the import never sends it).
SUBMISSION_FIELDS = frozenset({"submitted_at", "submitted_by", "confirmed_unusual", "photo_key"})


@dataclass(frozen=True, slots=True)
class Reading:
    """One reading of one meter on one day from one source. A customer's reading also says
    who sent it and when, and where its export to the billing system stands."""

    customer_number: str
    meter: str
    date: dt.date
    value: int  # litres
    source: ReadingSource = "billing"
    submitted_at: dt.datetime | None = None
    submitted_by: str | None = None
    confirmed_unusual: bool = False
    photo_key: str | None = None
    export_state: ExportState | None = field(default=None, compare=False)
    exported_at: dt.datetime | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Contract:
    """A contract for water supply and/or sewage collection."""

    number: str
    customer_number: str
    signed_on: dt.date
    valid_from: dt.date
    kind: ContractKind = "both"
    valid_to: dt.date | None = None
    pdf_key: str | None = None


@dataclass(frozen=True, slots=True)
class Annex:
    """An annex to a contract."""

    contract: str
    number: str
    customer_number: str
    signed_on: dt.date
    valid_from: dt.date | None = None
    title: str | None = None
    pdf_key: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A scanned document in the customer's file."""

    id: str
    customer_number: str
    title: str
    date: dt.date
    pdf_key: str
