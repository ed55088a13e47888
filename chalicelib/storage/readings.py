"""Writes of customer readings: the reading and the meter's submission state in one
transaction, so of two concurrent submissions exactly one wins; the same transaction checks
the meter's latest imported reading, so a billing reading imported meanwhile is never
undercut."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.errors import Conflict
from chalicelib.models.meters import LatestImportedReading, MeterState, ReadingRecord
from chalicelib.storage.errors import is_condition_failure

PENDING = "pending"


class ConcurrentSubmission(Conflict):
    """Another submission for the same meter landed first."""

    code = "concurrent_change"


def save_customer_reading(
    reading: ReadingRecord, serial: str, seen_version: int | None, replacing: bool
) -> int:
    """Store `reading` if the meter's state is still at `seen_version` (None: no state yet),
    the reading is neither below nor dated before the latest imported one and, when
    `replacing`, the replaced reading is still waiting for export. Returns the new version;
    ConcurrentSubmission if anything changed meanwhile."""
    new_version = (seen_version or 0) + 1
    state = MeterState(reading.pk, MeterState.sort_key(serial))
    state_condition = (
        MeterState.pk.does_not_exist()
        if seen_version is None
        else MeterState.version == seen_version
    )
    reading_condition = (
        ReadingRecord.export_state == PENDING if replacing else ReadingRecord.pk.does_not_exist()
    )
    try:
        with TransactWrite(connection=ReadingRecord._get_connection().connection) as tx:
            tx.update(
                state,
                actions=[
                    MeterState.cls.set(MeterState),
                    MeterState.version.set(new_version),
                    MeterState.last_litres.set(reading.litres),
                    MeterState.last_read_on.set(reading.read_on),
                ],
                condition=state_condition,
            )
            tx.save(reading, condition=reading_condition)
            tx.condition_check(
                LatestImportedReading,
                reading.pk,
                LatestImportedReading.sort_key(serial),
                condition=LatestImportedReading.pk.does_not_exist()
                | (
                    (LatestImportedReading.latest_litres <= int(reading.litres))
                    & (LatestImportedReading.latest_on <= reading.read_on)
                ),
            )
    except TransactWriteError as exc:
        if is_condition_failure(exc):
            raise ConcurrentSubmission(
                "Odczyt tego wodomierza właśnie się zmienił. Odśwież stronę i spróbuj ponownie."
            ) from exc
        raise
    return new_version
