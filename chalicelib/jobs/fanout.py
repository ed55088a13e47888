"""The scheduled jobs' fan-out: enumerate by a date index, queue batches, work per customer.

A job's scheduled function only lists its work (customer numbers, read through an index
keyed by date) and hands it to `enqueue`, which sends `WorkBatch` messages of up to
`JOB_ITEMS_PER_MESSAGE` items, ten to a SendMessageBatch, to the job queue. The `job_work`
Lambda (`consume`, batch size `JOB_WORK_BATCH_SIZE`, reserved concurrency
`JOB_WORK_CONCURRENCY`) runs the task's handler for each item, at most `JOB_SEND_RATE`
items a second over all its instances (`Pacer`), and each item at most once per job,
task and day (a mark in storage/job_marks.py, claimed before the work and given back if it
fails). A batch with a failed item raises after trying the others: SQS redelivers it, the
done items are skipped by their marks, and after five failures it rests in the DLQ
(alarmed). The arithmetic for 500,000 customers is in docs/jobs.md.

Message body (JSON, version 1)::

    {"v": 1, "job": "terminations", "task": "close", "day": "2026-12-15",
     "items": ["100018", "100019"]}

A job registers a handler per task with `@task(job, name)`: `handler(item, day, deps)`,
idempotent in itself where it can be (a conditional write), since a mark's claim can
lapse after `CLAIM_LEASE_SECONDS`. A task whose only effect is a notification under a
natural key (`notifications.notify(key=…)`, itself a conditional claim, released when the
send fails) registers with `marked=False`: the key already makes it once per customer, and
the mark's claim and done would be two more writes per item (a third of the reminder
job's DynamoDB calls: bench/bench_reminders.py).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from chalicelib.logs import logger
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.settings import get_settings
from chalicelib.storage import job_marks

MESSAGE_VERSION = 1
SEND_BATCH_ENTRIES = 10  # SQS SendMessageBatch
# A message with more items than this is not one `enqueue` sent (it sends
# JOB_ITEMS_PER_MESSAGE, 100): refused whole rather than run past the Lambda's timeout.
MAX_ITEMS_PER_MESSAGE = 1000
MAX_ITEM_LENGTH = 300  # an item: a login, or a short composite key ("<customer>|<id>|<time>")

ItemHandler = Callable[[str, date, Collaborators], None]


@dataclass(frozen=True)
class _Task:
    handler: ItemHandler
    marked: bool  # once per item and day by a job mark (else the handler's own key)


_HANDLERS: dict[tuple[str, str], _Task] = {}


class MalformedJobMessage(ValueError):
    """A job-queue message that is not a batch this consumer runs. Its text says what is
    wrong, never what the body holds (it reaches the log)."""


@dataclass(frozen=True)
class WorkBatch:
    """One queued message: up to `JOB_ITEMS_PER_MESSAGE` items of one job's task for one
    day (the day the job ran for, which the marks are keyed by)."""

    job: str
    task: str
    day: date
    items: tuple[str, ...]

    def body(self) -> str:
        """The message body."""
        return json.dumps(
            {
                "v": MESSAGE_VERSION,
                "job": self.job,
                "task": self.task,
                "day": self.day.isoformat(),
                "items": list(self.items),
            },
            separators=(",", ":"),
        )

    @classmethod
    def parse(cls, body: str) -> WorkBatch:
        """A message body back as a batch of a registered job's task; MalformedJobMessage
        if it is not one (not JSON, another version, an unknown job or task, a day that is
        not an ISO date, items that are not short non-empty strings, too many of them)."""
        try:
            data = json.loads(body)
        except ValueError:
            raise MalformedJobMessage("not JSON") from None
        if not isinstance(data, dict) or data.get("v") != MESSAGE_VERSION:
            raise MalformedJobMessage("not a version 1 job message")
        job, name, day, items = (data.get(k) for k in ("job", "task", "day", "items"))
        if not isinstance(job, str) or not isinstance(name, str) or (job, name) not in _HANDLERS:
            raise MalformedJobMessage("no handler for its job and task")
        try:
            day = date.fromisoformat(day) if isinstance(day, str) else None
        except ValueError:
            day = None
        if day is None:
            raise MalformedJobMessage("its day is not an ISO date")
        if not isinstance(items, list) or len(items) > MAX_ITEMS_PER_MESSAGE:
            raise MalformedJobMessage(f"items not a list of at most {MAX_ITEMS_PER_MESSAGE}")
        if not all(isinstance(i, str) and 0 < len(i) <= MAX_ITEM_LENGTH for i in items):
            raise MalformedJobMessage("an item is not a short non-empty string")
        return cls(job, name, day, tuple(items))


@dataclass(frozen=True)
class Enqueued:
    """What a job's scheduled run handed over, per task."""

    job: str
    day: str
    items: dict[str, int]
    messages: int


def task(job: str, name: str, *, marked: bool = True) -> Callable[[ItemHandler], ItemHandler]:
    """Register the decorated function as the per-item handler of `job`'s task `name`.
    `marked=False`: no job mark, for a handler that only notifies under a natural key."""

    def register(handler: ItemHandler) -> ItemHandler:
        _HANDLERS[(job, name)] = _Task(handler, marked)
        return handler

    return register


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def enqueue(
    job: str, day: date, work: dict[str, Iterable[str]], deps: Collaborators | None = None
) -> Enqueued:
    """Queue `work` (task name -> items) for `job` on `day`: items deduplicated, in
    messages of `JOB_ITEMS_PER_MESSAGE`, ten messages per SendMessageBatch."""
    deps = deps or current()
    settings = get_settings()
    bodies = []
    counts = {}
    for name, items in work.items():
        if (job, name) not in _HANDLERS:
            raise ValueError(f"no handler for {job}:{name}")
        unique = list(dict.fromkeys(items))
        counts[name] = len(unique)
        for chunk in _chunks(unique, settings.job_items_per_message):
            bodies.append(WorkBatch(job, name, day, tuple(chunk)).body())
    for group in _chunks(bodies, SEND_BATCH_ENTRIES):
        deps.queues.send_batch(settings.job_queue, group)
    result = Enqueued(job, day.isoformat(), counts, len(bodies))
    logger.info("job enqueued", extra={"job": job, "day": result.day, "items": counts})
    return result


class Pacer:
    """Spaces items so that all `concurrency` consumers together do at most `rate` a
    second: each waits `concurrency / rate` seconds between the starts of its items."""

    def __init__(
        self,
        rate: int,
        concurrency: int,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = concurrency / rate if rate > 0 else 0.0
        self.sleep = sleep
        self.monotonic = monotonic
        self._next = 0.0

    def wait(self) -> None:
        """Return when the next item may start."""
        now = self.monotonic()
        if self._next > now:
            self.sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


@dataclass
class WorkResult:
    """What one delivery did."""

    done: int = 0
    skipped: int = 0  # done already (marked) or claimed by a live worker
    failed: int = 0


def run_batch(batch: WorkBatch, deps: Collaborators, pacer: Pacer) -> WorkResult:
    """Run the batch's task for each item not yet done that day; raises after trying all
    of them if any failed (SQS then redelivers the message)."""
    task = _HANDLERS[(batch.job, batch.task)]
    mark = f"{batch.job}:{batch.task}"
    day = batch.day.isoformat()
    result = WorkResult()
    for item in batch.items:
        if task.marked and not job_marks.claim(mark, day, item, deps.clock.now()):
            result.skipped += 1
            continue
        pacer.wait()
        try:
            task.handler(item, batch.day, deps)
        except Exception:
            if task.marked:
                job_marks.release(mark, day, item)
            result.failed += 1
            logger.exception("job item failed", extra={"job": mark, "day": day})
            continue
        if task.marked:
            job_marks.done(mark, day, item, deps.clock.now())
        result.done += 1
    logger.info("job batch", extra={"job": mark, "day": day, "result": vars(result)})
    if result.failed:
        raise RuntimeError(f"{result.failed} of {len(batch.items)} items of {mark} failed")
    return result


def consume(bodies: Iterable[str], deps: Collaborators | None = None) -> WorkResult:
    """The `job_work` Lambda: run every queued batch of this delivery. A malformed message
    runs nothing, and neither it nor a batch whose work failed keeps the delivery's other
    batches from being done: the first error is raised after all of them were tried (SQS
    then redelivers the delivery, whose done items are skipped by their marks; a
    malformed message ends in the dead-letter queue, whose alarm tells the operators)."""
    deps = deps or current()
    settings = get_settings()
    pacer = Pacer(settings.job_send_rate, settings.job_work_concurrency)
    total = WorkResult()
    error: Exception | None = None
    for body in bodies:
        try:
            result = run_batch(WorkBatch.parse(body), deps, pacer)
        except MalformedJobMessage as exc:
            logger.error("malformed job message", extra={"reason": str(exc)})
            error = error or exc
            total.failed += 1
            continue
        except Exception as exc:  # run_batch logged its failed items
            error = error or exc
            total.failed += 1
            continue
        total.done += result.done
        total.skipped += result.skipped
    if error is not None:
        raise error
    return total
