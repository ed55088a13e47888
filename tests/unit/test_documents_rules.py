"""States of billing documents, the balance and the settlements (chalicelib/domain/ledger.py),
and when a contract is in force (chalicelib/domain/documents.py). Plain Python, no AWS."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import ledger
from chalicelib.domain.documents import contract_active
from tests.unit.ledger_strategies import DAY0, days, ledgers

TODAY = date(2026, 4, 1)
FAST = settings(max_examples=30, deadline=None)
# How far a document has got towards being settled; a state never goes back down this list
# when more is paid.
RANK = {
    ledger.InvoiceStatus.UNPAID: 0,
    ledger.InvoiceStatus.PARTIALLY_PAID: 1,
    ledger.InvoiceStatus.PAID_PENDING_BOOKING: 2,
    ledger.InvoiceStatus.PAID: 3,
}


@FAST
@given(ledgers())
def test_a_state_says_what_is_paid_of_what_is_due(data):
    # Breaks if a status disagreed with the numbers (partially paid with nothing paid, an
    # unpaid invoice overdue before its due date, a negative amount left to pay).
    docs, pays = data
    by_number = {d.number: d for d in docs}
    states = ledger.document_states(docs, pays, TODAY)
    booked: dict[str, int] = {}  # by root: what the billing system booked, not online only
    for payment in pays:
        for number, amount in payment.allocations:
            root = states[number].root if number in states else number
            if not payment.pending_booking:
                booked[root] = booked.get(root, 0) + amount
    for state in states.values():
        assert state.outstanding >= 0
        if state.status == ledger.InvoiceStatus.PAID and state.amount_due > 0:
            # Paid means booked: breaks if an unbooked online payment were enough.
            assert booked.get(state.root, 0) >= state.amount_due
        if state.status == ledger.InvoiceStatus.UNPAID:
            assert state.paid <= 0 < state.amount_due
        elif state.status == ledger.InvoiceStatus.PARTIALLY_PAID:
            assert 0 < state.paid < state.amount_due
        elif state.status == ledger.InvoiceStatus.PAID_PENDING_BOOKING:
            assert state.outstanding == 0 < state.amount_due
            assert booked.get(state.root, 0) < state.amount_due
        if state.overdue:
            root = by_number.get(state.root, state.document)
            assert state.outstanding > 0 and root.due_date < TODAY
            assert state.status in (
                ledger.InvoiceStatus.UNPAID,
                ledger.InvoiceStatus.PARTIALLY_PAID,
            )


@FAST
@given(ledgers())
def test_corrections_and_duplicates_share_their_roots_state(data):
    # One invoice, one state: its corrections and duplicates never say otherwise.
    docs, pays = data
    states = ledger.document_states(docs, pays, TODAY)
    for state in states.values():
        root = states.get(state.root)
        if root is not None:
            assert (state.status, state.amount_due, state.paid, state.overdue) == (
                root.status,
                root.amount_due,
                root.paid,
                root.overdue,
            )
            assert state.corrections == root.corrections


@FAST
@given(ledgers(), st.integers(1, 100_000), st.booleans(), st.data())
def test_paying_more_never_moves_a_state_back(data, amount, pending, draw):
    # Another payment (booked, or online and not booked yet) can only bring a document
    # towards paid. Breaks if a pending-booking payment could downgrade a booked one.
    docs, pays = data
    target = draw.draw(st.sampled_from([d.number for d in docs]))
    more = ledger.Payment("PX", TODAY, amount, "online", ((target, amount),), pending)
    before = ledger.document_states(docs, pays, TODAY)
    after = ledger.document_states(docs, [*pays, more], TODAY)
    for number, state in before.items():
        assert RANK[after[number].status] >= RANK[state.status]
        assert after[number].outstanding <= state.outstanding


@FAST
@given(ledgers(), st.booleans(), st.data())
def test_paying_exactly_what_is_left_settles_it(data, pending, draw):
    # Breaks if "paid" needed more than the amount due (a payment of exactly what is left
    # would leave the invoice partially paid).
    docs, pays = data
    before = ledger.document_states(docs, pays, TODAY)
    open_ = sorted(n for n, s in before.items() if s.outstanding > 0)
    if not open_:
        return
    target = draw.draw(st.sampled_from(open_))
    left = before[target].outstanding
    payment = ledger.Payment("PX", TODAY, left, "online", ((target, left),), pending)
    after = ledger.document_states(docs, [*pays, payment], TODAY)[target]
    assert after.outstanding == 0 and not after.overdue
    assert after.status in (ledger.InvoiceStatus.PAID, ledger.InvoiceStatus.PAID_PENDING_BOOKING)


def test_a_payment_not_booked_yet_is_paid_pending_booking():
    invoice = ledger.Document("F1", "invoice", DAY0, DAY0, 10_000)
    for amount, booked, status in [
        (9_999, True, ledger.InvoiceStatus.PARTIALLY_PAID),
        (10_000, False, ledger.InvoiceStatus.PAID_PENDING_BOOKING),
        (10_000, True, ledger.InvoiceStatus.PAID),
    ]:
        payment = ledger.Payment("P1", DAY0, amount, "x", (("F1", amount),), not booked)
        assert ledger.document_states([invoice], [payment], TODAY)["F1"].status == status


@FAST
@given(ledgers(), st.integers(1, 400))
def test_overdue_stays_overdue_as_days_pass(data, later):
    docs, pays = data
    now = ledger.document_states(docs, pays, TODAY)
    then = ledger.document_states(docs, pays, TODAY + timedelta(days=later))
    assert all(then[n].overdue for n, state in now.items() if state.overdue)


@FAST
@given(ledgers(), st.data())
def test_a_duplicate_is_never_a_charge(data, draw):
    # Adding a copy of any document changes neither the balance nor any state's numbers.
    docs, pays = data
    original = draw.draw(st.sampled_from(docs))
    copy = ledger.Document(
        "D1", "duplicate", TODAY, TODAY, original.gross, duplicate_of=original.number
    )
    assert ledger.balance_as_of([*docs, copy], pays, []) == ledger.balance_as_of(docs, pays, [])
    before = ledger.document_states(docs, pays, TODAY)
    after = ledger.document_states([*docs, copy], pays, TODAY)
    assert {n: (s.amount_due, s.paid, s.status) for n, s in before.items()} == {
        n: (s.amount_due, s.paid, s.status) for n, s in after.items() if n != "D1"
    }


@FAST
@given(ledgers(), st.lists(st.tuples(days, st.integers(-500_000, 500_000)), max_size=3))
def test_settlements_run_to_the_balance(data, balances):
    # The running balance adds each entry's amount, entries go by date, and the last one is
    # the balance; without the billing system's balance it is charges minus payments.
    docs, pays = data
    sent = [ledger.Balance(on, amount) for on, amount in balances]
    balance, opening, latest = ledger.balance_as_of(docs, pays, sent)
    entries = ledger.settlements(docs, pays, sent)
    running = 0
    for entry in entries:
        running += entry.amount
        assert entry.running == running
    assert running == balance
    assert all(a.on <= b.on for a, b in pairwise(entries))
    if not sent:
        charges = sum(d.gross for d in docs if ledger.is_charge(d))
        assert (balance, opening, latest) == (charges - sum(p.amount for p in pays), 0, None)
    else:
        # The billing system's balance stands for everything booked up to its date.
        newest = max(sent, key=lambda b: b.as_of)
        after = sum(d.gross for d in docs if ledger.is_charge(d) and d.issue_date > newest.as_of)
        after -= sum(p.amount for p in pays if p.paid_on > newest.as_of or p.pending_booking)
        assert balance == newest.amount + after


@FAST
@given(ledgers())
def test_the_summary_owes_what_the_states_leave(data):
    docs, pays = data
    states = ledger.document_states(docs, pays, TODAY)
    roots = {s.root: s for s in states.values() if s.root == s.document.number}
    result = ledger.summary(docs, pays, [], TODAY)
    assert result.overdue == sum(s.outstanding for s in roots.values() if s.overdue)
    assert result.overdue >= 0 and result.next_due_amount >= 0
    if result.next_due_date is not None:
        assert result.next_due_date >= TODAY and result.next_due_amount > 0


# --- contracts --------------------------------------------------------------------------


@FAST
@given(days, st.one_of(st.none(), days), days, days)
def test_a_contract_is_in_force_between_its_dates(valid_from, valid_to, a, b):
    # In force on both ends of a stretch means in force on every day between (a contract
    # has no gaps), and never before its first day or after its last.
    assert contract_active(valid_from, valid_to, a) == (
        valid_from <= a and (valid_to is None or a <= valid_to)
    )
    first, last = min(a, b), max(a, b)
    if contract_active(valid_from, valid_to, first) and contract_active(valid_from, valid_to, last):
        middle = first + (last - first) / 2
        assert contract_active(valid_from, valid_to, middle)


def test_a_contract_is_in_force_on_its_first_and_last_day():
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    assert contract_active(start, end, start) and contract_active(start, end, end)
    assert not contract_active(start, end, end + timedelta(days=1))
    assert not contract_active(start, None, start - timedelta(days=1))
    assert contract_active(start, None, date(2100, 1, 1))
