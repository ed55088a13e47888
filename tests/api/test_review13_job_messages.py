"""Review of issue 13: a poisoned job-queue message (not JSON, not a batch, an unknown job,
items that are not customer numbers, a huge item list) runs no handler, and does not stop
the other messages of the same delivery from being done."""

from __future__ import annotations

import json
from datetime import date

import pytest

from chalicelib.jobs import fanout
from chalicelib.settings import get_settings

JOB = "review13"
DONE: list[str] = []


@fanout.task(JOB, "record")
def _record(item: str, _day: date, _deps) -> None:
    DONE.append(item)


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    DONE.clear()
    monkeypatch.setenv("JOB_SEND_RATE", "100000")
    get_settings.cache_clear()


def body(**changes) -> str:
    data = {"v": 1, "job": JOB, "task": "record", "day": "2026-12-01", "items": ["100200"]}
    data.update(changes)
    return json.dumps(data)


POISON = {
    "not JSON": "{not json",
    "a list": "[1, 2]",
    "no items": json.dumps({"v": 1, "job": JOB, "task": "record", "day": "2026-12-01"}),
    "unknown job": body(job="nobody"),
    "unknown task": body(task="nothing"),
    "bad day": body(day="1. grudnia"),
    "items a string": body(items="100200"),
    "items not strings": body(items=[{"a": 1}, ["100201"]]),
    "an empty item": body(items=[""]),
    "a huge item": body(items=["9" * 5000]),
    "huge list": body(items=[str(100000 + n) for n in range(20_000)]),
}


@pytest.mark.parametrize("name", POISON)
def test_a_poisoned_message_runs_no_handler_and_the_next_one_is_done(aws_env, name):
    with pytest.raises(fanout.MalformedJobMessage) as raised:
        fanout.consume([POISON[name], body(items=["100300"])])
    assert "100200" not in str(raised.value)  # never the body in the error (or the log)
    assert DONE == ["100300"]


def test_a_failed_message_does_not_stop_the_next_one(aws_env):
    @fanout.task(JOB, "fail")
    def _fail(item: str, _day: date, _deps) -> None:
        raise RuntimeError("down")

    with pytest.raises(RuntimeError):
        fanout.consume([body(task="fail"), body(items=["100301"])])
    assert DONE == ["100301"]
