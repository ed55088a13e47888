"""The job framework (jobs/fanout.py), `expire-unactivated` and `cleanup`, with a
controllable clock: who gets what, nothing twice on a re-run."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from chalicelib import aws, clock
from chalicelib.jobs import fanout
from chalicelib.jobs.cleanup import cleanup
from chalicelib.jobs.expire_unactivated import expire_unactivated
from chalicelib.services.collaborators import using
from chalicelib.settings import get_settings
from chalicelib.storage import accounts as accounts_store
from chalicelib.storage import tickets as tickets_store
from tests.api.test_notification_jobs import Captured
from tests.factories import post, register_body, seed_customer


class RecordingQueues:
    def __init__(self):
        self.batches = []

    def send(self, queue, body):
        raise AssertionError("jobs send in batches")

    def send_batch(self, queue, bodies):
        assert len(bodies) <= 10
        self.batches.append((queue, bodies))


def test_enqueue_sends_batches_of_ten_messages_of_n_items(aws_env, monkeypatch):
    from chalicelib.services.collaborators import current

    monkeypatch.setenv("JOB_ITEMS_PER_MESSAGE", "3")
    get_settings.cache_clear()
    queues = RecordingQueues()
    deps = current().__class__(**{**vars(current()), "queues": queues})
    items = [str(100000 + n) for n in range(40)] + ["100000"]  # one repeated
    result = fanout.enqueue("cleanup", date(2026, 12, 1), {"digest_mark": items}, deps)
    assert result.items == {"digest_mark": 40} and result.messages == 14
    assert [len(bodies) for _, bodies in queues.batches] == [10, 4]
    first = fanout.WorkBatch.parse(queues.batches[0][1][0])
    assert first == fanout.WorkBatch("cleanup", "digest_mark", date(2026, 12, 1), tuple(items[:3]))
    assert json.loads(queues.batches[0][1][0])["v"] == 1


def test_the_pacer_spaces_items_by_concurrency_over_rate():
    slept, now = [], [0.0]

    def sleep(seconds):
        slept.append(round(seconds, 3))
        now[0] += seconds

    pacer = fanout.Pacer(10, 2, sleep=sleep, monotonic=lambda: now[0])
    for _ in range(3):
        pacer.wait()
    assert slept == [0.2, 0.2]  # two consumers at 10 a second: one item each 0.2 s


def test_an_unactivated_registration_is_removed_once_and_the_number_is_free(
    client, outbox, drain_queues
):
    clock.travel_to(datetime(2026, 12, 1, 9, tzinfo=UTC))
    seed_customer("100200")
    assert post(client, "/auth/register", register_body("100200")).status_code == 201
    clock.travel_to(datetime(2026, 12, 8, 22, tzinfo=UTC))  # the link ends on Dec 8, 09:00
    assert expire_unactivated().items == {"expire": 1}
    drain_queues()
    assert accounts_store.get_account("100200") is None
    again = expire_unactivated()
    assert again.items == {"expire": 0}  # it left the index
    assert post(client, "/auth/register", register_body("100200")).status_code == 201


def test_an_activated_account_is_never_expired(client, outbox, drain_queues):
    from tests.factories import active_account

    clock.travel_to(datetime(2026, 12, 1, 9, tzinfo=UTC))
    active_account(client, outbox, "100200")
    clock.travel_to(datetime(2026, 12, 9, 9, tzinfo=UTC))
    assert expire_unactivated().items == {"expire": 0}
    assert accounts_store.get_account("100200") is not None


def test_cleanup_deletes_digest_marks_past_90_days_once(client, drain_queues, monkeypatch):
    clock.travel_to(datetime(2026, 12, 1, 9, tzinfo=UTC))
    old, recent = date(2026, 8, 20), date(2026, 11, 1)
    for day in (old, recent):
        assert tickets_store.claim_digest(day, clock.now())
    cleanup()
    drain_queues()
    table = get_settings().service_table
    keys = {
        item["pk"]["S"]
        for item in aws.client("dynamodb").scan(TableName=table)["Items"]  # test-only Scan
    }
    assert "DIGEST#2026-08-20" not in keys and "DIGEST#2026-11-01" in keys
    # The same day again: every item is skipped by its mark, nothing is deleted twice - a
    # mark made again since the first run (here: the old day's) stays.
    assert tickets_store.claim_digest(old, clock.now())
    queues = Captured()
    with using(queues=queues):
        again = cleanup()
    assert again.items["digest_mark"] == 31 and queues.bodies
    deleted, delete = [], tickets_store.delete_digest_mark
    monkeypatch.setattr(
        tickets_store, "delete_digest_mark", lambda day: (deleted.append(day), delete(day))
    )
    batches = [b for b in queues.bodies if fanout.WorkBatch.parse(b).task == "digest_mark"]
    result = fanout.consume(batches)
    assert (result.done, result.skipped, result.failed) == (0, 31, 0)
    assert deleted == []
    assert not tickets_store.claim_digest(old, clock.now())  # still there
