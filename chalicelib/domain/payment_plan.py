"""What an online payment pays, as plain Python over the ledger's document states.

- An amount of the customer's own choice: within the configured minimum and maximum; it
  pays no invoice.
- The overdue amount: what is left to pay on every overdue invoice (by its root: a
  correction belongs to the invoice it corrects); a Conflict when nothing is overdue.
- Chosen invoices: each pays what is left on its root, once however often it is named; an
  unknown invoice is NotFound, one with nothing left to pay a Conflict.

A plan never pays more than is owed on what it pays, never a negative amount, and its parts
add up to its amount.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.formatting import money_pl
from chalicelib.domain.ledger import DocumentState

# The longest description a plan carries (the gateway's title is shorter still).
DESCRIPTION_LENGTH = 79
NO_INVOICE = "Nie ma takiej faktury."


@dataclass(frozen=True)
class Plan:
    """What an order pays: its purpose, amount (grosze) and (invoice, grosze) parts."""

    purpose: str
    amount: int
    parts: list[tuple[str, int]]
    description: str


def own_amount(customer_number: str, amount: int, minimum: int, maximum: int) -> Plan:
    """A payment of `amount` to the customer's account; InvalidInput outside the limits."""
    if not minimum <= amount <= maximum:
        raise InvalidInput(
            fields={"amount": f"Kwota musi wynosić od {money_pl(minimum)} do {money_pl(maximum)}."}
        )
    return Plan("amount", amount, [], f"Wpłata na konto klienta {customer_number}")


def overdue(customer_number: str, states: Mapping[str, DocumentState]) -> Plan:
    """A payment of everything overdue; Conflict when nothing is."""
    roots = {s.root: s for s in states.values() if s.overdue and s.outstanding > 0}
    if not roots:
        raise Conflict("Nie masz zaległości do zapłaty.")
    parts = [(root, state.outstanding) for root, state in sorted(roots.items())]
    return Plan(
        "overdue",
        sum(amount for _, amount in parts),
        parts,
        f"Zaległość klienta {customer_number}",
    )


def invoices(numbers: Iterable[str], states: Mapping[str, DocumentState]) -> Plan:
    """A payment of the invoices `numbers` (taken in order, so the first bad one answers)."""
    parts_by_root: dict[str, int] = {}
    for number in numbers:
        state = states.get(number)
        if state is None:
            raise NotFound(NO_INVOICE)
        if state.outstanding <= 0:
            raise Conflict(f"Faktura {number} nie ma nic do zapłaty.")
        parts_by_root[state.root] = states.get(state.root, state).outstanding
    parts = sorted(parts_by_root.items())
    listed = ", ".join(number for number, _ in parts)
    return Plan(
        "invoices", sum(a for _, a in parts), parts, f"Faktury {listed}"[:DESCRIPTION_LENGTH]
    )
