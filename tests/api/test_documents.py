"""Contracts with annexes and scanned documents, and their download links."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from chalicelib import aws, clock
from chalicelib.ids import encode_id
from chalicelib.settings import get_settings
from tests.factories import active_account, bearer, customer_line, import_lines

CUSTOMER, OTHER = "100200", "100300"


def contract(number, customer=CUSTOMER, **extra):
    return {
        "type": "contract",
        "number": number,
        "customer_number": customer,
        "kind": "both",
        "signed_on": "2020-01-10",
        "valid_from": "2020-02-01",
        "pdf_key": f"contracts/{number.replace('/', '-')}.pdf",
        **extra,
    }


def link_expiry(answer) -> float:
    """Seconds from now until the link's stated expiry (positive)."""
    seconds = (datetime.fromisoformat(answer.json_body["expires_at"]) - clock.now()).total_seconds()
    assert seconds > 0
    return seconds


@pytest.fixture
def customer(client, outbox):
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    active_account(client, outbox, CUSTOMER)
    import_lines(
        [
            contract("U/2020/7", valid_to="2024-12-31"),
            contract("U/2025/1", signed_on="2024-12-15", valid_from="2025-01-01", kind="water"),
            {
                "type": "annex",
                "contract": "U/2025/1",
                "number": "2",
                "customer_number": CUSTOMER,
                "signed_on": "2026-03-01",
                "title": "Zmiana taryfy",
                "pdf_key": "contracts/U-2025-1-A2.pdf",
            },
            {
                "type": "annex",
                "contract": "U/2025/1",
                "number": "1",
                "customer_number": CUSTOMER,
                "signed_on": "2025-06-01",
            },
            {
                "type": "document",
                "id": "PROT-2026-3",
                "customer_number": CUSTOMER,
                "title": "Protokół wymiany wodomierza",
                "date": "2026-03-14",
                "pdf_key": "documents/prot-2026-3.pdf",
            },
            {
                "type": "document",
                "id": "PISMO-1",
                "customer_number": CUSTOMER,
                "title": "Pismo w sprawie reklamacji",
                "date": "2025-01-02",
                "pdf_key": "documents/pismo-1.pdf",
            },
            customer_line(OTHER),
            contract("U/OTHER/1", customer=OTHER),
            {
                "type": "document",
                "id": "OTHER-DOC",
                "customer_number": OTHER,
                "title": "Cudzy",
                "date": "2026-01-01",
                "pdf_key": "documents/other.pdf",
            },
        ],
        key="imports/contracts.jsonl",
    )
    s3 = aws.client("s3")
    for key in (
        "contracts/U-2025-1.pdf",
        "contracts/U-2025-1-A2.pdf",
        "documents/prot-2026-3.pdf",
        "documents/other.pdf",
        "contracts/U-OTHER-1.pdf",
    ):
        s3.put_object(Bucket=get_settings().data_bucket, Key=key, Body=b"%PDF-1.4")
    return bearer(client, CUSTOMER)


def test_contracts_newest_first_with_annexes_in_order(client, customer):
    body = client.http.get("/contracts", headers=customer).json_body
    assert [c["number"] for c in body["items"]] == ["U/2025/1", "U/2020/7"]
    current, old = body["items"]
    assert (current["active"], old["active"]) == (True, False)
    assert current["kind"] == "water"
    assert [a["number"] for a in current["annexes"]] == ["1", "2"]
    assert current["annexes"][1]["title"] == "Zmiana taryfy"
    assert [a["has_pdf"] for a in current["annexes"]] == [False, True]
    assert old["annexes"] == []


def test_contract_and_annex_files(client, customer):
    contracts = client.http.get("/contracts", headers=customer).json_body["items"]
    current = contracts[0]
    answer = client.http.get(f"/contracts/{current['id']}/file", headers=customer)
    assert answer.status_code == 200
    assert urlparse(answer.json_body["url"]).path.endswith("/contracts/U-2025-1.pdf")
    assert answer.json_body["filename"] == "Umowa-U-2025-1.pdf"
    annex = current["annexes"][1]
    answer = client.http.get(
        f"/contracts/{current['id']}/annexes/{annex['id']}/file", headers=customer
    )
    assert answer.status_code == 200
    params = parse_qs(urlparse(answer.json_body["url"]).query)
    assert int(params["X-Amz-Expires"][0]) <= 300
    assert link_expiry(answer) <= 300
    assert unquote(params["response-content-disposition"][0]).startswith(
        'attachment; filename="Aneks-2-do-umowy-U-2025-1.pdf"'
    )
    assert urlparse(answer.json_body["url"]).path.endswith("/contracts/U-2025-1-A2.pdf")
    # The annex without a PDF and the old contract whose PDF never arrived: clear 404s.
    missing = client.http.get(
        f"/contracts/{current['id']}/annexes/{current['annexes'][0]['id']}/file", headers=customer
    )
    assert missing.status_code == 404
    assert (
        client.http.get(f"/contracts/{contracts[1]['id']}/file", headers=customer).status_code
        == 404
    )


def test_documents_newest_first_and_their_files(client, customer):
    body = client.http.get("/documents", headers=customer).json_body
    assert [d["id"] for d in body["items"]] == ["PROT-2026-3", "PISMO-1"]
    answer = client.http.get("/documents/PROT-2026-3/file", headers=customer)
    assert answer.status_code == 200
    assert answer.json_body["filename"] == "2026-03-14-Protokół-wymiany-wodomierza.pdf"
    link = urlparse(answer.json_body["url"])
    params = parse_qs(link.query)
    assert link.path.endswith("/documents/prot-2026-3.pdf")
    assert int(params["X-Amz-Expires"][0]) <= 300
    assert link_expiry(answer) <= 300
    # An ASCII fallback for old clients, and the name with its Polish letters (RFC 6266).
    assert params["response-content-disposition"] == [
        'attachment; filename="2026-03-14-Protokol-wymiany-wodomierza.pdf"; '
        "filename*=UTF-8''2026-03-14-Protok%C3%B3%C5%82-wymiany-wodomierza.pdf"
    ]
    assert client.http.get("/documents/PISMO-1/file", headers=customer).status_code == 404


def test_another_customers_contracts_and_documents_are_404(client, customer):
    other_contract = encode_id("U/OTHER/1")
    for path in (
        f"/contracts/{other_contract}/file",
        f"/contracts/{other_contract}/annexes/{encode_id('1')}/file",
        "/documents/OTHER-DOC/file",
        "/documents/" + "x" * 300 + "/file",
    ):
        assert client.http.get(path, headers=customer).status_code == 404, path
    listed = client.http.get("/documents", headers=customer).json_body["items"]
    assert "OTHER-DOC" not in {d["id"] for d in listed}
