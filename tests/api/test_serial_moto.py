"""The `serial_moto` fixture: AWS calls made on several threads reach in-process moto one at
a time (moto is not thread-safe), while the code between the calls still runs concurrently."""

from __future__ import annotations

import threading

from chalicelib import aws
from chalicelib.settings import get_settings


def test_a_call_from_another_thread_waits_until_the_running_call_ends(aws_env):
    s3 = aws.client("s3")
    bucket = get_settings().data_bucket
    first_inside, release, second_inside = threading.Event(), threading.Event(), threading.Event()

    def hold_the_first(params, **_):
        if params["Key"] == "first":
            first_inside.set()
            release.wait(timeout=10)  # inside the call, as a slow moto operation would be
        else:
            second_inside.set()

    s3.meta.events.register("provide-client-params.s3.PutObject", hold_the_first)
    threads = [
        threading.Thread(target=s3.put_object, kwargs={"Bucket": bucket, "Key": key, "Body": b""})
        for key in ("first", "second")
    ]
    try:
        threads[0].start()
        assert first_inside.wait(timeout=10)
        threads[1].start()
        # Without the fixture the second call enters at once; with it, it waits.
        assert not second_inside.wait(timeout=0.5)
        release.set()
        assert second_inside.wait(timeout=10)
    finally:
        release.set()
        for thread in threads:
            if thread.is_alive():
                thread.join(timeout=10)
        s3.meta.events.unregister("provide-client-params.s3.PutObject", hold_the_first)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert {"first", "second"} <= keys


def test_the_code_between_calls_still_runs_concurrently(aws_env):
    """The lock covers one AWS call, not a thread's whole run: two threads meet at a barrier
    between their calls (with one lock around whole runs they would never meet)."""
    table = aws.client("dynamodb")
    meet = threading.Barrier(2, timeout=10)
    met: list[bool] = []

    def run() -> None:
        table.list_tables()
        meet.wait()
        met.append(True)
        table.list_tables()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    assert met == [True, True]
