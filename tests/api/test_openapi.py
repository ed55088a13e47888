"""GET /openapi.json: generated from the routes and models, covering every route."""

from __future__ import annotations

from openapi_spec_validator import validate


def test_document_is_valid_openapi_31_and_covers_every_route(client, app):
    response = client.http.get("/openapi.json")
    assert response.status_code == 200
    document = response.json_body
    assert document["openapi"].startswith("3.1")
    validate(document)
    for path, methods in app.routes.items():
        for method in methods:
            assert method.lower() in document["paths"].get(path, {}), (method, path)


def test_bodies_and_errors_are_described(client, app):
    document = client.http.get("/openapi.json").json_body
    register = document["paths"]["/auth/register"]["post"]
    assert "requestBody" in register
    assert {"201", "400", "409", "429"} <= set(register["responses"])
    schema_ref = register["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    name = schema_ref.rsplit("/", 1)[1]
    properties = document["components"]["schemas"][name]["properties"]
    assert {"customer_number", "invoice_number", "invoice_gross", "accept_terms"} <= set(properties)
    assert document["paths"]["/me"]["get"]["responses"]["401"]
    assert document["paths"]["/health"]["get"]["security"] == []


def test_the_gateway_callback_is_described_as_a_form_answered_with_xml(client):
    document = client.http.get("/openapi.json").json_body
    notify = document["paths"]["/payments/notify/bluemedia"]["post"]
    form = notify["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form["required"] == ["transactions"]
    assert "text/xml" in notify["responses"]["200"]["content"]
    assert notify["security"] == []


def test_lists_document_their_paging_and_routes_their_roles(client):
    document = client.http.get("/openapi.json").json_body
    for path in ("/invoices", "/settlements", "/meters/{meter_id}/readings"):
        operation = document["paths"][path]["get"]
        assert {"limit", "cursor"} <= {p["name"] for p in operation.get("parameters", [])}, path
    history = document["paths"]["/meters/{meter_id}/readings"]["get"]
    schema_ref = history["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert (
        "next_cursor"
        in document["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]["properties"]
    )
    assert history["x-roles"] == ["customer"]
    assert "403" in history["responses"]
    readings_feed = document["paths"]["/integration/readings"]["get"]
    assert readings_feed["x-roles"] == ["admin", "integration", "staff"]
    assert "x-roles" not in document["paths"]["/auth/login"]["post"]
