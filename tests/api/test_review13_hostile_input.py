"""Review of issue 13: hostile input on the new public routes answers 4xx, never 500."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from chalicelib.services import notifications
from tests.factories import post


@pytest.mark.parametrize("day", ["²", "¹²", "٣"])
def test_an_unsubscribe_token_with_a_non_ascii_digit_is_a_bad_link(client, day):
    token = f"100200.email_notices.{day}.c2lnbmF0dXJl"
    for response in (
        client.http.get(f"/unsubscribe?token={quote(token)}"),
        post(client, "/unsubscribe", {"token": token}),
        client.http.post(
            f"/unsubscribe?token={quote(token)}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body="List-Unsubscribe=One-Click",
        ),
    ):
        assert response.status_code == 400, response.body
        assert response.json_body["error"]["message"] == notifications.BAD_LINK
