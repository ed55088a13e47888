"""Items of the billing table: everything the billing system sends, one partition per
customer (`pk = CUSTOMER#<number>`), so each customer read is one Query by sort-key prefix:

    PROFILE                                   the customer
    LEDGER#INVOICE#<number>                   invoices, corrections, duplicates, notes
    LEDGER#PAYMENT#<id>                       payments booked by the billing system
    LEDGER#BALANCE#<date>                     the balance as of a date
    METER#<serial>#                           a meter
    METER#<serial>#R#<date>#<source>          its readings
    METER#<serial>#S                          submission state (optimistic lock)
    CONTRACT#<number>#                        a contract
    CONTRACT#<number>#A#<annex>               its annexes
    DOCUMENT#<id>                             scanned documents
    NOTICE#<kind>#<ref>                       what the portal should tell the customer

`cls` (a discriminator) makes a Query over a prefix return the right model per item.
"""

from __future__ import annotations

from pynamodb.attributes import (
    DiscriminatorAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from chalicelib.models.base import TableModel, meta_for


class BillingItem(TableModel):
    """Base of every item in the billing table."""

    Meta = meta_for("billing_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    cls = DiscriminatorAttribute()
    content_hash = UnicodeAttribute(null=True)  # of the import line: unchanged lines are skipped
    batch_key = UnicodeAttribute(null=True)  # the import batch that last wrote the item

    @staticmethod
    def partition(customer_number: str) -> str:
        """The partition holding one customer's billing data."""
        return f"CUSTOMER#{customer_number}"


class Address(MapAttribute):
    """A postal address."""

    street = UnicodeAttribute()
    postal_code = UnicodeAttribute()
    city = UnicodeAttribute()


class CustomerRecord(BillingItem, discriminator="customer"):
    """A customer of the utility, as the billing system knows them."""

    number = UnicodeAttribute()
    name = UnicodeAttribute()
    customer_kind = UnicodeAttribute()  # person | business
    service_address = Address()
    correspondence_address = Address(null=True)
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    contract_status = UnicodeAttribute()  # active | terminated
    contract_ended_on = UnicodeAttribute(null=True)

    SORT_KEY = "PROFILE"


class InvoiceRecord(BillingItem, discriminator="invoice"):
    """An invoice or another billing document (correction, duplicate, note)."""

    number = UnicodeAttribute()
    customer_number = UnicodeAttribute()
    kind = UnicodeAttribute()
    issue_date = UnicodeAttribute()
    sale_date = UnicodeAttribute(null=True)
    due_date = UnicodeAttribute()
    net = NumberAttribute()  # grosze
    vat = NumberAttribute()  # grosze
    gross = NumberAttribute()  # grosze
    pdf_key = UnicodeAttribute(null=True)
    corrects = UnicodeAttribute(null=True)  # correction: the corrected document's number
    duplicate_of = UnicodeAttribute(null=True)  # duplicate: the original's number

    PREFIX = "LEDGER#INVOICE#"

    @classmethod
    def sort_key(cls, number: str) -> str:
        """Sort key of the invoice with this number."""
        return f"{cls.PREFIX}{number}"


LEDGER_PREFIX = "LEDGER#"


class AllocationAttribute(MapAttribute):
    """The part of a payment the billing system settled against one invoice."""

    invoice = UnicodeAttribute()
    amount = NumberAttribute()  # grosze


class PaymentRecord(BillingItem, discriminator="payment"):
    """A payment booked by the billing system."""

    payment_id = UnicodeAttribute()
    paid_on = UnicodeAttribute()
    amount = NumberAttribute()  # grosze
    method = UnicodeAttribute()  # transfer | cash | card | online | offset
    allocations = ListAttribute(of=AllocationAttribute, default=list)
    online_order = UnicodeAttribute(null=True)  # an online payment this booking settles
    title = UnicodeAttribute(null=True)

    PREFIX = "LEDGER#PAYMENT#"

    @classmethod
    def sort_key(cls, payment_id: str) -> str:
        """Sort key of the payment with this id."""
        return f"{cls.PREFIX}{payment_id}"


class BalanceRecord(BillingItem, discriminator="balance"):
    """The balance the billing system computed as of a date (positive: the customer owes)."""

    as_of = UnicodeAttribute()
    amount = NumberAttribute()  # grosze, signed

    PREFIX = "LEDGER#BALANCE#"

    @classmethod
    def sort_key(cls, as_of: str) -> str:
        """Sort key of the balance as of this date."""
        return f"{cls.PREFIX}{as_of}"


class NoticeRecord(BillingItem, discriminator="notice"):
    """Something the portal should tell the customer (sent by the notifications job)."""

    notice_kind = UnicodeAttribute()  # new_invoice | …
    reference = UnicodeAttribute()
    created_at = UnicodeAttribute()
    sent_at = UnicodeAttribute(null=True)

    PREFIX = "NOTICE#"

    @classmethod
    def sort_key(cls, kind: str, reference: str) -> str:
        """One notice per kind and reference: a re-import never creates a second."""
        return f"{cls.PREFIX}{kind}#{reference}"
