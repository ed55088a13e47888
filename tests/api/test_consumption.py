"""GET /consumption over imported readings: a meter replacement, a gap, year over year."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib import clock
from tests.factories import active_account, bearer, customer_line, import_lines, meter_line
from tests.factories import reading_line as reading

CUSTOMER, OTHER = "100200", "100300"


def meter(serial, customer=CUSTOMER, **extra):
    return meter_line(serial, customer, **{"installed_on": "2024-12-01", **extra})


@pytest.fixture
def customer(client, outbox):
    """1 m³ a day on meter A until it is replaced on 2026-03-16 by B (counter from 5 m³);
    then 2 m³ a day. A reading gap from 2026-04-01 to 2026-06-01."""
    clock.travel_to(datetime(2026, 6, 20, 10, tzinfo=UTC))
    active_account(client, outbox, CUSTOMER)
    report = import_lines(
        [
            meter("A", status="removed", removed_on="2026-03-16"),
            meter("B", installed_on="2026-03-16", initial_value="5"),
            reading("A", "2025-01-01", "31"),  # 31 days after installation
            reading("A", "2025-04-01", "121"),
            reading("A", "2026-01-01", "396"),
            reading("A", "2026-03-16", "470"),  # removal
            reading("B", "2026-04-01", "37"),  # 16 days x 2
            reading("B", "2026-06-01", "159"),  # 61 days x 2: a gap spread evenly
            customer_line(OTHER),
            meter("X", customer=OTHER),
            reading("X", "2026-05-01", "900", customer=OTHER),
        ],
        key="imports/consumption.jsonl",
    )
    assert report.invalid == 0, report.errors
    return bearer(client, CUSTOMER)


def test_months_across_replacement_and_gap(client, customer):
    answer = client.http.get(
        "/consumption?from=2026-03-01&to=2026-06-30&period=month", headers=customer
    )
    assert answer.status_code == 200, answer.body
    periods = {p["start"]: p for p in answer.json_body["periods"]}
    # March: 15 days on A at 1 m³ and 16 days on B at 2 m³.
    assert periods["2026-03-01"]["water_m3"] == "47.000"
    assert periods["2026-03-01"]["complete"] is True
    # April and May lie inside the gap: 2 m³ a day.
    assert periods["2026-04-01"]["water_m3"] == "60.000"
    assert periods["2026-05-01"]["water_m3"] == "62.000"
    assert periods["2026-05-01"]["daily_average_m3"] == "2.000"
    # June: no reading after the 1st, so nothing is estimated and the month is incomplete.
    assert periods["2026-06-01"]["water_m3"] == "0.000"
    assert periods["2026-06-01"]["complete"] is False
    assert answer.json_body["total_water_m3"] == "169.000"


def test_the_same_period_a_year_earlier(client, customer):
    body = client.http.get("/consumption?from=2026-03-01&to=2026-03-31", headers=customer).json_body
    earlier = body["periods"][0]["year_before"]
    # March 2025 lies in A's interval 2025-01-01..2025-04-01: 90 m³ over 90 days.
    assert earlier["start"] == "2025-03-01" and earlier["end"] == "2025-03-31"
    assert earlier["water_m3"] == "31.000"
    assert earlier["complete"] is True


def test_billing_periods_and_the_customers_average(client, customer):
    body = client.http.get(
        "/consumption?from=2026-01-01&to=2026-06-30&period=billing", headers=customer
    ).json_body
    spans = [(p["start"], p["end"], p["water_m3"]) for p in body["periods"]]
    # Between billing readings, whichever main meter took them; A's removal closes one.
    assert spans == [
        ("2026-01-01", "2026-03-15", "74.000"),
        ("2026-03-16", "2026-03-31", "32.000"),
        ("2026-04-01", "2026-05-31", "122.000"),
    ]
    # 470 m³ on A over 470 days and 154 m³ on B over 77 days.
    assert body["average_daily_m3"] == "1.141"
    assert body["leak_suspected"] is False


def test_a_leak_is_flagged(client, customer):
    import_lines([reading("B", "2026-06-11", "259")], key="imports/leak.jsonl")  # 10 m³ a day
    body = client.http.get("/consumption", headers=customer).json_body
    assert body["leak_suspected"] is True
    assert body["leaks"] == [
        {"meter": "B", "suspected": True, "last_daily_m3": "10.000", "usual_daily_m3": "2.000"}
    ]


def test_default_range_is_the_last_twelve_months(client, customer):
    body = client.http.get("/consumption", headers=customer).json_body
    assert (body["date_from"], body["date_to"]) == ("2025-07-01", "2026-06-20")
    assert len(body["periods"]) == 12


@pytest.mark.parametrize(
    "query",
    ["from=2026-05-01&to=2026-04-01", "from=2000-01-01&to=2026-01-01", "period=week", "from=jutro"],
)
def test_bad_ranges_are_400(client, customer, query):
    answer = client.http.get(f"/consumption?{query}", headers=customer)
    assert answer.status_code == 400
    assert answer.json_body["error"]["code"] == "invalid_input"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=0001-01-01", "from"),
        ("from=0001-01-01&period=billing", "from"),
        ("to=0001-01-01", "to"),
        ("to=9999-12-31", "to"),
        ("to=9999-12-31&period=billing", "to"),
        ("from=9999-12-01", "from"),
        ("from=1900-01-01", "from"),
        ("from=1999-12-31&to=2000-06-30", "from"),
        ("from=2020-01-01&to=2028-01-01", "to"),  # after 31.12.2027 (today is 2026-06-20)
        ("from=2005-01-01", "_"),  # 21 years to the default "to", today
        ("from=2005-01-01&period=billing", "_"),
    ],
)
def test_dates_out_of_bounds_are_400_with_a_field_message(client, customer, query, field):
    answer = client.http.get(f"/consumption?{query}", headers=customer)
    assert answer.status_code == 400, answer.body
    error = answer.json_body["error"]
    assert error["code"] == "invalid_input"
    assert error["fields"][field].startswith(("Data nie może", "Zakres może"))


def test_the_bounds_themselves_are_accepted(client, customer):
    for query in ("from=2012-01-01", "to=2027-12-31", "to=2000-01-01&period=billing"):
        answer = client.http.get(f"/consumption?{query}", headers=customer)
        assert answer.status_code == 200, (query, answer.body)


def test_needs_a_session(client, customer):
    assert client.http.get("/consumption").status_code == 401
