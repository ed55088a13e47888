"""Public routes: GET /terms and GET /announcements, without a session."""

from __future__ import annotations

from datetime import date

from chalicelib.content.terms import CURRENT_TERMS_VERSION
from tests.api.test_errors import assert_security_headers
from tests.factories import register_body


def test_terms_are_the_current_version_in_polish(client, app):
    response = client.http.get("/terms")
    assert response.status_code == 200
    assert_security_headers(response)
    terms = response.json_body
    assert terms["version"] == CURRENT_TERMS_VERSION
    assert date.fromisoformat(terms["effective_from"])
    assert terms["format"] == "markdown"
    assert "Regulamin" in terms["title"]
    text = terms["text"]
    assert len(text) > 2000  # real sample terms, not a placeholder
    assert text.startswith("# Regulamin")
    for phrase in ("§1", "Użytkownik", "hasło", "reklamac"):
        assert phrase in text, phrase
    # The version a new customer must accept at registration is this one.
    assert register_body()["accept_terms"] == terms["version"]


def test_announcements_are_an_empty_list_in_the_documented_shape(client, app):
    response = client.http.get("/announcements")
    assert response.status_code == 200
    assert_security_headers(response)
    assert response.json_body == {"items": []}
    document = client.http.get("/openapi.json").json_body
    ok = document["paths"]["/announcements"]["get"]["responses"]["200"]
    name = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    schema = document["components"]["schemas"][name]
    assert schema["required"] == ["items"]
    assert schema["properties"]["items"]["type"] == "array"
    assert set(response.json_body) == set(schema["properties"])
