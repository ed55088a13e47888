"""Items of the billing table: everything the billing system sends, one partition per
customer (`pk = CUSTOMER#<number>`), so a customer's data is one Query away."""

from __future__ import annotations

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.models.base import TableModel, meta_for


class BillingItem(TableModel):
    """Base of every item in the billing table."""

    Meta = meta_for("billing_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    content_hash = UnicodeAttribute()  # of the import line; unchanged lines are not rewritten
    batch_key = UnicodeAttribute()  # the import batch that last wrote the item

    @staticmethod
    def partition(customer_number: str) -> str:
        """The partition holding one customer's billing data."""
        return f"CUSTOMER#{customer_number}"


class Address(MapAttribute):
    """A postal address."""

    street = UnicodeAttribute()
    postal_code = UnicodeAttribute()
    city = UnicodeAttribute()


class CustomerRecord(BillingItem):
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


class InvoiceRecord(BillingItem):
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
    corrects = UnicodeAttribute(null=True)

    @staticmethod
    def sort_key(number: str) -> str:
        """Sort key of the invoice with this number."""
        return f"INVOICE#{number}"
