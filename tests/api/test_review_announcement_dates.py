"""Review of issue 12: an announcement's validity at the edge of the calendar (a time
that has no UTC equivalent, e.g. 0001-01-01 00:00 at +01:00) is a 400 with the field's
message, not a 500."""

from __future__ import annotations

import json

import pytest

from tests.api.test_staff_tickets import anna, customer
from tests.factories import post

__all__ = ["anna", "customer"]  # the fixtures, used below


def draft(**times: str) -> dict:
    return {
        "kind": "general",
        "title": "Przerwa w dostawie",
        "text": "Prace na sieci.",
        "whole_area": True,
        "starts_at": "2026-12-28T08:00:00+01:00",
        "ends_at": "2026-12-29T16:00:00+01:00",
        **times,
    }


@pytest.mark.parametrize(
    ("times", "field"),
    [
        ({"starts_at": "0001-01-01T00:00:00+01:00"}, "starts_at"),
        ({"ends_at": "9999-12-31T23:59:59-01:00"}, "ends_at"),
    ],
)
def test_a_time_without_a_utc_equivalent_is_a_400(client, anna, times, field):
    answer = post(client, "/staff/announcements", draft(**times), anna)
    assert answer.status_code == 400, answer.body
    assert field in answer.json_body["error"]["fields"]
    created = post(client, "/staff/announcements", draft(), anna)
    assert created.status_code == 201
    changed = client.http.patch(
        f"/staff/announcements/{created.json_body['id']}",
        body=json.dumps(times),
        headers={**anna, "Content-Type": "application/json"},
    )
    assert changed.status_code == 400, changed.body
    assert field in changed.json_body["error"]["fields"]
