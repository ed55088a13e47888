"""Invoices: filters, states, pagination, correction chain, PDF links; balance,
settlements and booked payments."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from chalicelib import aws, clock
from chalicelib.money import parse_grosze
from chalicelib.settings import get_settings
from tests.factories import active_account, bearer, customer_line, import_lines, invoice_line

CUSTOMER = "100200"
OTHER = "100300"


def invoice(number: str, issued: str, due: str, gross: str, **extra):
    return invoice_line(number, CUSTOMER, gross, issue_date=issued, due_date=due, **extra)


def payment(pid: str, paid_on: str, amount: str, *allocations: tuple[str, str], **extra):
    return {
        "type": "payment",
        "id": pid,
        "customer_number": CUSTOMER,
        "paid_on": paid_on,
        "amount": amount,
        "allocations": [{"invoice": n, "amount": a} for n, a in allocations],
        **extra,
    }


@pytest.fixture
def customer(client, outbox):
    """A customer with five documents and three payments; today is 2026-11-20."""
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    active_account(client, outbox, CUSTOMER)  # invoice FV/2026/10/0001, 123.45, due 10-15
    import_lines(
        [
            invoice("FV/2026/08/1", "2026-08-05", "2026-08-19", "100.00"),
            invoice("FV/2026/09/1", "2026-09-05", "2026-09-19", "200.00"),
            invoice(
                "KOR/2026/09/1",
                "2026-09-25",
                "2026-10-09",
                "-50.00",
                kind="correction",
                corrects="FV/2026/09/1",
            ),
            invoice("FV/2026/11/1", "2026-11-05", "2026-11-30", "80.00", pdf_key=None),
            invoice(
                "DUP/2026/08/1",
                "2026-10-01",
                "2026-10-01",
                "100.00",
                kind="duplicate",
                duplicate_of="FV/2026/08/1",
                pdf_key=None,
            ),
            payment("P1", "2026-08-10", "100.00", ("FV/2026/08/1", "100.00")),
            payment("P2", "2026-09-30", "60.00", ("FV/2026/09/1", "60.00"), method="cash"),
            payment("P3", "2026-10-02", "10.00"),
        ],
        key="imports/ledger.jsonl",
    )
    return bearer(client, CUSTOMER)


def get(client, path, headers):
    return client.http.get(path, headers=headers)


def by_number(items):
    return {item["number"]: item for item in items}


def test_states_and_amount_due_follow_payments_and_corrections(client, customer):
    answer = get(client, "/invoices", customer)
    assert answer.status_code == 200
    items = by_number(answer.json_body["items"])
    assert items["FV/2026/08/1"]["status"] == "paid"
    # 200 corrected by -50 = 150 due, 60 paid: partially paid and overdue (due 09-19).
    september = items["FV/2026/09/1"]
    assert (september["status"], september["amount_due"], september["outstanding"]) == (
        "partially_paid",
        "150.00",
        "90.00",
    )
    assert september["overdue"] is True
    assert items["KOR/2026/09/1"]["status"] == "partially_paid"
    assert items["FV/2026/10/0001"]["status"] == "unpaid"
    assert items["FV/2026/10/0001"]["overdue"] is True
    assert items["FV/2026/11/1"]["overdue"] is False
    assert items["DUP/2026/08/1"]["status"] == "paid"  # the original's state
    assert items["FV/2026/11/1"]["has_pdf"] is False


def test_newest_first_and_filters(client, customer):
    items = get(client, "/invoices", customer).json_body["items"]
    dates = [item["issue_date"] for item in items]
    assert dates == sorted(dates, reverse=True)

    def numbers(query):
        answer = get(client, f"/invoices?{query}", customer)
        assert answer.status_code == 200, answer.body
        return sorted(item["number"] for item in answer.json_body["items"])

    assert numbers("kind=correction") == ["KOR/2026/09/1"]
    assert numbers("status=paid") == ["DUP/2026/08/1", "FV/2026/08/1"]
    assert numbers("status=unpaid") == ["FV/2026/10/0001", "FV/2026/11/1"]
    assert numbers("status=partially_paid") == ["FV/2026/09/1", "KOR/2026/09/1"]
    assert numbers("status=overdue") == ["FV/2026/09/1", "FV/2026/10/0001", "KOR/2026/09/1"]
    assert numbers("from=2026-09-01&to=2026-09-30") == ["FV/2026/09/1", "KOR/2026/09/1"]
    assert numbers("from=2026-11-01") == ["FV/2026/11/1"]


@pytest.mark.parametrize(
    "query",
    [
        "status=late",
        "kind=receipt",
        "from=2026-13-01",
        "from=2026-10-01&to=2026-09-01",
        "limit=0",
        "limit=101",
        "cursor=%%%",
        "cursor=bm90LWEta2V5",
        "page=2",
    ],
)
def test_bad_filters_are_400(client, customer, query):
    answer = get(client, f"/invoices?{query}", customer)
    assert answer.status_code == 400
    assert answer.json_body["error"]["fields"]


def test_cursor_pagination_walks_every_invoice_once(client, customer):
    seen, cursor, pages = [], None, 0
    while True:
        path = "/invoices?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = get(client, path, customer).json_body
        assert len(body["items"]) <= 2
        seen += [item["number"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 6


def test_detail_shows_the_correction_chain(client, customer):
    items = by_number(get(client, "/invoices", customer).json_body["items"])
    original = get(client, f"/invoices/{items['FV/2026/09/1']['id']}", customer).json_body
    assert [c["number"] for c in original["corrections"]] == ["KOR/2026/09/1"]
    assert original["original"] is None
    correction = get(client, f"/invoices/{items['KOR/2026/09/1']['id']}", customer).json_body
    assert correction["original"]["number"] == "FV/2026/09/1"
    assert correction["corrects"] == "FV/2026/09/1"
    assert correction["gross"] == "-50.00"


def test_pdf_link_is_short_lived_for_one_object_and_names_the_file(client, customer):
    settings = get_settings()
    aws.client("s3").put_object(
        Bucket=settings.data_bucket, Key="invoices/FV-2026-09-1.pdf", Body=b"%PDF-1.4"
    )
    items = by_number(get(client, "/invoices", customer).json_body["items"])
    answer = get(client, f"/invoices/{items['FV/2026/09/1']['id']}/pdf", customer)
    assert answer.status_code == 200, answer.body
    link = urlparse(answer.json_body["url"])
    params = parse_qs(link.query)
    assert link.path.endswith("/invoices/FV-2026-09-1.pdf")
    assert int(params["X-Amz-Expires"][0]) <= 300
    disposition = unquote(params["response-content-disposition"][0])
    assert 'attachment; filename="Faktura-FV-2026-09-1.pdf"' in disposition
    assert answer.json_body["filename"] == "Faktura-FV-2026-09-1.pdf"
    expires = datetime.fromisoformat(answer.json_body["expires_at"])
    assert 0 < (expires - clock.now()).total_seconds() <= 300


def test_missing_pdf_is_a_clear_404(client, customer):
    items = by_number(get(client, "/invoices", customer).json_body["items"])
    for number in ("FV/2026/11/1", "FV/2026/08/1"):  # no key; a key but no object yet
        answer = get(client, f"/invoices/{items[number]['id']}/pdf", customer)
        assert answer.status_code == 404
        assert "PDF" in answer.json_body["error"]["message"]


def test_another_customers_invoice_is_404(client, customer):
    import_lines(
        [customer_line(OTHER), invoice_line("FV/OTHER/1", OTHER, "10.00")], key="imports/o.jsonl"
    )
    from chalicelib.services.ledger import invoice_id

    for path in (
        f"/invoices/{invoice_id('FV/OTHER/1')}",
        f"/invoices/{invoice_id('FV/OTHER/1')}/pdf",
        "/invoices/not*base64",
        "/invoices/%C3%28",
    ):
        assert get(client, path, customer).status_code == 404, path
    numbers = by_number(get(client, "/invoices?limit=100", customer).json_body["items"])
    assert "FV/OTHER/1" not in numbers


def test_balance_overdue_and_next_due(client, customer):
    body = get(client, "/balance", customer).json_body
    # Charges 100 + 200 - 50 + 123.45 + 80 = 453.45; payments 170 -> 283.45 owed.
    assert body["balance"] == "283.45"
    assert body["state"] == "owed"
    # Overdue: 90.00 of September and 123.45 of October.
    assert body["overdue"] == "213.45"
    assert body["next_due"] == {"date": "2026-11-30", "amount": "80.00"}
    assert body["as_of"] == "2026-11-20"


def test_balance_follows_the_billing_systems_balance_and_later_movements(client, customer):
    import_lines(
        [
            {
                "type": "balance",
                "customer_number": CUSTOMER,
                "as_of": "2026-10-31",
                "amount": "250,00",
            },
        ],
        key="imports/balance.jsonl",
    )
    body = get(client, "/balance", customer).json_body
    # 250.00 as of 10-31, plus the 80.00 invoice of 11-05.
    assert body["balance"] == "330.00"
    assert body["billing_balance_as_of"] == "2026-10-31"
    ledger = get(client, "/settlements?limit=100", customer).json_body
    assert ledger["balance"] == "330.00"
    assert ledger["items"][-1]["kind"] == "opening"
    assert ledger["items"][0]["balance_after"] == "330.00"


def test_overpaid_balance(client, customer):
    import_lines([payment("P9", "2026-11-10", "500.00")], key="imports/overpaid.jsonl")
    body = get(client, "/balance", customer).json_body
    assert body["balance"] == "-216.55"
    assert body["state"] == "overpaid"


def test_settlements_running_balance_newest_first_paginated(client, customer):
    first = get(client, "/settlements?limit=3", customer).json_body
    assert [e["reference"] for e in first["items"]] == ["FV/2026/11/1", "P3", "FV/2026/10/0001"]
    assert first["items"][0]["balance_after"] == "283.45"
    rest = get(client, f"/settlements?limit=50&cursor={first['next_cursor']}", customer).json_body
    entries = first["items"] + rest["items"]
    assert rest["next_cursor"] is None
    assert len(entries) == 8  # five charges (not the duplicate), three payments
    chronological = entries[::-1]
    running = 0
    for entry in chronological:
        running += parse_grosze(entry["amount"])
        assert parse_grosze(entry["balance_after"]) == running
    assert chronological[0] == {
        "date": "2026-08-05",
        "kind": "charge",
        "reference": "FV/2026/08/1",
        "document_kind": "invoice",
        "amount": "100.00",
        "balance_after": "100.00",
    }


def test_booked_payments_newest_first(client, customer):
    body = get(client, "/payments", customer).json_body
    assert [p["id"] for p in body["items"]] == ["P3", "P2", "P1"]
    assert [(p["method"], p["source"], p["status"]) for p in body["items"]] == [
        ("transfer", "billing", "booked"),
        ("cash", "billing", "booked"),
        ("transfer", "billing", "booked"),
    ]
    assert [(p["paid_on"], p["amount"]) for p in body["items"]] == [
        ("2026-10-02", "10.00"),
        ("2026-09-30", "60.00"),
        ("2026-08-10", "100.00"),
    ]
    assert body["items"][1]["allocations"] == [{"invoice": "FV/2026/09/1", "amount": "60.00"}]
    assert body["items"][0]["allocations"] == []


@pytest.fixture
def notes(client, customer):
    """Two interest notes and two accounting notes (one a credit), some paid."""
    import_lines(
        [
            invoice("NO/2026/11/1", "2026-11-02", "2026-11-16", "12.30", kind="interest_note"),
            invoice("NO/2026/11/2", "2026-11-09", "2026-11-23", "4.20", kind="interest_note"),
            invoice("NK/2026/11/1", "2026-11-03", "2026-11-17", "25.00", kind="accounting_note"),
            invoice("NK/2026/11/2", "2026-11-04", "2026-11-18", "-15.00", kind="accounting_note"),
            payment(
                "P-NOTES",
                "2026-11-10",
                "22.30",
                ("NO/2026/11/1", "12.30"),
                ("NK/2026/11/1", "10.00"),
            ),
        ],
        key="imports/notes.jsonl",
    )
    return customer


def test_notes_are_paid_by_allocations_like_invoices(client, notes):
    items = by_number(get(client, "/invoices?limit=100", notes).json_body["items"])
    states = {
        number: (item["kind"], item["status"], item["outstanding"], item["overdue"])
        for number, item in items.items()
        if number.startswith("N")
    }
    assert states == {
        "NO/2026/11/1": ("interest_note", "paid", "0.00", False),
        "NO/2026/11/2": ("interest_note", "unpaid", "4.20", False),  # due 11-23
        "NK/2026/11/1": ("accounting_note", "partially_paid", "15.00", True),  # due 11-17
        "NK/2026/11/2": ("accounting_note", "paid", "0.00", False),  # a credit: nothing to pay
    }
    assert items["NK/2026/11/1"]["paid"] == "10.00"
    # 283.45 before; notes +12.30 +4.20 +25.00 -15.00; payment -22.30.
    assert get(client, "/balance", notes).json_body["balance"] == "287.65"


def test_kind_filter_selects_the_notes(client, notes):
    def numbers(query):
        answer = get(client, f"/invoices?{query}", notes)
        assert answer.status_code == 200, answer.body
        return sorted(item["number"] for item in answer.json_body["items"])

    assert numbers("kind=interest_note") == ["NO/2026/11/1", "NO/2026/11/2"]
    assert numbers("kind=accounting_note") == ["NK/2026/11/1", "NK/2026/11/2"]
    assert numbers("kind=interest_note&status=unpaid") == ["NO/2026/11/2"]
    assert numbers("kind=accounting_note&status=overdue") == ["NK/2026/11/1"]
    assert "NO/2026/11/1" not in numbers("kind=invoice")
