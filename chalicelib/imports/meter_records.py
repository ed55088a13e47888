"""Import lines of meters and their readings."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import StringConstraints, model_validator

from chalicelib.imports.records import Line, Text
from chalicelib.models.billing import BillingItem
from chalicelib.models.meters import MeterRecord, ReadingRecord
from chalicelib.schemas.fields import CustomerNumber, Key, Litres

Seal = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]


class MeterLine(Line):
    """A water meter. A replaced meter is a new meter (new serial); the old one is
    `removed` with `removed_on`."""

    MODEL = MeterRecord

    type: Literal["meter"]
    serial: Key
    customer_number: CustomerNumber
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


class ReadingLine(Line):
    """A reading of a meter on a day, from one source."""

    MODEL = ReadingRecord

    type: Literal["reading"]
    customer_number: CustomerNumber
    meter: Key
    date: date
    value: Litres
    source: Literal["billing", "collector", "customer", "estimate"] = "billing"

    def natural_key(self) -> tuple[str, str]:
        return (
            BillingItem.partition(self.customer_number),
            ReadingRecord.sort_key(self.meter, self.date.isoformat(), self.source),
        )
