"""Money and volumes round-trip through their text forms (chalicelib/money.py, volume.py,
formatting.py): properties over the whole range the parsers accept. No AWS."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.formatting import NBSP, money_pl, volume_pl
from chalicelib.money import format_grosze, parse_grosze, to_decimal
from chalicelib.volume import format_m3, parse_litres

# The largest amounts the parsers take: 12 digits of złoty, 9 digits of m³.
MAX_GROSZE = 10**14 - 1
MAX_LITRES = 10**12 - 1
grosze = st.integers(-MAX_GROSZE, MAX_GROSZE)
litres = st.integers(0, MAX_LITRES)
FAST = settings(max_examples=60, deadline=None)


@FAST
@given(grosze)
def test_money_round_trips_through_its_text(amount):
    # Breaks if format_grosze dropped a leading zero of the fraction ("1.5" for 105) or the
    # sign, or parse_grosze read "1.5" as 1.05.
    assert parse_grosze(format_grosze(amount)) == amount


@FAST
@given(grosze)
def test_a_comma_reads_like_a_dot_and_padding_is_ignored(amount):
    # Breaks if one of the separators or surrounding blanks were rejected or read otherwise.
    text = format_grosze(amount)
    assert parse_grosze(f"  {text.replace('.', ',')}\t") == amount


@FAST
@given(st.integers(-(10**12) + 1, 10**12 - 1), st.integers(0, 9))
def test_one_decimal_means_tenths(whole, tenth):
    # "12,5" is 12.50 zł, not 12.05 zł.
    sign = "-" if whole < 0 else ""
    expected = abs(whole) * 100 + tenth * 10
    assert parse_grosze(f"{sign}{abs(whole)},{tenth}") == (-expected if sign else expected)


@FAST
@given(grosze, grosze)
def test_the_text_form_keeps_order_and_decimal_value(a, b):
    # Breaks if format_grosze rounded or truncated: two amounts would compare wrongly.
    assert (to_decimal(a) < to_decimal(b)) == (a < b)
    assert str(to_decimal(a).quantize(Decimal("0.01"))) == format_grosze(a)


@FAST
@given(grosze)
def test_the_polish_form_says_the_same_amount(amount):
    # "100 000,00 zł" with no-break spaces: without the grouping and the unit it is the API's
    # "100000.00". Breaks if grouping lost or doubled a digit, or a plain space crept in.
    shown = money_pl(amount)
    assert shown.endswith(f"{NBSP}zł") and " " not in shown
    bare = shown.removesuffix(f"{NBSP}zł").replace(NBSP, "").replace(",", ".")
    assert bare == format_grosze(amount)
    whole = shown.removesuffix(f"{NBSP}zł").lstrip("-").split(",")[0]
    assert all(len(group) == 3 for group in whole.split(NBSP)[1:])
    assert 1 <= len(whole.split(NBSP)[0]) <= 3


@FAST
@given(litres)
def test_volume_round_trips_through_its_text(value):
    # Breaks if format_m3 dropped the fraction's leading zeros ("1.5" for 1005 litres).
    assert parse_litres(format_m3(value)) == value
    assert parse_litres(format_m3(value).replace(".", ",")) == value


@FAST
@given(litres)
def test_the_polish_volume_says_the_same_volume(value):
    shown = volume_pl(value)
    assert shown.endswith(f"{NBSP}m³") and " " not in shown
    assert shown.removesuffix(f"{NBSP}m³").replace(NBSP, "").replace(",", ".") == format_m3(value)


@FAST
@given(st.integers(1, 10**6))
def test_a_negative_volume_is_not_a_reading(value):
    # A meter never shows less than zero: the parser takes no sign.
    with pytest.raises(ValueError, match="stan licznika"):
        parse_litres(f"-{format_m3(value)}")


# Characters near amounts: digits, separators, signs, blanks, other scripts' digits.
NEAR_AMOUNTS = st.text(
    alphabet=st.sampled_from("0123456789.,-+ \t\u00a0e_x\u0661\uff11"), max_size=16
)


@FAST
@given(NEAR_AMOUNTS)
def test_any_text_parses_to_an_integer_or_a_value_error(text):
    # Never a float, never another exception (a 500): every input either is an amount or not.
    for parse in (parse_grosze, parse_litres):
        try:
            value = parse(text)
        except ValueError:
            continue
        assert type(value) is int


@pytest.mark.parametrize("text", ["1.234", "1,2,3", "1e3", "0x10", "1_000", "", ".5", "1."])
def test_what_is_not_an_amount(text):
    with pytest.raises(ValueError, match="Nieprawidłowa kwota"):
        parse_grosze(text)


def test_the_edges_of_the_ranges():
    assert parse_grosze("999999999999.99") == MAX_GROSZE
    assert parse_litres("999999999.999") == MAX_LITRES
    with pytest.raises(ValueError, match="Nieprawidłowa kwota"):
        parse_grosze("1000000000000.00")  # 13 digits of złoty
    with pytest.raises(ValueError, match="stan licznika"):
        parse_litres("1000000000.000")  # 10 digits of m³
