"""Rules of contracts and annexes as plain Python.

- A contract is in force from its first day to its last, both inclusive; without an end
  date it stays in force.
"""

from __future__ import annotations

from datetime import date


def contract_active(valid_from: date, valid_to: date | None, today: date) -> bool:
    """Whether a contract valid from `valid_from` to `valid_to` (None: open-ended) is in
    force on `today`."""
    return valid_from <= today and (valid_to is None or today <= valid_to)
