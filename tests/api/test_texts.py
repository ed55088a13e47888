"""What a person reads in the API's answers: Polish sentences whatever was sent, and
download names with their Polish letters."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlparse

import pytest
import requests

from chalicelib import aws
from chalicelib.settings import get_settings
from tests.factories import PASSWORD, active_account, bearer, customer_line, import_lines
from tests.texts import assert_polish_sentence

# Wrong values for any field: other JSON types, empty, too long, nonsense, other scripts.
WRONG_VALUES: list[Any] = [
    None,
    123,
    -1,
    1.5,
    10**30,
    True,
    "",
    " ",
    "x" * 5000,
    [],
    ["x"],
    {},
    {"a": 1},
    "nope",
    "2026-13-45",
    "12,345,678",
    "日本語",
]
WRONG_BODIES = [b"", b"{", b"[]", b"null", b'"x"', b"\xff\xfe", b'{"a": 1}', b"{}"]
WRONG_QUERY_VALUES = ["abc", "0", "-1", "100000", "1.5", "x" * 500, "2026-13-45", "year", "%%"]


def messages_of(response) -> list[str]:
    """The message and every field message of an error answer."""
    error = response.json_body["error"]
    return [error["message"], *error.get("fields", {}).values()]


def json_body_routes(app):
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            operation = getattr(entry.view_function, "__openapi__", None)
            if operation is not None and operation.body_ref is not None:
                yield path, method, operation


def request(client, method, path, body: bytes, headers):
    return client.http.request(
        method,
        path.replace("{meter_id}", "W1"),
        headers={**headers, "Content-Type": "application/json"},
        body=body,
    )


@pytest.fixture
def headers(client, outbox, aws_env):
    active_account(client, outbox)
    return bearer(client)


def test_every_error_of_every_body_route_is_a_polish_sentence(client, app, headers):
    checked, routes = 0, list(json_body_routes(app))
    assert len(routes) >= 10
    for path, method, operation in routes:
        fields = [f.alias or name for name, f in operation.body.model_fields.items()]
        bodies = list(WRONG_BODIES)
        bodies += [json.dumps({name: value}).encode() for name in fields for value in WRONG_VALUES]
        bodies.append(json.dumps(dict.fromkeys(fields, "nope")).encode())
        for body in bodies:
            answer = request(client, method, path, body, {} if operation.public else headers)
            assert answer.status_code < 500, (method, path, body, answer.body)
            if answer.status_code < 400:
                continue
            for text in messages_of(answer):
                assert_polish_sentence(text, (method, path, body[:80]))
                checked += 1
    assert checked >= 1000


def test_every_error_of_every_query_is_a_polish_sentence(client, app, headers):
    checked = 0
    for path, methods in app.routes.items():
        entry = methods.get("GET")
        model = entry and entry.view_function.__openapi__.query
        if model is None or path.startswith("/integration/"):
            continue
        for name in [f.alias or key for key, f in model.model_fields.items()] + ["unknown"]:
            for value in WRONG_QUERY_VALUES:
                answer = client.http.get(f"{path}?{urlencode({name: value})}", headers=headers)
                if answer.status_code >= 400:
                    for text in messages_of(answer):
                        assert_polish_sentence(text, (path, name, value))
                        checked += 1
    assert checked >= 50


def test_allowed_values_are_told_in_polish(client, headers):
    answer = client.http.get("/consumption?period=year", headers=headers)
    assert answer.status_code == 400
    assert answer.json_body["error"]["fields"] == {
        "period": "Niedozwolona wartość. Dozwolone: month lub billing."
    }


def test_bad_json_is_told_in_polish(client, outbox, aws_env):
    answer = client.http.post(
        "/auth/login", headers={"Content-Type": "application/json"}, body=b'{"login": '
    )
    assert answer.status_code == 400
    assert answer.json_body["error"]["message"] == "Treść żądania nie jest poprawnym JSON-em."
    login = {"login": "100200", "password": PASSWORD, "session": "cookie", "x": 1}
    answer = client.http.post(
        "/auth/login", headers={"Content-Type": "application/json"}, body=json.dumps(login)
    )
    assert answer.json_body["error"]["fields"] == {"x": "Nieznane pole."}


def test_a_document_downloads_under_its_polish_name(client, outbox, aws_env):
    active_account(client, outbox, "100200")
    import_lines(
        [
            customer_line("100200"),
            {
                "type": "document",
                "id": "DOC-1",
                "customer_number": "100200",
                "title": "Umowa_źródło_łąka",
                "date": "2026-03-14",
                "pdf_key": "documents/doc-1.pdf",
            },
        ],
        key="imports/documents.jsonl",
    )
    bucket = get_settings().data_bucket
    aws.client("s3").put_object(Bucket=bucket, Key="documents/doc-1.pdf", Body=b"%PDF-1.4")
    answer = client.http.get("/documents/DOC-1/file", headers=bearer(client))
    assert answer.status_code == 200, answer.body
    name = "2026-03-14-Umowa_źródło_łąka.pdf"
    assert answer.json_body["filename"] == name
    expected = (
        'attachment; filename="2026-03-14-Umowa_zrodlo_laka.pdf"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )
    url = answer.json_body["url"]
    assert parse_qs(urlparse(url).query)["response-content-disposition"] == [expected]
    # What the browser gets from S3 (moto serves the presigned URL in-process).
    download = requests.get(url, timeout=10)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == expected
