"""The order of readings' sources is defined once (domain/readings.py) and followed by the
history ("previous reading"), the import's latest-reading guard and consumption."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain import consumption as calc
from chalicelib.domain import readings as rules
from chalicelib.domain import records
from chalicelib.domain.imports import moved_marks
from chalicelib.imports.meter_records import ReadingLine
from chalicelib.services import meters as meter_service
from tests.factories import reading_line

DAY = "2026-10-31"


def test_the_order_is_by_date_then_billing_collector_customer_estimate():
    assert rules.SOURCES == ("billing", "collector", "customer", "estimate")
    assert rules.reading_order(DAY, "estimate") > rules.reading_order(DAY, "billing")
    assert rules.reading_order("2026-11-01", "billing") > rules.reading_order(DAY, "estimate")
    assert rules.source_rank("unknown") == len(rules.SOURCES)  # last


@pytest.fixture
def reversed_sources(monkeypatch):
    """Every user of the order follows the one definition when it changes."""
    monkeypatch.setattr(rules, "SOURCES", tuple(reversed(rules.SOURCES)))


def test_history_guard_and_consumption_follow_the_domain_order(reversed_sources):
    history = [
        records.Reading("100200", "W1", date.fromisoformat(DAY), 10_000, s)
        for s in ("billing", "estimate")
    ]
    assert [r.source for r in meter_service._ordered(history)] == ["estimate", "billing"]
    lines = [
        ReadingLine.model_validate(reading_line("W1", DAY, value, source=source))
        for value, source in (("10", "billing"), ("11", "estimate"))
    ]
    (mark,) = moved_marks([line.reading_mark() for line in lines], {})
    assert (mark.source, mark.litres) == ("billing", 10_000)
    meter = calc.Meter("W1", "main", date(2026, 1, 1), 0, True)
    readings = [
        calc.Reading("W1", date.fromisoformat(DAY), litres, source)
        for litres, source in ((10_000, "billing"), (11_000, "estimate"))
    ]
    (span,) = calc.intervals([meter], readings)
    assert span.litres == 11_000  # the first source in the order wins a day
