"""Consumption rules (pure): linear spreading, exact period totals, replacements, source
priority, billing periods, year over year, average and leak check."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from chalicelib.domain import consumption as calc

D = date.fromisoformat


def meter(serial="M", kind="main", installed="2026-01-01", initial=0, active=True):
    return calc.Meter(serial, kind, D(installed), initial, active)


def reading(day, litres, serial="M", source="billing"):
    return calc.Reading(serial, D(day), litres, source)


def test_a_gap_is_spread_linearly_by_days():
    spans = calc.intervals([meter()], [reading("2026-03-01", 59_000)])  # 59 days
    january = calc.usage(spans, D("2026-01-01"), D("2026-01-31"))
    february = calc.usage(spans, D("2026-02-01"), D("2026-02-28"))
    assert (january.water, february.water) == (31_000, 28_000)
    assert january.complete and february.complete
    march = calc.usage(spans, D("2026-03-01"), D("2026-03-31"))
    assert march.water == 0 and not march.complete


def test_periods_of_an_interval_add_up_exactly():
    spans = calc.intervals([meter(installed="2026-01-30")], [reading("2026-02-02", 1_000)])
    january = calc.usage(spans, D("2026-01-01"), D("2026-01-31")).water
    february = calc.usage(spans, D("2026-02-01"), D("2026-02-28")).water
    assert (january, february) == (667, 333)  # 2/3 and 1/3 of 1,000 litres


def test_a_replaced_meter_never_crosses_into_the_new_one():
    meters = [
        meter("A", installed="2025-01-01", active=False),
        meter("B", installed="2026-03-16", initial=5_000),
    ]
    readings = [
        reading("2026-02-01", 100_000, "A"),
        reading("2026-03-16", 143_000, "A"),  # removal: 43 days at 1,000 a day
        reading("2026-04-01", 21_000, "B"),  # 16 days at 1,000 a day from 5,000
    ]
    spans = calc.intervals(meters, readings)
    march = calc.usage(spans, D("2026-03-01"), D("2026-03-31"))
    assert march.water == 15_000 + 16_000
    assert march.complete


def test_on_one_day_the_most_reliable_source_wins():
    spans = calc.intervals(
        [meter()],
        [
            reading("2026-01-11", 50_000, source="estimate"),
            reading("2026-01-11", 10_000, source="billing"),
            reading("2026-01-11", 20_000, source="customer"),
        ],
    )
    assert [s.litres for s in spans] == [10_000]


def test_garden_meters_are_counted_apart():
    spans = calc.intervals(
        [meter(), meter("G", kind="garden")],
        [reading("2026-01-11", 10_000), reading("2026-01-11", 3_000, "G")],
    )
    use = calc.usage(spans, D("2026-01-01"), D("2026-01-10"))
    assert (use.water, use.garden) == (10_000, 3_000)


def test_billing_periods_run_between_billing_readings():
    readings = [
        reading("2026-01-01", 0),
        reading("2026-02-15", 5_000, source="customer"),
        reading("2026-04-01", 9_000),
        reading("2026-07-01", 20_000),
    ]
    spans = calc.intervals([meter(installed="2025-12-01")], readings)
    periods = calc.billing_periods(spans, readings, D("2026-01-01"), D("2026-12-31"))
    assert periods == [(D("2026-01-01"), D("2026-03-31")), (D("2026-04-01"), D("2026-06-30"))]
    assert calc.usage(spans, *periods[0]).water == 9_000


def test_year_before_and_leap_day():
    assert calc.year_before(D("2028-02-29")) == D("2027-02-28")
    spans = calc.intervals(
        [meter(installed="2025-01-01")],
        [reading("2025-02-01", 31_000), reading("2026-02-01", 31_000 + 365 * 2_000)],
    )
    now = calc.usage(spans, D("2026-01-01"), D("2026-01-31"))
    before = calc.usage(spans, calc.year_before(D("2026-01-01")), calc.year_before(D("2026-01-31")))
    assert (now.water, before.water) == (62_000, 31_000)


def test_average_over_all_history():
    spans = calc.intervals(
        [meter()], [reading("2026-01-11", 10_000), reading("2026-01-21", 30_000)]
    )
    assert calc.average_daily(spans) == Fraction(30_000, 20)
    assert calc.average_daily([]) is None


def test_leak_is_suspected_only_far_above_the_usual_use():
    history = [reading("2026-03-01", 59_000), reading("2026-05-01", 120_000)]  # 1,000 a day
    spiking = calc.intervals([meter()], [*history, reading("2026-05-11", 160_000)])
    (leak,) = calc.leak_check(spiking, [meter()])
    assert leak.suspected and leak.last_daily == 4_000 and leak.usual_daily == 1_000
    normal = calc.intervals([meter()], [*history, reading("2026-05-11", 140_000)])
    assert not calc.leak_check(normal, [meter()])[0].suspected
    # Too little history to judge: no suspicion.
    short = calc.intervals(
        [meter(installed="2026-04-20")],
        [reading("2026-05-01", 11_000), reading("2026-05-11", 90_000)],
    )
    assert not calc.leak_check(short, [meter(installed="2026-04-20")])[0].suspected


def test_no_readings():
    spans = calc.intervals([meter()], [])
    assert spans == []
    use = calc.usage(spans, D("2026-01-01"), D("2026-01-31"))
    assert (use.water, use.complete) == (0, False)
    assert calc.leak_check(spans, [meter()]) == []
