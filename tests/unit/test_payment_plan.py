"""What an online payment pays (chalicelib/domain/payment_plan.py) and how its state may
move (chalicelib/domain/payments.py). Plain Python, no AWS."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import ledger, payment_plan
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.payments import FROM_GATEWAY, MOVES_TO, OPEN, PaymentStatus, is_held
from tests.unit.ledger_strategies import ledgers

STARTED, PENDING, PAID, FAILED = (
    PaymentStatus.STARTED,
    PaymentStatus.PENDING,
    PaymentStatus.PAID,
    PaymentStatus.FAILED,
)

TODAY = date(2026, 4, 1)
FAST = settings(max_examples=30, deadline=None)


def owed_by_root(states):
    """What is left to pay on each root document."""
    return {s.root: s.outstanding for s in states.values()}


def check_plan(plan, states):
    """The invariants every plan of invoices keeps."""
    owed = owed_by_root(states)
    # Its parts add up to its amount: breaks if the total were computed apart from them.
    assert plan.amount == sum(amount for _, amount in plan.parts)
    # Each root once, each for exactly what is left on it, which is more than nothing:
    # breaks if naming an invoice and its correction paid the root twice, or a part took an
    # invoice's gross instead of what is left of it.
    roots = [root for root, _ in plan.parts]
    assert len(roots) == len(set(roots)) and roots == sorted(roots)
    assert all(0 < amount == owed[root] for root, amount in plan.parts)
    # So never more than is owed, and never a negative amount.
    assert 0 < plan.amount <= sum(owed.values())
    assert len(plan.description) <= payment_plan.DESCRIPTION_LENGTH


@FAST
@given(ledgers(), st.data())
def test_chosen_invoices_pay_what_is_left_on_them(data, draw):
    docs, pays = data
    states = ledger.document_states(docs, pays, TODAY)
    numbers = draw.draw(st.lists(st.sampled_from(sorted(states)), min_size=1, max_size=8))
    if all(states[n].outstanding > 0 for n in numbers):
        plan = payment_plan.invoices(numbers, states)
        assert plan.purpose == "invoices"
        check_plan(plan, states)
        assert {root for root, _ in plan.parts} == {states[n].root for n in numbers}
    else:
        # The first chosen invoice with nothing to pay is named.
        first = next(n for n in numbers if states[n].outstanding <= 0)
        with pytest.raises(Conflict, match=f"Faktura {first} nie ma"):
            payment_plan.invoices(numbers, states)


@FAST
@given(ledgers())
def test_the_overdue_plan_pays_exactly_what_is_overdue(data):
    # The same sum the balance summary shows as overdue: breaks if the plan counted a
    # correction's share twice or left out a partly paid invoice.
    docs, pays = data
    states = ledger.document_states(docs, pays, TODAY)
    overdue = ledger.summary(docs, pays, [], TODAY).overdue
    if overdue == 0:
        with pytest.raises(Conflict):
            payment_plan.overdue("100001", states)
        return
    plan = payment_plan.overdue("100001", states)
    assert plan.purpose == "overdue" and plan.amount == overdue
    check_plan(plan, states)
    assert all(states[root].overdue for root, _ in plan.parts if root in states)


@FAST
@given(st.integers(-(10**9), 10**9), st.integers(1, 10**6), st.integers(0, 10**8))
def test_an_own_amount_is_taken_only_within_the_limits(amount, minimum, span):
    maximum = minimum + span
    if minimum <= amount <= maximum:
        plan = payment_plan.own_amount("100001", amount, minimum, maximum)
        assert (plan.purpose, plan.amount, plan.parts) == ("amount", amount, [])
    else:
        with pytest.raises(InvalidInput) as raised:
            payment_plan.own_amount("100001", amount, minimum, maximum)
        assert "amount" in raised.value.fields


def test_the_first_bad_invoice_answers_and_the_rest_are_not_read():
    # The service decodes ids lazily: an unknown invoice stops the plan before a later id is
    # even decoded (so the answer does not depend on what follows).
    invoice = ledger.Document("F1", "invoice", TODAY, TODAY, 100)
    states = ledger.document_states([invoice], [], TODAY)

    def numbers():
        yield "F0"
        raise AssertionError("read past the first bad invoice")

    with pytest.raises(NotFound):
        payment_plan.invoices(numbers(), states)


def test_a_correction_pays_its_invoice_once():
    invoice = ledger.Document("F1", "invoice", TODAY, TODAY, 10_000)
    correction = ledger.Document("K1", "correction", TODAY, TODAY, -2_500, corrects="F1")
    states = ledger.document_states([invoice, correction], [], TODAY)
    plan = payment_plan.invoices(["K1", "F1", "K1"], states)
    assert plan.parts == [("F1", 7_500)] and plan.amount == 7_500


def test_a_long_list_of_invoices_keeps_a_short_description():
    docs = [ledger.Document(f"FV/2026/{n:06d}", "invoice", TODAY, TODAY, 100) for n in range(20)]
    states = ledger.document_states(docs, [], TODAY)
    plan = payment_plan.invoices([d.number for d in docs], states)
    assert plan.amount == 2_000 and len(plan.parts) == 20
    assert plan.description.startswith("Faktury FV/2026/000000, FV/2026/000001")
    assert len(plan.description) == payment_plan.DESCRIPTION_LENGTH


# --- the order's state ----------------------------------------------------------------

STATES = (STARTED, PENDING, PAID, FAILED)
RANK = {STARTED: 0, PENDING: 1, PAID: 2, FAILED: 2}


def move(current: str, new: str) -> str:
    """What the conditional write of a notification does: move if allowed, else stay."""
    return new if current in MOVES_TO.get(new, ()) else current


@FAST
@given(st.lists(st.sampled_from(STATES), max_size=12))
def test_an_order_state_only_moves_forward(attempts):
    # Whatever notifications arrive, in whatever order and however often: breaks if a
    # FAILURE after SUCCESS (or a late PENDING) could take a paid order back.
    state = STARTED
    for attempt in attempts:
        reached = move(state, attempt)
        assert RANK[reached] >= RANK[state]
        if state in (PAID, FAILED):
            assert reached == state  # an ended order stays as it ended
        state = reached


def test_every_gateway_status_has_a_move():
    # The notification looks up MOVES_TO[new]: a gateway status without a rule would fail.
    assert set(FROM_GATEWAY.values()) <= set(MOVES_TO)
    assert all(RANK[before] < RANK[to] for to, allowed in MOVES_TO.items() for before in allowed)


@FAST
@given(
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.sampled_from([*STATES, None]),
)
def test_a_hold_only_lets_go(until, now, later, status):
    # A hold never comes back once it has let go: not later in time, nor once the order
    # ends. Breaks if an ended order or a passed time kept an invoice held. A pending order
    # (the bank deciding) holds whatever the time: it may still be paid.
    if status == PENDING:
        assert is_held(until, status, now) and is_held(until, status, now + later)
    elif is_held(until, status, now):
        assert now < until and (status is None or status in OPEN)
    else:
        assert not is_held(until, status, now + later)
    assert not any(is_held(until, ended, now) for ended in (PAID, FAILED))
