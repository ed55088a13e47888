"""Rules of contracts and annexes as plain Python.

- A contract is in force from its first day to its last, both inclusive; without an end
  date it stays in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.domain.records import Annex, Contract


def contract_active(valid_from: date, valid_to: date | None, today: date) -> bool:
    """Whether a contract valid from `valid_from` to `valid_to` (None: open-ended) is in
    force on `today`."""
    return valid_from <= today and (valid_to is None or today <= valid_to)


@dataclass(frozen=True)
class ContractView:
    """A contract with its annexes (by signing date) and whether it is in force."""

    contract: Contract
    active: bool
    annexes: list[Annex]


@dataclass(frozen=True)
class DownloadLink:
    """A short-lived link to one file, when it expires (ISO 8601) and the name to save it as."""

    url: str
    expires_at: str
    filename: str
