"""Amounts and volumes as a person reads them in Polish: "100 000,00 zł", "12,345 m³".

The one formatter for every text a person sees (messages, e-mails, PDFs). It follows what
Babel gives for the `pl_PL` locale (CLDR): a decimal comma, digits grouped by three with a
no-break space (U+00A0), also in four-digit numbers, and a no-break space before the unit,
so "zł" and "m³" never start a new line. API fields keep the machine format ("123.45",
`money.format_grosze`, `volume.format_m3`).
"""

from __future__ import annotations

NBSP = "\u00a0"


def _grouped(whole: int) -> str:
    digits = str(whole)
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return NBSP.join([digits, *groups])


def _decimal(value: int, places: int) -> str:
    """`value` in units of 10**-places, with a comma and grouped digits."""
    sign = "-" if value < 0 else ""
    whole, fraction = divmod(abs(int(value)), 10**places)
    return f"{sign}{_grouped(whole)},{fraction:0{places}d}"


def money_pl(grosze: int) -> str:
    """An amount in złoty: 10000000 -> "100 000,00 zł" (no-break spaces)."""
    return f"{_decimal(grosze, 2)}{NBSP}zł"


def volume_pl(litres: int) -> str:
    """A volume in m³ with three decimals: 12345 -> "12,345 m³" (no-break spaces)."""
    return f"{_decimal(litres, 3)}{NBSP}m³"
