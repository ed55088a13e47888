"""Meters and their readings, in the customer's billing partition (see models/billing.py).

Reading values are integer litres (m³ × 1000): exact, and three decimals of m³ fit. What a
customer submits also lands in `body` (meter, date, value, source, submitted_at, …); the
export and feed state are top-level attributes (conditions and indexes need them)."""

from __future__ import annotations

import zlib

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection

from chalicelib.models.billing import BillingItem

METER_PREFIX = "METER#"


class ExportQueueIndex(GlobalSecondaryIndex):
    """Customer readings waiting for (or in) export to the billing system. Sparse: an
    exported reading drops the key attributes."""

    class Meta:
        index_name = "export_queue"
        projection = IncludeProjection(["cls"])  # PynamoDB filters a subclass by `cls`

    export_state = UnicodeAttribute(hash_key=True)  # domain/readings.py ExportState
    export_order = UnicodeAttribute(range_key=True)  # <run or "-">#<submitted_at>#<pk>#<sk>


class SubmissionsIndex(GlobalSecondaryIndex):
    """Every customer reading by submission time, per month (the billing system's feed)."""

    class Meta:
        index_name = "submissions"
        projection = IncludeProjection(["cls"])  # PynamoDB filters a subclass by `cls`

    submission_month = UnicodeAttribute(hash_key=True)  # READINGS#2026-11
    submission_order = UnicodeAttribute(range_key=True)  # <submitted_at>#<pk>#<sk>


class ActiveMetersIndex(GlobalSecondaryIndex):
    """Active meters (sparse), spread over `METER_SHARDS` partitions by customer number so
    the import's writes do not meet on one key (the reading-window job reads every shard)."""

    class Meta:
        index_name = "active_meters"
        projection = IncludeProjection(["cls"])  # PynamoDB filters a subclass by `cls`

    meter_shard = UnicodeAttribute(hash_key=True)  # "00".."15"
    pk = UnicodeAttribute(range_key=True)


class CertificationsIndex(GlobalSecondaryIndex):
    """Active meters by the month and day their certification ends (sparse; the
    certification digest). The body is projected: the digest lists the meters from the
    index alone."""

    class Meta:
        index_name = "certifications"
        projection = IncludeProjection(["cls", "body"])

    certified_month = UnicodeAttribute(hash_key=True)  # 2027-01
    certified_until = UnicodeAttribute(range_key=True)  # ISO date


METER_SHARDS = 16


class MeterRecord(BillingItem, discriminator="meter"):
    """A water meter at the customer's premises; an active one is listed in
    `active_meters`, and by its certification's end in `certifications`."""

    # The record itself: domain/records.py Meter, parsed by storage/records.py.
    meter_shard = UnicodeAttribute(null=True)
    certified_month = UnicodeAttribute(null=True)
    certified_until = UnicodeAttribute(null=True)

    active_meters = ActiveMetersIndex()
    certifications = CertificationsIndex()

    @staticmethod
    def shard(customer_number: str) -> str:
        """The `active_meters` partition of a customer's meters."""
        return f"{zlib.crc32(customer_number.encode()) % METER_SHARDS:02d}"

    @staticmethod
    def prefix(serial: str) -> str:
        """The prefix of the meter's item and everything under it."""
        return f"{METER_PREFIX}{serial}#"

    @classmethod
    def sort_key(cls, serial: str) -> str:
        """Sort key of the meter itself."""
        return cls.prefix(serial)


class ReadingRecord(BillingItem, discriminator="reading"):
    """One reading of one meter on one day from one source."""

    # The record itself: domain/records.py Reading, parsed by storage/records.py.
    exported_at = UnicodeAttribute(null=True)
    export_run = UnicodeAttribute(null=True)
    export_state = UnicodeAttribute(null=True)
    export_order = UnicodeAttribute(null=True)
    submission_month = UnicodeAttribute(null=True)
    submission_order = UnicodeAttribute(null=True)

    export_queue = ExportQueueIndex()
    submissions = SubmissionsIndex()

    @staticmethod
    def sort_key(serial: str, read_on: str, source: str) -> str:
        """Sort key of a reading."""
        return f"{MeterRecord.prefix(serial)}R#{read_on}#{source}"


class MeterState(BillingItem, discriminator="meter_state"):
    """Per-meter lock for customer submissions: every submission moves `version` on by one
    in the same transaction as its reading, so of two concurrent submissions one wins
    (PynamoDB adds the condition on the version read and the increment to every write)."""

    version = VersionAttribute()
    last_litres = NumberAttribute(null=True)  # the highest customer-submitted value
    last_read_on = UnicodeAttribute(null=True)

    @staticmethod
    def sort_key(serial: str) -> str:
        """Sort key of the meter's state."""
        return f"{MeterRecord.prefix(serial)}S"


class LatestImportedReading(BillingItem, discriminator="meter_imported"):
    """The latest reading of a meter the billing import wrote (by date, then source order,
    domain/readings.py `reading_order`).

    A customer's submission is conditional on not being below it (nor dated before it), so a
    billing reading imported between the customer's read and write cannot be undercut. The
    import reads it strongly consistent and writes it before the readings themselves, only
    when it changes."""

    latest_on = UnicodeAttribute()
    latest_source = UnicodeAttribute()
    latest_litres = NumberAttribute()

    @staticmethod
    def sort_key(serial: str) -> str:
        """Sort key of the meter's latest imported reading."""
        return f"{MeterRecord.prefix(serial)}I"
