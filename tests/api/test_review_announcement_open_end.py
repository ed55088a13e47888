"""Review of issue 12: a new draft's optional fields may be omitted. Without `ends_at` it
is valid until withdrawn (the body's documentation says "omitted: until withdrawn"), and
without any area field it is refused on the area; each omission was a 500."""

from __future__ import annotations

from tests.api.test_staff_tickets import anna, customer
from tests.factories import post

__all__ = ["anna", "customer"]  # the fixtures, used below


def test_a_draft_without_an_end_is_valid_until_withdrawn(client, anna):
    body = {
        "kind": "failure",
        "title": "Awaria sieci",
        "text": "Usuwamy awarię.",
        "postal_codes": ["00-950"],
        "starts_at": "2026-12-28T08:00:00+01:00",
    }
    answer = post(client, "/staff/announcements", body, anna)
    assert answer.status_code == 201, answer.body
    assert answer.json_body["ends_at"] is None


def test_a_draft_naming_no_area_is_a_400_on_the_area(client, anna):
    body = {
        "kind": "general",
        "title": "Komunikat",
        "text": "Bez obszaru.",
        "starts_at": "2026-12-28T08:00:00+01:00",
    }
    answer = post(client, "/staff/announcements", body, anna)
    assert answer.status_code == 400, answer.body
    assert "whole_area" in answer.json_body["error"]["fields"]
