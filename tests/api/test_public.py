"""Public routes: GET /terms and GET /announcements, without a session."""

from __future__ import annotations

from datetime import date

from chalicelib.content.terms import CONSENT_TEXTS, CURRENT_TERMS_VERSION
from chalicelib.domain import passwords
from chalicelib.settings import get_settings
from tests.api.test_errors import assert_security_headers
from tests.factories import register_body
from tests.texts import assert_polish_sentence


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


def test_terms_carry_the_consent_texts_and_the_password_rules_registration_shows(client, app):
    terms = client.http.get("/terms").json_body
    assert {c["kind"]: (c["version"], c["text"]) for c in terms["consents"]} == CONSENT_TEXTS
    for consent in terms["consents"]:
        assert_polish_sentence(consent["text"], consent["kind"])
    rules = terms["password_rules"]
    minimum = get_settings().password_min_length
    assert rules["min_length"] == minimum
    assert rules["max_length"] == passwords.MAX_LENGTH
    assert f"co najmniej {minimum} znaków" in rules["rules"][0]
    for rule in rules["rules"]:
        assert_polish_sentence(rule)
    # The rules are the ones the API checks: one character short is refused, saying so.
    short = "x" * (minimum - 1)
    reason = passwords.policy_violation(short, min_length=minimum, login="1", email=None)
    assert reason and str(minimum) in reason
    # The example of a common password the rules give is refused as common.
    example = rules["rules"][2].split("„", 1)[1].split("”", 1)[0]
    assert len(example) >= minimum and example.casefold() in passwords.common_passwords()
    document = client.http.get("/openapi.json").json_body
    ok = document["paths"]["/terms"]["get"]["responses"]["200"]
    name = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(terms) == set(document["components"]["schemas"][name]["properties"])
