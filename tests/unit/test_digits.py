"""Numbers from outside take ASCII digits only: Python's int(), Decimal() and regex \\d also
read other scripts' digits, which once turned "١٠٠,٠٠" into 100.00 zł."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from chalicelib.imports.parsing import LineError, parse_line
from chalicelib.money import format_grosze, parse_grosze
from chalicelib.schemas.fields import Grosze, Litres, Phone
from chalicelib.volume import format_m3, parse_litres

# 0-9 in other scripts: Arabic-Indic, Extended Arabic-Indic (Persian), Devanagari, Bengali,
# Thai, fullwidth, mathematical bold, and superscripts (isdigit, not decimal).
SCRIPTS = {
    "arabic-indic": 0x0660,
    "persian": 0x06F0,
    "devanagari": 0x0966,
    "bengali": 0x09E6,
    "thai": 0x0E50,
    "fullwidth": 0xFF10,
    "math-bold": 0x1D7CE,
}


def in_script(text: str, zero: int) -> str:
    """`text` with its ASCII digits written in the script whose zero is `zero`."""
    return "".join(chr(zero + int(c)) if c.isascii() and c.isdigit() else c for c in text)


class Body(BaseModel):
    amount: Grosze | None = None
    value: Litres | None = None
    phone: Phone | None = None


@pytest.mark.parametrize("zero", SCRIPTS.values(), ids=SCRIPTS.keys())
@pytest.mark.parametrize("text", ["100,00", "100", "7.5", "-10,80"])
def test_money_in_other_scripts_digits_is_refused(zero, text):
    assert parse_grosze(text) is not None  # the ASCII original is fine
    with pytest.raises(ValueError, match="kwota"):
        parse_grosze(in_script(text, zero))
    with pytest.raises(ValidationError):
        Body(amount=in_script(text, zero))


@pytest.mark.parametrize("zero", SCRIPTS.values(), ids=SCRIPTS.keys())
@pytest.mark.parametrize("text", ["123,456", "0", "812.3"])
def test_volumes_in_other_scripts_digits_are_refused(zero, text):
    assert parse_litres(text) is not None
    with pytest.raises(ValueError, match="stan licznika"):
        parse_litres(in_script(text, zero))
    with pytest.raises(ValidationError):
        Body(value=in_script(text, zero))


@pytest.mark.parametrize("zero", SCRIPTS.values(), ids=SCRIPTS.keys())
def test_phone_numbers_in_other_scripts_digits_are_refused(zero):
    assert Body(phone="601 234 567").phone == "+48601234567"
    with pytest.raises(ValidationError):
        Body(phone=in_script("601 234 567", zero))


@pytest.mark.parametrize("zero", SCRIPTS.values(), ids=SCRIPTS.keys())
def test_import_lines_with_other_scripts_digits_are_refused(zero):
    line = {
        "type": "customer",
        "customer_number": "100200",
        "name": "Klient",
        "service_address": {"street": "ul. Wodna 1", "postal_code": "41-709", "city": "Ruda"},
        "contract_status": "active",
    }
    parse_line(json.dumps(line))
    address = {**line["service_address"], "postal_code": in_script("41-709", zero)}
    with pytest.raises(LineError):
        parse_line(json.dumps({**line, "service_address": address}))
    with pytest.raises(LineError):
        parse_line(json.dumps({**line, "customer_number": in_script("100200", zero)}))
    invoice = {
        "type": "invoice",
        "number": "FV/1",
        "customer_number": "100200",
        "issue_date": "2026-10-05",
        "due_date": "2026-10-19",
        "net": "100.00",
        "vat": "0.00",
        "gross": "100.00",
    }
    parse_line(json.dumps(invoice))
    for field in ("net", "gross", "issue_date"):
        with pytest.raises(LineError):
            parse_line(json.dumps({**invoice, field: in_script(invoice[field], zero)}))


# Every decimal digit outside ASCII (category Nd): what int() and \d would read.
NON_ASCII_DIGITS = st.characters(categories=("Nd",), min_codepoint=0x80)


@given(
    st.text(alphabet="0123456789,.- ", max_size=12),
    NON_ASCII_DIGITS,
    st.integers(min_value=0, max_value=12),
)
def test_any_non_ascii_digit_makes_money_and_volume_invalid(text, digit, position):
    spliced = text[:position] + digit + text[position:]
    with pytest.raises(ValueError, match="kwota"):
        parse_grosze(spliced)
    with pytest.raises(ValueError, match="stan licznika"):
        parse_litres(spliced)


@given(st.integers(min_value=-(10**14) + 1, max_value=10**14 - 1))
def test_ascii_money_round_trips(grosze):
    assert parse_grosze(format_grosze(grosze)) == grosze
    assert parse_grosze(format_grosze(grosze).replace(".", ",")) == grosze


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_ascii_volumes_round_trip(litres):
    assert parse_litres(format_m3(litres)) == litres


def test_the_scripts_are_really_digits():
    for zero in SCRIPTS.values():
        assert unicodedata.digit(chr(zero + 7)) == 7
