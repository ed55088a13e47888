"""Money: parsed from strings, kept as integer grosze, shown as "123.45". Never float."""

from __future__ import annotations

import re
from decimal import Decimal

# ASCII digits only: \d, int() and Decimal() also take other scripts' digits ("١٠٠").
_AMOUNT = re.compile(r"\s*(-?)([0-9]{1,12})(?:[.,]([0-9]{1,2}))?\s*", re.ASCII)


def parse_grosze(text: str) -> int:
    """Parse "123.45", "123,45", "123,4" or "123" into grosze; ValueError otherwise."""
    if not isinstance(text, str):
        raise ValueError('Podaj kwotę jako tekst, np. "123,45".')
    match = _AMOUNT.fullmatch(text)
    if not match:
        raise ValueError("Nieprawidłowa kwota. Podaj ją w formacie 123,45 lub 123.45.")
    sign, whole, fraction = match.groups()
    value = int(whole) * 100 + int((fraction or "0").ljust(2, "0"))
    return -value if sign else value


def format_grosze(grosze: int) -> str:
    """Show grosze as a string with two decimals: 12345 -> "123.45"."""
    sign = "-" if grosze < 0 else ""
    whole, fraction = divmod(abs(int(grosze)), 100)
    return f"{sign}{whole}.{fraction:02d}"


def to_decimal(grosze: int) -> Decimal:
    """Grosze as a Decimal in złoty (for templates and exports)."""
    return Decimal(grosze) / 100
