"""The append-only audit log (services/audit.py, storage/audit.py): entries keep who, what,
when, before and after, never a secret; an overwrite is refused; reads by target and day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chalicelib import aws
from chalicelib.domain.audit import AuditEntry
from chalicelib.domain.errors import InvalidInput
from chalicelib.services import audit
from chalicelib.services.collaborators import using
from chalicelib.settings import get_settings
from chalicelib.storage import audit as store
from chalicelib.storage.audit import AuditEntryExists
from tests.iam_calls import as_function

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def today(self):
        return self.at.date()


@pytest.fixture
def api(aws_env):
    """Calls made as the API function makes them (its policy is checked)."""
    with as_function("api_handler"):
        yield


def test_an_entry_keeps_who_what_when_before_and_after_without_secrets(api):
    with using(clock=FixedClock(NOW)):
        audit.record(
            "staff.anna",
            "customer.deactivated",
            "customer:100200",
            before={"status": "active", "password_hash": "$2b$...", "balance": Decimal("1.50")},
            after={"status": "disabled", "session": {"token": "t", "count": 2}},
        )
    (entry,) = audit.entries_about("customer:100200").items
    assert entry == AuditEntry(
        actor="staff.anna",
        action="customer.deactivated",
        target="customer:100200",
        at=NOW,
        before={"status": "active", "balance": "1.50"},
        after={"status": "disabled", "session": {"count": 2}},
    )


def test_an_overwrite_is_refused_and_the_entry_stays(api):
    first = AuditEntry("staff.anna", "customer.viewed", "customer:1", NOW, after={"n": 1})
    store.append(first, suffix="fixed")
    forged = AuditEntry("staff.ewa", "customer.viewed", "customer:1", NOW, after={"n": 2})
    with pytest.raises(AuditEntryExists):
        store.append(forged, suffix="fixed")
    assert audit.entries_about("customer:1").items == [first]


def test_entries_of_a_day_newest_first_in_pages(api):
    for minute in range(5):
        at = NOW + timedelta(minutes=minute)
        with using(clock=FixedClock(at)):
            audit.record("staff.anna", "customer.viewed", f"customer:{minute}")
    with using(clock=FixedClock(NOW + timedelta(days=1))):
        audit.record("staff.anna", "customer.viewed", "customer:next-day")
    first = audit.entries_of_day(NOW.date(), limit=3)
    assert [e.target for e in first.items] == ["customer:4", "customer:3", "customer:2"]
    second = audit.entries_of_day(NOW.date(), cursor=first.next_cursor, limit=3)
    assert [e.target for e in second.items] == ["customer:1", "customer:0"]
    assert second.next_cursor is None
    with pytest.raises(InvalidInput):  # a cursor of another list is not followed
        audit.entries_about("customer:1", cursor=first.next_cursor)


def test_the_table_holds_no_secret_text(api):
    audit.record(
        "staff.anna",
        "staff.created",
        "staff:ewa",
        after={"login": "ewa", "totp_secret": "JBSWY3DPEHPK3PXP", "Password": "x"},
    )
    items = aws.client("dynamodb").query(
        TableName=get_settings().audit_table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "TARGET#staff:ewa"}},
    )["Items"]
    assert len(items) == 1
    assert "JBSWY3DPEHPK3PXP" not in str(items) and "Password" not in str(items)
