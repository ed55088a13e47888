"""Water volumes: parsed from "123,456" / "123.456" m³, kept as integer litres. Never float."""

from __future__ import annotations

import re

# ASCII digits only: \d and int() also take other scripts' digits ("١٢٣").
_VOLUME = re.compile(r"\s*([0-9]{1,9})(?:[.,]([0-9]{1,3}))?\s*", re.ASCII)


def parse_litres(text: str) -> int:
    """Parse a non-negative m³ value with up to three decimals into litres."""
    if not isinstance(text, str):
        raise ValueError('Podaj stan licznika jako tekst, np. "123,456".')
    match = _VOLUME.fullmatch(text)
    if not match:
        raise ValueError("Nieprawidłowy stan licznika. Podaj m³, najwyżej 3 miejsca po przecinku.")
    whole, fraction = match.groups()
    return int(whole) * 1000 + int((fraction or "0").ljust(3, "0"))


def format_m3(litres: int) -> str:
    """Show litres as m³ with three decimals: 123456 -> "123.456"."""
    sign = "-" if litres < 0 else ""
    whole, fraction = divmod(abs(int(litres)), 1000)
    return f"{sign}{whole}.{fraction:03d}"
