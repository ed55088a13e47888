"""Review of issue 13: hostile input on the new public routes answers 4xx, never 500."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib import clock
from chalicelib.services import notifications
from tests.factories import post, staff_account, staff_bearer, unsubscribe_answers


@pytest.mark.parametrize(
    "token",
    [
        "100200.email_notices.².aG9sZGVyLW1hcmsx.c2lnbmF0dXJl",
        "100200.email_notices.¹².aG9sZGVyLW1hcmsx.c2lnbmF0dXJl",
        "100200.email_notices.٣.aG9sZGVyLW1hcmsx.c2lnbmF0dXJl",
        "100200.email_notices.20000.aG9sZGVyLW1hcmsx.c2lnbmF0dXJlą",  # compare_digest raised
        "100200.email_notices.20000.hołder.c2lnbmF0dXJl",
    ],
)
def test_an_unsubscribe_token_with_a_non_ascii_character_is_a_bad_link(client, token):
    for response in unsubscribe_answers(client, token):
        assert response.status_code == 400, response.body
        assert response.json_body["error"]["message"] == notifications.BAD_LINK


@pytest.mark.parametrize(
    "moment",
    ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "9999-12-31T23:30:00+00:00"],
)
def test_a_terms_version_at_the_calendars_edge_is_a_400_on_its_field(client, aws_env, moment):
    clock.travel_to(datetime(2026, 12, 10, 12, tzinfo=UTC))
    admin = staff_bearer(client, "ewa-admin", staff_account("ewa-admin", "admin"))
    body = {
        "version": "2027-01",
        "title": "Regulamin IBOK",
        "text": "§1. Nowa wersja regulaminu IBOK, jej treść.",
        "effective_from": moment,
    }
    response = post(client, "/staff/terms", body, admin)
    assert response.status_code == 400, response.body
    assert "effective_from" in response.json_body["error"]["fields"]
