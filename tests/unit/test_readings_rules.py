"""Rules of a customer's meter reading (chalicelib/domain/readings.py): floors, dates,
plausibility, the monthly window and the order of sources. Plain Python, no AWS."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chalicelib.domain import readings as rules
from chalicelib.domain.errors import InvalidInput

INSTALLED = date(2025, 1, 1)
TODAY = date(2026, 6, 15)
LIMITS = rules.Limits(multiple=5, max_daily_litres=10_000)
FAST = settings(max_examples=40, deadline=None)


def check(history, litres, read_on=TODAY, *, confirmed=False, limits=LIMITS, initial=0):
    """`rules.check` with a fixed meter and today."""
    return rules.check(
        active=True,
        installed_on=INSTALLED,
        initial_litres=initial,
        history=history,
        read_on=read_on,
        litres=litres,
        today=TODAY,
        limits=limits,
        confirmed=confirmed,
    )


@st.composite
def histories(draw, min_size=0):
    """A meter's past readings in date order, values never falling, before TODAY; any source
    but the customer's own (imported readings are floors too)."""
    sources = st.sampled_from(["billing", "collector", "estimate"])
    count = draw(st.integers(min_size, 5))
    day, litres, history = INSTALLED, draw(st.integers(0, 50_000)), []
    for _ in range(count):
        day += timedelta(days=draw(st.integers(1, 60)))
        litres += draw(st.integers(0, 200_000))
        history.append(rules.PastReading(day, litres, draw(sources)))
    assume(not history or history[-1].read_on < TODAY)
    return history


def floor_of(history, initial=0):
    return history[-1].litres if history else initial


# --- floors ---------------------------------------------------------------------------


@FAST
@given(histories(), st.integers(1, 10**6))
def test_never_below_the_previous_reading(history, below):
    # The previous reading may be one the billing system imported: the floor is whatever
    # came last. Breaks if the floor were the first reading, or the initial counter.
    floor = floor_of(history)
    with pytest.raises(InvalidInput) as raised:
        check(history, floor - below, confirmed=True)
    assert "value" in raised.value.fields


@FAST
@given(histories(), st.integers(0, 10**6))
def test_at_or_above_the_floor_confirmed_is_accepted(history, above):
    # Confirmed, any value from the floor up passes (plausibility only asks to confirm).
    floor = floor_of(history)
    accepted = check(history, floor + above, confirmed=True)
    assert accepted.litres == floor + above
    assert accepted.previous == (history[-1] if history else None)


@FAST
@given(st.integers(0, 10**6), st.integers(1, 1000))
def test_without_readings_the_floor_is_the_counter_at_installation(initial, below):
    with pytest.raises(InvalidInput):
        check([], initial - below, initial=initial, confirmed=True)
    assert check([], initial, initial=initial, confirmed=True).litres == initial


def test_todays_own_reading_is_replaced_not_a_floor():
    # A second customer reading of the day replaces the first: the first is no floor, the
    # reading before it is.
    before = rules.PastReading(TODAY - timedelta(days=30), 1_000, "billing")
    own = rules.PastReading(TODAY, 5_000, "customer")
    accepted = check([before, own], 2_000)
    assert accepted.replaces_today and accepted.previous == before
    with pytest.raises(InvalidInput):
        check([before, own], 999)


def test_an_exported_reading_of_today_is_not_replaced():
    own = rules.PastReading(TODAY, 5_000, "customer", exported=True)
    with pytest.raises(rules.AlreadyExported):
        check([own], 6_000)


# --- dates ----------------------------------------------------------------------------


@FAST
@given(histories(min_size=1), st.integers(1, 400))
def test_never_dated_before_the_last_reading(history, days_before):
    read_on = history[-1].read_on - timedelta(days=days_before)
    assume(read_on >= INSTALLED)
    with pytest.raises(InvalidInput) as raised:
        check(history, 10**9, read_on=read_on, confirmed=True)
    assert "date" in raised.value.fields


@pytest.mark.parametrize(
    ("read_on", "error"),
    [(TODAY + timedelta(days=1), InvalidInput), (INSTALLED - timedelta(days=1), InvalidInput)],
)
def test_neither_in_the_future_nor_before_installation(read_on, error):
    with pytest.raises(error):
        check([], 0, read_on=read_on, confirmed=True)


def test_an_inactive_meter_takes_no_reading():
    with pytest.raises(rules.MeterInactive):
        rules.check(
            active=False,
            installed_on=INSTALLED,
            initial_litres=0,
            history=[],
            read_on=TODAY,
            litres=0,
            today=TODAY,
            limits=LIMITS,
            confirmed=True,
        )


# --- plausibility ---------------------------------------------------------------------


@FAST
@given(
    histories(),
    st.integers(1, 20),
    st.integers(100, 50_000),
    st.integers(0, 10**7),
    st.integers(0, 10**7),
)
def test_acceptance_is_monotone_up_to_the_value(history, multiple, cap, lower, extra):
    # Whatever is plausible at v is plausible at any smaller value above the floor (and
    # what is unusual at v is unusual at any larger one). Breaks if a rule compared the
    # wrong way, or a larger use were checked against a different average.
    limits = rules.Limits(multiple, cap)
    floor = floor_of(history)
    smaller = check(history, floor + lower, confirmed=True, limits=limits)
    larger = check(history, floor + lower + extra, confirmed=True, limits=limits)
    assert not smaller.unusual or larger.unusual
    if not larger.unusual:
        # and then it needs no confirmation
        assert not check(history, floor + lower, limits=limits).unusual


@FAST
@given(histories(), st.integers(0, 10**7))
def test_an_unusual_reading_needs_confirmation_and_nothing_else(history, used):
    # Unconfirmed, exactly the readings the rules flag as unusual are refused, and they
    # are accepted as they are once confirmed.
    floor = floor_of(history)
    confirmed = check(history, floor + used, confirmed=True)
    if confirmed.unusual:
        with pytest.raises(rules.UnusualReading):
            check(history, floor + used)
    else:
        assert check(history, floor + used) == confirmed


@FAST
@given(histories(), st.integers(1, 400))
def test_above_the_daily_cap_is_always_unusual(history, days):
    # The absolute cap holds whatever the meter's own average (even a huge one).
    previous = history[-1] if history else None
    start = previous.read_on if previous else INSTALLED
    read_on = start + timedelta(days=days)
    assume(read_on <= TODAY)
    floor = floor_of(history)
    over = floor + LIMITS.max_daily_litres * days + 1
    assert check(history, over, read_on=read_on, confirmed=True).unusual
    with pytest.raises(rules.UnusualReading):
        check(history, over, read_on=read_on)


@FAST
@given(st.integers(1, 500), st.integers(0, 10**6), st.data())
def test_without_an_average_only_the_daily_cap_counts(days, cap, data):
    # With no week of history there is no average: any use up to the cap for every day since
    # installation is plausible, a litre more is not. Breaks if the cap were taken for the
    # whole stretch instead of per day.
    read_on = INSTALLED + timedelta(days=days)
    limits = rules.Limits(multiple=1, max_daily_litres=cap)
    today = max(read_on, TODAY)
    used = data.draw(st.integers(0, cap * days))
    assert not rules.check(
        active=True,
        installed_on=INSTALLED,
        initial_litres=0,
        history=[],
        read_on=read_on,
        litres=used,
        today=today,
        limits=limits,
        confirmed=False,
    ).unusual
    with pytest.raises(rules.UnusualReading):
        rules.check(
            active=True,
            installed_on=INSTALLED,
            initial_litres=0,
            history=[],
            read_on=read_on,
            litres=cap * days + 1,
            today=today,
            limits=limits,
            confirmed=False,
        )


def test_the_multiple_of_the_meters_own_average():
    # 100 l a day on average over 100 days; 30 days later: 5 × 100 × 30 is still fine,
    # one litre more is not.
    first = rules.PastReading(date(2026, 1, 1), 0, "billing")
    last = rules.PastReading(date(2026, 4, 11), 10_000, "billing")
    read_on = last.read_on + timedelta(days=30)
    limits = rules.Limits(multiple=5, max_daily_litres=10**6)
    assert not check([first, last], 10_000 + 15_000, read_on=read_on, limits=limits).unusual
    with pytest.raises(rules.UnusualReading):
        check([first, last], 10_000 + 15_001, read_on=read_on, limits=limits)


def test_under_a_week_of_history_has_no_average():
    first = rules.PastReading(date(2026, 6, 1), 0, "billing")
    last = rules.PastReading(date(2026, 6, 7), 100, "billing")
    assert rules.average_daily([first, last]) is None
    assert rules.average_daily([first, rules.PastReading(date(2026, 6, 8), 70, "x")]) == (70, 7)


# --- the monthly window -----------------------------------------------------------------


@FAST
@given(st.integers(1, 31), st.integers(0, 30), st.dates(date(2024, 1, 1), date(2030, 12, 31)))
def test_the_window_opens_on_its_first_open_day(first, length, day):
    # next_opening is the first open day on or after `day`: open, and nothing before it is.
    window = rules.Window(first, min(31, first + length))
    opens = window.next_opening(day)
    assert opens >= day and window.is_open(opens)
    assert all(not window.is_open(day + timedelta(d)) for d in range((opens - day).days))
    if window.is_open(day):
        rules.check_window(window, day)
    else:
        with pytest.raises(rules.WindowClosed):
            rules.check_window(window, day)


@pytest.mark.parametrize("text", ["0-5", "20-32", "25-20", "x", "-5"])
def test_a_bad_window_setting_is_refused(text):
    with pytest.raises(ValueError):  # noqa: PT011 - int() or the range check, either says no
        rules.Window.parse(text)


def test_no_window_is_always_open():
    assert rules.Window.parse("  ") is None
    assert rules.Window.parse("20-31") == rules.Window(20, 31)
    assert rules.Window.parse("5") == rules.Window(5, 5)
    rules.check_window(None, TODAY)


# --- order of readings by source ------------------------------------------------------


@FAST
@given(
    st.lists(
        st.tuples(
            st.dates(date(2026, 1, 1), date(2026, 1, 5)),
            st.sampled_from([*rules.SOURCES, "unknown"]),
        ),
        max_size=12,
    )
)
def test_readings_go_by_date_then_by_source(readings):
    # Breaks if the key compared sources by name ("customer" < "collector"), let the source
    # outweigh the date, or put an unknown source anywhere but last.
    expected = ["billing", "collector", "customer", "estimate", "unknown"]
    ordered = sorted(readings, key=lambda r: rules.reading_order(r[0].isoformat(), r[1]))
    assert ordered == sorted(readings, key=lambda r: (r[0], expected.index(r[1])))
