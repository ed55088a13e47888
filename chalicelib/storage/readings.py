"""Writes of customer readings: the reading and the meter's submission state in one
transaction, so of two concurrent submissions exactly one wins; the same transaction checks
the meter's latest imported reading, so a billing reading imported meanwhile is never
undercut."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import Conflict
from chalicelib.domain.readings import ExportState
from chalicelib.models.meters import LatestImportedReading, MeterState, ReadingRecord
from chalicelib.storage.errors import is_condition_failure


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
    # The version is a VersionAttribute: PynamoDB conditions the write on `seen_version`
    # (on there being none when it is None) and moves it on by one.
    state = MeterState(reading.pk, MeterState.sort_key(serial))
    if seen_version is not None:
        state.version = seen_version
    reading_condition = (
        ReadingRecord.export_state == ExportState.PENDING
        if replacing
        else ReadingRecord.pk.does_not_exist()
    )
    try:
        with TransactWrite(connection=ReadingRecord._get_connection().connection) as tx:
            tx.update(
                state,
                actions=[
                    MeterState.cls.set(MeterState),
                    MeterState.last_litres.set(reading.litres),
                    MeterState.last_read_on.set(reading.read_on),
                ],
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
    return int(state.version)  # moved on locally once the transaction committed
