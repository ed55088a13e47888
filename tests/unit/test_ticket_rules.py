"""Ticket rules: the complaint deadline, reference numbers, the queue order, the lifecycle,
the reopen window and the upload verdict (domain/tickets.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.clock import to_warsaw
from chalicelib.domain.tickets import (
    MAX_ATTACHMENT_BYTES,
    TicketKind,
    TicketStatus,
    can_move,
    complaint_due,
    due_on,
    due_order,
    reference,
    reopen_allowed,
    upload_verdict,
)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (datetime(2026, 1, 20, 10, tzinfo=UTC), date(2026, 2, 3)),  # into the next month
        (datetime(2026, 2, 20, 10, tzinfo=UTC), date(2026, 3, 6)),  # February: 28 days
        (datetime(2028, 2, 20, 10, tzinfo=UTC), date(2028, 3, 5)),  # leap year
        (datetime(2026, 12, 25, 10, tzinfo=UTC), date(2027, 1, 8)),  # across the year end
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), date(2027, 1, 15)),  # Jan 1 in Warsaw
        (datetime(2026, 12, 31, 22, 30, tzinfo=UTC), date(2027, 1, 14)),  # still Dec 31
        (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), date(2026, 7, 15)),  # summer time: July 1
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), date(2026, 4, 12)),  # the DST change day
    ],
)
def test_a_complaint_is_due_14_calendar_days_after_its_day_of_receipt_in_warsaw(received, due):
    assert complaint_due(received) == due


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_the_deadline_is_always_14_days_after_the_polish_date(moment):
    received = moment.replace(tzinfo=UTC)
    assert complaint_due(received) - to_warsaw(received).date() == timedelta(days=14)


def test_operational_reports_have_no_deadline_but_sort_by_their_day():
    received = datetime(2026, 12, 20, 9, tzinfo=UTC)
    assert due_on(TicketKind.OPERATIONAL, received) is None
    report = due_order(None, received, "Z-2026-000001")
    complaint = due_order(complaint_due(received), received, "R-2026-000001")
    assert report.startswith("2026-12-20#") and report < complaint


def test_reference_numbers():
    assert reference(TicketKind.COMPLAINT, 2026, 123) == "R/2026/000123"
    assert reference(TicketKind.OPERATIONAL, 2026, 456) == "Z/2026/000456"


def test_the_lifecycle():
    assert can_move(TicketStatus.NEW, TicketStatus.IN_PROGRESS)
    assert can_move(TicketStatus.IN_PROGRESS, TicketStatus.WAITING_FOR_CUSTOMER)
    assert can_move(TicketStatus.WAITING_FOR_CUSTOMER, TicketStatus.RESOLVED)
    assert can_move(TicketStatus.IN_PROGRESS, TicketStatus.REJECTED)
    assert can_move(TicketStatus.RESOLVED, TicketStatus.IN_PROGRESS)
    assert not can_move(TicketStatus.RESOLVED, TicketStatus.REJECTED)
    assert not can_move(TicketStatus.IN_PROGRESS, TicketStatus.NEW)


def test_the_reopen_window():
    closed = datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert reopen_allowed(closed, closed + timedelta(days=14), 14)
    assert not reopen_allowed(closed, closed + timedelta(days=14, seconds=1), 14)
    assert not reopen_allowed(None, closed, 14)


def test_the_upload_verdict():
    assert upload_verdict("image/jpeg", "image/jpeg", 1000) is None
    assert upload_verdict("image/jpeg", "application/x-msdownload", 1000) == "type"
    assert upload_verdict("image/png", "image/jpeg", 1000) == "mismatch"
    assert upload_verdict("application/pdf", "application/pdf", MAX_ATTACHMENT_BYTES + 1) == "size"
    assert upload_verdict("image/png", None, 10) == "type"
