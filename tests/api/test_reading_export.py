"""Customer readings back to the billing system: the daily export (exactly once) and the
integration feed (role-restricted, from a cursor)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from chalicelib import aws, clock
from chalicelib.jobs import export_readings as job
from chalicelib.models.meters import ReadingRecord
from chalicelib.services.system_accounts import create_system_account
from chalicelib.settings import get_settings
from tests.factories import PASSWORD, active_account, bearer, import_lines, post
from tests.factories import meter_line as meter

CUSTOMERS = ("100200", "100300")


@pytest.fixture
def submitted(client, outbox):
    """Two customers, each submitting one reading."""
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    headers = {}
    for number in CUSTOMERS:
        active_account(client, outbox, number)
        import_lines([meter(f"W{number}", number)], key=f"imports/m{number}.jsonl")
        headers[number] = bearer(client, number)
    for number, value in zip(CUSTOMERS, ("12,5", "7"), strict=True):
        answer = post(client, f"/meters/W{number}/readings", {"value": value}, headers[number])
        assert answer.status_code == 201, answer.body
    return headers


def exported_objects():
    s3 = aws.client("s3")
    bucket = get_settings().data_bucket
    listing = s3.list_objects_v2(Bucket=bucket, Prefix="exports/readings/").get("Contents", [])
    return {
        o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read().decode()
        for o in listing
    }


def test_export_writes_csv_and_jsonl_once(submitted):
    result = job.export_readings()
    assert result.readings == 2
    files = exported_objects()
    assert len(files) == 2
    csv_text = next(text for key, text in files.items() if key.endswith(".csv"))
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert {(r["customer_number"], r["meter"], r["value_m3"]) for r in rows} == {
        ("100200", "W100200", "12.500"),
        ("100300", "W100300", "7.000"),
    }
    jsonl = next(text for key, text in files.items() if key.endswith(".jsonl"))
    assert [json.loads(line)["reading_id"] for line in jsonl.splitlines()] == [
        r["reading_id"] for r in rows
    ]
    # A re-run exports nothing new and writes no file.
    again = job.export_readings()
    assert again.readings == 0 and again.files == {}
    assert len(exported_objects()) == 2


def test_exported_reading_cannot_be_replaced_and_new_ones_go_in_the_next_run(client, submitted):
    job.export_readings()
    late = post(client, "/meters/W100200/readings", {"value": "13"}, submitted["100200"])
    assert late.status_code == 409
    clock.travel_to(datetime(2026, 11, 21, 10, tzinfo=UTC))
    headers = bearer(client, "100200")
    assert post(client, "/meters/W100200/readings", {"value": "13"}, headers).status_code == 201
    second = job.export_readings()
    assert second.readings == 1
    assert len(exported_objects()) == 4


def test_an_interrupted_run_is_finished_by_the_next_without_duplicates(submitted):
    def crash(*_args, **_kwargs):
        raise RuntimeError("Lambda timed out")

    with pytest.raises(RuntimeError):
        job.export_readings(write=crash)  # dies after claiming, before writing the files
    assert exported_objects() == {}
    recovered = job.export_readings()
    assert recovered.readings == 2
    assert len(recovered.files) == 1
    assert job.export_readings().readings == 0
    rows = [
        json.loads(line)
        for key, text in exported_objects().items()
        if key.endswith(".jsonl")
        for line in text.splitlines()
    ]
    assert sorted(r["reading_id"] for r in rows) == [
        "100200/W100200/2026-11-20",
        "100300/W100300/2026-11-20",
    ]


def test_feed_needs_the_integration_role(client, submitted):
    answer = client.http.get("/integration/readings", headers=submitted["100200"])
    assert answer.status_code == 403
    assert client.http.get("/integration/readings").status_code == 401


def test_feed_lists_submissions_since_a_cursor(client, submitted):
    create_system_account("billing-system", "it@wodociagi.example", PASSWORD, "integration")
    system = bearer(client, "billing-system", PASSWORD)
    first = client.http.get("/integration/readings?limit=1", headers=system).json_body
    assert [r["customer_number"] for r in first["items"]] == ["100200"]
    rest = client.http.get(
        f"/integration/readings?cursor={first['next_cursor']}", headers=system
    ).json_body
    assert [(r["customer_number"], r["value_m3"]) for r in rest["items"]] == [("100300", "7.000")]
    # Nothing new since: the same cursor comes back empty; a new submission shows up.
    empty = client.http.get(
        f"/integration/readings?cursor={rest['next_cursor']}", headers=system
    ).json_body
    assert empty["items"] == []
    replaced = post(client, "/meters/W100200/readings", {"value": "12,75"}, submitted["100200"])
    assert replaced.status_code == 201
    newer = client.http.get(
        f"/integration/readings?cursor={rest['next_cursor']}", headers=system
    ).json_body
    assert [(r["reading_id"], r["value_m3"]) for r in newer["items"]] == [
        ("100200/W100200/2026-11-20", "12.750")
    ]
    assert ReadingRecord.export_queue.count("pending") == 2


@pytest.mark.parametrize(
    ("login", "role", "password", "field"),
    [
        ("100200", "integration", PASSWORD, "login"),  # looks like a customer number
        ("billing", "root", PASSWORD, "role"),
        ("billing", "integration", "billing", "password"),
    ],
)
def test_system_accounts_are_checked(aws_env, login, role, password, field):
    from chalicelib.domain.errors import InvalidInput

    with pytest.raises(InvalidInput) as raised:
        create_system_account(login, "it@wodociagi.example", password, role)
    assert field in raised.value.fields


def test_a_system_login_cannot_be_taken_twice(aws_env):
    from chalicelib.domain.errors import Conflict

    create_system_account("billing-system", "it@wodociagi.example", PASSWORD, "integration")
    with pytest.raises(Conflict):
        create_system_account("billing-system", "x@wodociagi.example", PASSWORD, "integration")
