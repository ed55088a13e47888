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

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.formatting import money_pl
from chalicelib.domain.ledger import DocumentState
from chalicelib.domain.payments import HOLDING_PURPOSES, Hold, in_progress, is_held

# The longest description a plan carries (the gateway's title is shorter still).
DESCRIPTION_LENGTH = 79
NO_INVOICE = "Nie ma takiej faktury."
# What a payment title may carry from the billing system (invoice and customer numbers);
# anything else - a "|" no gateway signature may hold, control characters - stays out.
_TITLE = re.compile(r"[0-9A-Za-zĄĆĘŁŃÓŚŹŻąćęłńóśźż ,./_\-]{1,79}")


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


def choose(
    customer_number: str,
    states: Mapping[str, DocumentState],
    *,
    amount: int | None,
    all_overdue: bool,
    numbers: Iterable[str],
    minimum: int,
    maximum: int,
) -> Plan:
    """The plan of what the customer asked to pay: an amount of their own (within
    `minimum`..`maximum`), everything overdue, or the invoices `numbers`."""
    if amount is not None:
        return own_amount(customer_number, amount, minimum, maximum)
    if all_overdue:
        return overdue(customer_number, states)
    return invoices(numbers, states)


def gateway_description(text: str, order_id: str) -> str:
    """The payment title sent (and signed) to the gateway: the plan's text when it holds
    only what a title may, else one naming the order (enough to find everything)."""
    return text if _TITLE.fullmatch(text) else f"Płatność {order_id}"


def holds(
    plan: Plan,
    order_id: str,
    stored: Mapping[str, Hold],
    statuses: Mapping[str, str],
    now: int,
    until: int,
    limit: int,
) -> tuple[list[Hold], dict[str, str]]:
    """The holds (until `until`, epoch seconds) the order `order_id` needs on the invoices
    it pays, and which `stored` holds (by invoice) it may replace: by invoice, the order of
    each, seen ended. PaymentInProgress if an open order (`statuses` by order id) holds one
    at `now`; Conflict for more invoices than `limit`."""
    if plan.purpose not in HOLDING_PURPOSES:
        return [], {}
    if len(plan.parts) > limit:
        raise Conflict(f"Jedną płatnością można zapłacić najwyżej {limit} faktur. Wybierz faktury.")
    needed, replaceable = [], {}
    for number, _ in plan.parts:
        held = stored.get(number)
        if held is not None:
            if is_held(held.until, statuses.get(held.order_id), now):
                raise in_progress(held)
            replaceable[number] = held.order_id
        needed.append(Hold(invoice=number, order_id=order_id, until=until))
    return needed, replaceable
