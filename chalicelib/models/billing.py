"""Items of the billing table: everything the billing system sends, one partition per
customer (`pk = CUSTOMER#<number>`), so each customer read is one Query by sort-key prefix:

    PROFILE                                   the customer
    LEDGER#INVOICE#<number>                   invoices, corrections, duplicates, notes
    LEDGER#PAYMENT#<id>                       payments booked by the billing system
    LEDGER#BALANCE#<date>                     the balance as of a date
    METER#<serial>#                           a meter
    METER#<serial>#R#<date>#<source>          its readings
    METER#<serial>#I                          its latest imported reading (guard)
    METER#<serial>#S                          submission state (optimistic lock)
    CONTRACT#<number>#                        a contract
    CONTRACT#<number>#A#<annex>               its annexes
    DOCUMENT#<id>                             scanned documents

An imported item keeps the validated import line as one JSON attribute (`body`), which
storage parses into the typed record of `chalicelib/domain/records.py` (storage/records.py);
only what conditions, indexes and idempotency need is a top-level attribute. Few
attributes make writes cheap (the import writes thousands a second) and the body is exactly
what the billing system sent, after validation.

`cls` (a discriminator) makes a Query over a prefix return the right model per item.
A new invoice carries `notice_state = pending` (and a `notice_order`) until the customer has
been told, and `notice_day` (the day it was imported: the `new_invoices` index the
new-invoices job reads). A charge of its own carries `due_on` (the `invoices_due` index
the invoice-reminders job reads).
"""

from __future__ import annotations

from pynamodb.attributes import DiscriminatorAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection

from chalicelib.models.base import TableModel, meta_for


class BillingItem(TableModel):
    """Base of every item in the billing table."""

    Meta = meta_for("billing_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    cls = DiscriminatorAttribute()
    content_hash = UnicodeAttribute(null=True)  # of the import line: unchanged lines are skipped
    body = UnicodeAttribute(null=True)  # the record as JSON

    @staticmethod
    def partition(customer_number: str) -> str:
        """The partition holding one customer's billing data."""
        return f"CUSTOMER#{customer_number}"

    @property
    def customer_number(self) -> str:
        """The customer whose partition holds the item."""
        return self.pk.removeprefix("CUSTOMER#")


class ContractsEnded(GlobalSecondaryIndex):
    """Customers by the day their contract ended, or the day the import said so if that
    came later (the terminations job; sparse)."""

    class Meta:
        index_name = "contracts_ended"
        # `cls` too: a query of a model of the table filters on its discriminator.
        projection = IncludeProjection(["cls"])

    contract_ended_on = UnicodeAttribute(hash_key=True)  # ISO date (the listing day)
    pk = UnicodeAttribute(range_key=True)


class ByPostalCode(GlobalSecondaryIndex):
    """Customers with an active contract by their service address's postal code (the
    announcements job; sparse)."""

    class Meta:
        index_name = "by_postal_code"
        projection = IncludeProjection(["cls"])

    service_postal_code = UnicodeAttribute(hash_key=True)  # 41-709
    pk = UnicodeAttribute(range_key=True)


class ByStreet(GlobalSecondaryIndex):
    """Customers with an active contract by their service address's street name, as
    compared (domain/announcements.py `street_name`: "ul. Wodna 1" -> "wodna")."""

    class Meta:
        index_name = "by_street"
        projection = IncludeProjection(["cls"])

    service_street = UnicodeAttribute(hash_key=True)
    pk = UnicodeAttribute(range_key=True)


class CustomerRecord(BillingItem, discriminator="customer"):
    """A customer of the utility, as the billing system knows them; `contract_ended_on`
    (top-level, only when the import says the contract ended) lists it by that day, or by
    the import's day if the end was already past (the body keeps the real end day), and
    an active contract's service address lists it by postal code and street."""

    SORT_KEY = "PROFILE"

    contract_ended_on = UnicodeAttribute(null=True)
    service_postal_code = UnicodeAttribute(null=True)
    service_street = UnicodeAttribute(null=True)

    contracts_ended = ContractsEnded()
    by_postal_code = ByPostalCode()
    by_street = ByStreet()


class InvoicesDue(GlobalSecondaryIndex):
    """Invoices by their due date (the invoice-reminders job): every document that is a
    charge of its own (an invoice or a note with a positive gross; not a correction or a
    duplicate, which share their root's due date and state)."""

    class Meta:
        index_name = "invoices_due"
        projection = IncludeProjection(["cls"])

    due_on = UnicodeAttribute(hash_key=True)  # ISO date
    pk = UnicodeAttribute(range_key=True)


class NewInvoices(GlobalSecondaryIndex):
    """Invoices the customer is yet to be told about, by the day they were imported (the
    new-invoices job; sparse: the notice removes the key)."""

    class Meta:
        index_name = "new_invoices"
        projection = IncludeProjection(["cls"])

    notice_day = UnicodeAttribute(hash_key=True)  # ISO date
    notice_order = UnicodeAttribute(range_key=True)


class InvoiceRecord(BillingItem, discriminator="invoice"):
    """An invoice or another billing document (correction, duplicate, note). Money: grosze."""

    notice_state = UnicodeAttribute(null=True)  # pending: the customer is yet to be told
    notice_order = UnicodeAttribute(null=True)  # <created_at>#<pk>#<sk>
    notice_day = UnicodeAttribute(null=True)  # the day it was imported, until told
    due_on = UnicodeAttribute(null=True)  # a charge of its own: its due date

    invoices_due = InvoicesDue()
    new_invoices = NewInvoices()

    PREFIX = "LEDGER#INVOICE#"

    @classmethod
    def sort_key(cls, number: str) -> str:
        """Sort key of the invoice with this number."""
        return f"{cls.PREFIX}{number}"


LEDGER_PREFIX = "LEDGER#"


class PaymentRecord(BillingItem, discriminator="payment"):
    """A payment booked by the billing system. Money: grosze."""

    PREFIX = "LEDGER#PAYMENT#"

    @classmethod
    def sort_key(cls, payment_id: str) -> str:
        """Sort key of the payment with this id."""
        return f"{cls.PREFIX}{payment_id}"


class BalanceRecord(BillingItem, discriminator="balance"):
    """The balance the billing system computed as of a date (positive: the customer owes)."""

    PREFIX = "LEDGER#BALANCE#"

    @classmethod
    def sort_key(cls, as_of: str) -> str:
        """Sort key of the balance as of this date."""
        return f"{cls.PREFIX}{as_of}"


class ImportMarker(BillingItem, discriminator="import_marker"):
    """A batch object version imported to the end: a redelivered S3 event for the same
    version is answered from here instead of re-reading every line. The data bucket is
    versioned, so every upload (even of the same bytes, which keep their ETag) is a new
    version; the ETag stands in only where a bucket gives no version id."""

    finished_at = UnicodeAttribute()
    lines = NumberAttribute()
    valid = NumberAttribute()
    invalid = NumberAttribute()

    @staticmethod
    def key(batch_key: str, version_id: str | None, etag: str) -> tuple[str, str]:
        """The marker of one version of one batch object: by its S3 version id, or by its
        ETag when the bucket has none (unversioned: no id; versioned later: "null")."""
        if version_id and version_id != "null":
            return f"IMPORT#{batch_key}", f"VERSION#{version_id}"
        return f"IMPORT#{batch_key}", f"ETAG#{etag}"
