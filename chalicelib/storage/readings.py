"""Customer readings: their submission, the export queue and the billing system's feed.

A submission writes the reading and the meter's submission state in one transaction, so of
two concurrent submissions exactly one wins; the same transaction checks the meter's latest
imported reading, so a billing reading imported meanwhile is never undercut."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.domain import records
from chalicelib.domain.errors import Conflict
from chalicelib.domain.readings import ExportState
from chalicelib.models.billing import BillingItem
from chalicelib.models.meters import LatestImportedReading, MeterState, ReadingRecord
from chalicelib.storage.errors import is_condition_failure
from chalicelib.storage.records import body_of, parse

Key = tuple[str, str]


class ConcurrentSubmission(Conflict):
    """Another submission for the same meter landed first."""

    code = "concurrent_change"


def _key(reading: records.Reading) -> Key:
    return (
        BillingItem.partition(reading.customer_number),
        ReadingRecord.sort_key(reading.meter, reading.date.isoformat(), reading.source),
    )


def save_customer_reading(
    reading: records.Reading, seen_version: int | None, replacing: bool
) -> int:
    """Store a customer's `reading` (its `submitted_at` set) if the meter's state is still
    at `seen_version` (None: no state yet), the reading is neither below nor dated before the
    latest imported one and, when `replacing`, the replaced reading is still waiting for
    export. It waits for export and appears in the feed. Returns the new version;
    ConcurrentSubmission if anything changed meanwhile."""
    if reading.submitted_at is None:
        raise ValueError("a customer's reading says when it was sent")
    pk, sk = _key(reading)
    submitted_at = reading.submitted_at.isoformat()
    order = f"{submitted_at}#{pk}#{sk}"
    item = ReadingRecord(
        pk,
        sk,
        body=body_of(reading),
        export_state=ExportState.PENDING,
        export_order=order,
        submission_month=f"READINGS#{submitted_at[:7]}",
        submission_order=order,
    )
    read_on = reading.date.isoformat()
    # The version is a VersionAttribute: PynamoDB conditions the write on `seen_version`
    # (on there being none when it is None) and moves it on by one.
    state = MeterState(pk, MeterState.sort_key(reading.meter))
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
                    MeterState.last_litres.set(reading.value),
                    MeterState.last_read_on.set(read_on),
                ],
            )
            tx.save(item, condition=reading_condition)
            tx.condition_check(
                LatestImportedReading,
                pk,
                LatestImportedReading.sort_key(reading.meter),
                condition=LatestImportedReading.pk.does_not_exist()
                | (
                    (LatestImportedReading.latest_litres <= reading.value)
                    & (LatestImportedReading.latest_on <= read_on)
                ),
            )
    except TransactWriteError as exc:
        if is_condition_failure(exc):
            raise ConcurrentSubmission(
                "Odczyt tego wodomierza właśnie się zmienił. Odśwież stronę i spróbuj ponownie."
            ) from exc
        raise
    return int(state.version)  # moved on locally once the transaction committed


# The export queue (the sparse `export_queue` index): pending -> claimed by a run ->
# exported (out of the index).


@dataclass(frozen=True)
class Queued:
    """A customer reading in the export queue: its key and its place in the queue
    (`<run>#<submitted_at>#<pk>#<sk>` once claimed, `<submitted_at>#<pk>#<sk>` before)."""

    key: Key
    order: str

    @property
    def run(self) -> str:
        """The run that claimed it (claimed readings only)."""
        return self.order.split("#", 1)[0]


def export_queue(state: ExportState) -> list[Queued]:
    """The customer readings in `state`, in queue order."""
    return [
        Queued((item.pk, item.sk), item.export_order or "")
        for item in ReadingRecord.export_queue.query(state)
    ]


def claim_for_export(queued: Queued, run: str) -> bool:
    """Claim a pending reading for `run`; False if a concurrent run claimed it first."""
    try:
        ReadingRecord(*queued.key).update(
            actions=[
                ReadingRecord.export_state.set(ExportState.CLAIMED),
                ReadingRecord.export_order.set(f"{run}#{queued.order}"),
                ReadingRecord.export_run.set(run),
            ],
            condition=ReadingRecord.export_state == ExportState.PENDING,
        )
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def claimed_by(run: str, keys: list[Key]) -> list[records.Reading]:
    """The readings among `keys` still claimed by `run` (read strongly consistent)."""
    return [
        parse(item)
        for item in ReadingRecord.batch_get(keys, consistent_read=True)
        if item.export_run == run and item.export_state == ExportState.CLAIMED
    ]


def mark_exported(readings: Iterable[records.Reading], run: str, exported_at: str) -> None:
    """Take the readings `run` exported out of the queue (those still claimed by it)."""
    for reading in readings:
        try:
            ReadingRecord(*_key(reading)).update(
                actions=[
                    ReadingRecord.export_state.remove(),
                    ReadingRecord.export_order.remove(),
                    ReadingRecord.exported_at.set(exported_at),
                ],
                condition=ReadingRecord.export_run == run,
            )
        except UpdateError as exc:
            if not is_condition_failure(exc):
                raise


# The feed (the `submissions` index): every customer reading by submission time, per month.


@dataclass(frozen=True)
class Submissions:
    """Customer readings in submission order and the position after the last one."""

    readings: list[records.Reading]
    last_order: str


def submitted_after(after: str, months: Iterable[str], limit: int) -> Submissions:
    """Up to `limit` customer readings submitted after the position `after` ("" from the
    start), looking in `months` ("2026-11") in turn: a Query per month until `limit` are
    found, then one BatchGetItem."""
    keys: list[Key] = []
    last_order = after
    for month in months:
        condition = ReadingRecord.submission_order > after if after else None
        for key in ReadingRecord.submissions.query(
            f"READINGS#{month}", range_key_condition=condition, limit=limit - len(keys)
        ):
            keys.append((key.pk, key.sk))
            last_order = key.submission_order or ""
            if len(keys) >= limit:
                break
        if len(keys) >= limit:
            break
    items = {(i.pk, i.sk): i for i in ReadingRecord.batch_get(keys)} if keys else {}
    return Submissions([parse(items[key]) for key in keys if key in items], last_order)
