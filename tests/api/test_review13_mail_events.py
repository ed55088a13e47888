"""Review of issue 13: an SES event of an unexpected shape (SNS delivers whatever is
published to the topic) changes nothing and does not fail the mail_events Lambda, while
the well-formed recipients of the same event are still suppressed."""

from __future__ import annotations

import json

import pytest

from chalicelib.services import notifications

SHAPES = [
    {"eventType": "Bounce", "bounce": ["Permanent"]},
    {"eventType": "Bounce", "bounce": {"bounceType": "Permanent", "bouncedRecipients": "a@b.pl"}},
    {"eventType": "Bounce", "bounce": {"bounceType": "Permanent", "bouncedRecipients": [5]}},
    {
        "eventType": "Bounce",
        "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": ["x"]}]},
    },
    {"eventType": "Complaint", "complaint": "spam"},
    {"eventType": "Complaint", "complaint": {"complainedRecipients": {"emailAddress": "a"}}},
    {"eventType": ["Bounce"]},
]


@pytest.mark.parametrize("shape", SHAPES)
def test_an_event_of_another_shape_changes_nothing(aws_env, shape):
    assert notifications.apply_mail_event(json.dumps(shape)) == 0


def test_the_good_recipients_of_a_mixed_event_are_suppressed(client, outbox):
    from tests.factories import active_account, bearer

    email = active_account(client, outbox, "100200")["email"]
    event = {
        "eventType": "Complaint",
        "complaint": {"complainedRecipients": [None, {"emailAddress": 7}, {"emailAddress": email}]},
    }
    assert notifications.apply_mail_event(json.dumps(event)) == 1
    profile = client.http.get("/me", headers=bearer(client, "100200")).json_body
    assert profile["email_suppressed"] is True
