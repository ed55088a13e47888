"""Import lines of meters and their readings."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import StringConstraints, model_validator

from chalicelib.domain.imports import ReadingMark
from chalicelib.imports.records import Line, Text
from chalicelib.models.billing import BillingItem
from chalicelib.models.meters import LatestImportedReading, MeterRecord, ReadingRecord
from chalicelib.schemas.fields import ImportedCustomerNumber, Litres, key_id

Seal = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
MeterSerial = key_id("Numer wodomierza")


class MeterLine(Line):
    """A water meter. A replaced meter is a new meter (new serial); the old one is
    `removed` with `removed_on`."""

    MODEL = MeterRecord

    type: Literal["meter"]
    serial: MeterSerial
    customer_number: ImportedCustomerNumber
    location: Text | None = None
    kind: Literal["main", "garden", "other"] = "main"
    installed_on: date
    removed_on: date | None = None
    certified_until: date | None = None
    status: Literal["active", "removed", "faulty"] = "active"
    seal: Seal | None = None
    initial_value: Litres = 0

    @model_validator(mode="after")
    def _check(self) -> MeterLine:
        if self.status == "removed" and self.removed_on is None:
            raise ValueError("Dla zdjętego wodomierza podaj removed_on.")
        if self.removed_on and self.removed_on < self.installed_on:
            raise ValueError("Data demontażu nie może być wcześniejsza niż montażu.")
        return self

    def natural_key(self) -> tuple[str, str]:
        return BillingItem.partition(self.customer_number), MeterRecord.sort_key(self.serial)

    def to_item(self, content_hash: str, body: str) -> BillingItem:
        """The meter's item; an active meter is also listed in `active_meters` (the
        reading-window job) and by its certification's end (the certification digest)."""
        item = super().to_item(content_hash, body)
        if self.status == "active" and self.removed_on is None:
            item.meter_shard = MeterRecord.shard(self.customer_number)
            if self.certified_until is not None:
                item.certified_month = self.certified_until.isoformat()[:7]
                item.certified_until = self.certified_until.isoformat()
        return item


class ReadingLine(Line):
    """A reading of a meter on a day, from one source."""

    MODEL = ReadingRecord

    type: Literal["reading"]
    customer_number: ImportedCustomerNumber
    meter: MeterSerial
    date: date
    value: Litres
    source: Literal["billing", "collector", "customer", "estimate"] = "billing"

    def natural_key(self) -> tuple[str, str]:
        return (
            BillingItem.partition(self.customer_number),
            ReadingRecord.sort_key(self.meter, self.date.isoformat(), self.source),
        )

    def reading_mark(self) -> ReadingMark:
        """The meter's latest imported reading this line may move (`key`: that item's)."""
        mark_key = (
            BillingItem.partition(self.customer_number),
            LatestImportedReading.sort_key(self.meter),
        )
        return ReadingMark(mark_key, self.date.isoformat(), self.source, self.value)
