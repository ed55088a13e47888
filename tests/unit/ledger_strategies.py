"""Hypothesis strategies of a customer's ledger (documents and payments) for the domain's
property tests."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from chalicelib.domain import ledger

DAY0 = date(2026, 1, 1)

days = st.integers(0, 180).map(lambda n: DAY0 + timedelta(days=n))


@st.composite
def documents(draw):
    """Invoices, and corrections and duplicates of documents issued before them (a
    correction of a correction, too), numbered F1, F2…"""
    docs: list[ledger.Document] = []
    for index in range(1, draw(st.integers(1, 6)) + 1):
        kind = "invoice" if not docs else draw(st.sampled_from(["invoice", "correction", "dup"]))
        issued = draw(days)
        due = issued + timedelta(days=draw(st.integers(0, 30)))
        parent = draw(st.sampled_from(docs)).number if docs else None
        if kind == "invoice":
            gross = draw(st.integers(1, 100_000))
            docs.append(ledger.Document(f"F{index}", "invoice", issued, due, gross))
        elif kind == "correction":
            gross = draw(st.integers(-100_000, 50_000))
            docs.append(
                ledger.Document(f"F{index}", "correction", issued, due, gross, corrects=parent)
            )
        else:
            gross = draw(st.integers(1, 100_000))
            docs.append(
                ledger.Document(f"F{index}", "duplicate", issued, due, gross, duplicate_of=parent)
            )
    return docs


@st.composite
def payments(draw, docs):
    """Payments allocated to the documents (or to numbers not imported yet)."""
    numbers = [d.number for d in docs] + ["F99"]
    result = []
    for index in range(draw(st.integers(0, 4))):
        allocations = draw(
            st.lists(st.tuples(st.sampled_from(numbers), st.integers(1, 80_000)), max_size=3)
        )
        amount = sum(a for _, a in allocations) + draw(st.integers(0, 10_000))
        result.append(
            ledger.Payment(
                f"P{index}",
                draw(days),
                amount,
                "transfer",
                tuple(allocations),
                pending_booking=draw(st.booleans()),
            )
        )
    return result


@st.composite
def ledgers(draw):
    docs = draw(documents())
    return docs, draw(payments(docs))
