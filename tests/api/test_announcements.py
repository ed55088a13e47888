"""Announcements: the staff's drafts, changes, publishing (with its broadcast item for the
notifications issue) and withdrawing, each audited; the public list of the current ones
(published and valid now) by postal code and street; the dashboard's ones for the
customer's service address (ul. Wodna 1, 41-709)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import clock
from chalicelib.storage import announcements as store
from chalicelib.storage import summary as summary_store
from tests.factories import active_account, bearer, post, staff_account, staff_bearer

ANNA, EWA = "anna-nowak", "ewa-admin"
NOON = datetime(2026, 12, 10, 12, tzinfo=UTC)


@pytest.fixture
def anna(client, aws_env):
    clock.travel_to(NOON)
    return staff_bearer(client, ANNA, staff_account(ANNA))


@pytest.fixture
def admin(client, anna):
    return staff_bearer(client, EWA, staff_account(EWA, "admin"))


def notice(**fields) -> dict:
    return {
        "kind": "planned_works",
        "title": "Prace na sieci",
        "text": "W godzinach 8–14 możliwe spadki ciśnienia.",
        "postal_codes": ["41-709"],
        "starts_at": "2026-12-10T08:00:00+01:00",
        "ends_at": "2026-12-11T14:00:00+01:00",
        **fields,
    }


def patch(client, path, body, headers):
    return client.http.request(
        "PATCH",
        path,
        headers={"Content-Type": "application/json", **headers},
        body=json.dumps(body).encode(),
    )


def draft(client, headers, **fields) -> str:
    answer = post(client, "/staff/announcements", notice(**fields), headers)
    assert answer.status_code == 201, answer.body
    assert answer.json_body["state"] == "draft"
    return answer.json_body["id"]


def published(client, headers, **fields) -> str:
    identifier = draft(client, headers, **fields)
    answer = post(client, f"/staff/announcements/{identifier}/publish", {}, headers)
    assert answer.status_code == 200, answer.body
    return identifier


def public(client, query="") -> list[str]:
    answer = client.http.get(f"/announcements{query}")
    assert answer.status_code == 200, answer.body
    return [a["id"] for a in answer.json_body["items"]]


def audit_actions(client, admin, identifier) -> list[tuple[str, str]]:
    answer = client.http.get(f"/staff/audit?target=announcement:{identifier}", headers=admin)
    assert answer.status_code == 200, answer.body
    return [(e["action"], e["actor"]) for e in reversed(answer.json_body["items"])]


def test_the_lifecycle_draft_change_publish_withdraw(client, anna, admin):
    identifier = draft(client, anna)
    assert public(client) == []  # a draft is not shown

    changed = patch(client, f"/staff/announcements/{identifier}", {"title": "Płukanie sieci"}, anna)
    assert changed.status_code == 200, changed.body
    assert changed.json_body["title"] == "Płukanie sieci"
    assert changed.json_body["postal_codes"] == ["41-709"]  # untouched

    answer = post(client, f"/staff/announcements/{identifier}/publish", {}, admin)
    assert answer.status_code == 200
    assert answer.json_body["state"] == "published"
    when = datetime.fromisoformat(answer.json_body["published_at"])
    assert NOON < when <= clock.now()
    assert store.pending_broadcasts() == [(identifier, when)]  # for the notifications issue
    body = client.http.get("/announcements").json_body["items"]
    assert [(a["id"], a["title"], a["kind"]) for a in body] == [
        (identifier, "Płukanie sieci", "planned_works")
    ]
    assert body[0]["starts_at"] == "2026-12-10T07:00:00+00:00"

    # Only a draft changes or is published; only a published one is withdrawn.
    again = patch(client, f"/staff/announcements/{identifier}", {"title": "Inny"}, anna)
    assert again.status_code == 409
    assert post(client, f"/staff/announcements/{identifier}/publish", {}, anna).status_code == 409

    withdrawn = post(client, f"/staff/announcements/{identifier}/withdraw", {}, anna)
    assert withdrawn.status_code == 200 and withdrawn.json_body["state"] == "withdrawn"
    assert public(client) == []
    assert post(client, f"/staff/announcements/{identifier}/withdraw", {}, anna).status_code == 409

    listed = client.http.get("/staff/announcements", headers=anna).json_body["items"]
    assert [(a["id"], a["state"]) for a in listed] == [(identifier, "withdrawn")]
    assert audit_actions(client, admin, identifier) == [
        ("announcement.created", ANNA),
        ("announcement.changed", ANNA),
        ("announcement.published", EWA),
        ("announcement.withdrawn", ANNA),
    ]


def test_the_staff_list_is_newest_first_and_paged(client, anna):
    first = draft(client, anna)
    clock.travel(60)
    second = draft(client, anna, kind="general")
    page = client.http.get("/staff/announcements?limit=1", headers=anna).json_body
    assert [a["id"] for a in page["items"]] == [second] and page["next_cursor"]
    rest = client.http.get(
        f"/staff/announcements?limit=1&cursor={page['next_cursor']}", headers=anna
    ).json_body
    assert [a["id"] for a in rest["items"]] == [first]


def test_unknown_announcements_are_404(client, anna):
    for action in ("publish", "withdraw"):
        assert post(client, f"/staff/announcements/nope/{action}", {}, anna).status_code == 404
    assert patch(client, "/staff/announcements/nope", {"title": "Nowy"}, anna).status_code == 404


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"postal_codes": []}, "whole_area"),  # no area at all
        ({"whole_area": True}, "whole_area"),  # the whole area and a list
        ({"ends_at": "2026-12-10T08:00:00+01:00"}, "ends_at"),  # ends when it starts
        ({"postal_codes": ["41709"]}, None),
        ({"starts_at": "2026-12-10T08:00:00"}, None),  # no time zone
        ({"kind": "other"}, None),
    ],
)
def test_drafts_need_an_area_and_a_window(client, anna, fields, field):
    answer = post(client, "/staff/announcements", notice(**fields), anna)
    assert answer.status_code == 400, answer.body
    if field:
        assert field in answer.json_body["error"]["fields"]


def test_area_matching_by_postal_code_street_or_the_whole_area(client, anna):
    by_code = published(client, anna, title="Kod")
    clock.travel(60)
    by_street = published(client, anna, postal_codes=[], streets=["ul. Lipowa"], title="Ulica")
    clock.travel(60)
    everywhere = published(client, anna, postal_codes=[], whole_area=True, title="Wszędzie")

    assert public(client) == [everywhere, by_street, by_code]  # same start: newest first
    assert public(client, "?postal_code=41-709") == [everywhere, by_code]
    assert public(client, "?postal_code=44-100") == [everywhere]
    assert public(client, "?street=Lipowa%2012%2F3") == [everywhere, by_street]
    assert public(client, "?street=UL.%20%20LIPOWA") == [everywhere, by_street]
    assert public(client, "?street=Lipowa%20Dolna") == [everywhere]
    assert public(client, "?postal_code=41-709&street=Lipowa%201") == [
        everywhere,
        by_street,
        by_code,
    ]
    assert client.http.get("/announcements?postal_code=41709").status_code == 400


def test_newest_first_is_by_the_start_of_validity(client, anna):
    later = published(client, anna, starts_at="2026-12-10T10:00:00+01:00")
    clock.travel(60)
    earlier = published(client, anna, starts_at="2026-12-09T10:00:00+01:00")
    assert public(client) == [later, earlier]


def test_the_validity_window_follows_the_clock(client, anna):
    identifier = published(
        client,
        anna,
        starts_at="2026-12-12T08:00:00+01:00",
        ends_at="2026-12-12T16:00:00+01:00",
    )
    open_ended = published(
        client, anna, starts_at="2026-12-12T08:00:00+01:00", ends_at=None, title="Bez końca"
    )
    assert public(client) == []  # not yet
    clock.travel_to(datetime(2026, 12, 12, 7, tzinfo=UTC))  # 08:00 in Warsaw
    assert set(public(client)) == {identifier, open_ended}
    clock.travel_to(datetime(2026, 12, 12, 14, 59, 59, tzinfo=UTC))
    assert set(public(client)) == {identifier, open_ended}
    clock.travel_to(datetime(2026, 12, 12, 15, tzinfo=UTC))  # 16:00 in Warsaw: over
    assert public(client) == [open_ended]
    clock.travel_to(datetime(2030, 1, 1, tzinfo=UTC))
    assert public(client) == [open_ended]


def test_customers_cannot_write_announcements(client, outbox, anna):
    active_account(client, outbox, "100200")
    customer = bearer(client, "100200")
    answer = post(client, "/staff/announcements", notice(), customer)
    assert answer.status_code == 403


def dashboard(client, headers) -> list[str]:
    answer = client.http.get("/summary", headers=headers)
    assert answer.status_code == 200, answer.body
    return [a["id"] for a in answer.json_body["announcements"]]


def test_the_dashboard_shows_the_customers_own(client, outbox, anna):
    active_account(client, outbox, "100200")  # ul. Wodna 1, 41-709
    customer = bearer(client, "100200")
    by_code = published(client, anna, title="Kod")
    by_street = published(client, anna, postal_codes=[], streets=["ul. Wodna"], title="Ulica")
    everywhere = published(client, anna, postal_codes=[], whole_area=True, title="Wszędzie")
    published(client, anna, postal_codes=["41-700"], title="Gdzie indziej")
    published(client, anna, postal_codes=[], streets=["ul. Polna"], title="Inna ulica")
    later = published(client, anna, starts_at="2026-12-20T08:00:00+01:00", ends_at=None)
    draft(client, anna, title="Szkic")

    shown = client.http.get("/summary", headers=customer).json_body["announcements"]
    assert {a["id"] for a in shown} == {by_code, by_street, everywhere}
    assert shown[0].keys() == {"id", "kind", "title", "text", "starts_at", "ends_at"}
    assert {a["title"] for a in shown} == {"Kod", "Ulica", "Wszędzie"}

    clock.travel_to(datetime(2026, 12, 20, 7, 0, 1, tzinfo=UTC))  # `later` starts, copy ages
    assert later in dashboard(client, bearer(client, "100200"))


def test_the_dashboard_copy_is_at_most_a_minute_old(client, outbox, anna):
    active_account(client, outbox, "100200")
    customer = bearer(client, "100200")
    read_at = clock.now()
    assert dashboard(client, customer) == []  # the copy is read now, empty
    identifier = published(client, anna)
    clock.travel_to(read_at + timedelta(seconds=55))
    assert dashboard(client, customer) == []  # a 55-second-old copy
    assert public(client) == [identifier]  # the public list is always fresh
    clock.travel_to(read_at + timedelta(seconds=61))
    assert dashboard(client, customer) == [identifier]

    post(client, f"/staff/announcements/{identifier}/withdraw", {}, anna)
    clock.travel_to(read_at + timedelta(seconds=123))
    assert dashboard(client, customer) == []


def test_the_dashboards_announcement_read_runs_beside_its_data_read(
    client, outbox, anna, serial_moto, monkeypatch
):
    """When the copy is stale, the announcements Query runs on another thread while the
    request reads the customer's partition: each read waits for the other to have started,
    which only overlapping reads can both see (a sequential pair times out and fails)."""
    active_account(client, outbox, "100200")
    customer = bearer(client, "100200")
    identifier = published(client, anna)
    started = {"data": threading.Event(), "announcements": threading.Event()}
    threads: dict[str, str] = {}

    def meeting(name: str, other: str, read):
        def run(*args, **kwargs):
            threads[name] = threading.current_thread().name
            started[name].set()
            assert started[other].wait(10), f"{other} did not start while {name} ran"
            return read(*args, **kwargs)

        return run

    read_customer, not_ended = summary_store.read_customer, store.not_ended
    monkeypatch.setattr(
        summary_store, "read_customer", meeting("data", "announcements", read_customer)
    )
    monkeypatch.setattr(store, "not_ended", meeting("announcements", "data", not_ended))
    assert dashboard(client, customer) == [identifier]
    assert threads["data"] != threads["announcements"]

    monkeypatch.setattr(summary_store, "read_customer", read_customer)
    started["data"].set()  # the data read no longer waits; an announcements read would pass
    started["announcements"].clear()
    assert dashboard(client, customer) == [identifier]  # from the copy: no second Query
    assert not started["announcements"].is_set()
