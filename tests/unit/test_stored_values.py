"""Statuses are enums whose values are the strings already stored in DynamoDB and shown in
JSON (no data migration), and records are declared the PynamoDB way."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from pynamodb.attributes import VersionAttribute

from chalicelib.domain.accounts import AccountStatus, LoginResult
from chalicelib.domain.ledger import InvoiceStatus, NoticeState
from chalicelib.domain.payments import FROM_GATEWAY, MOVES_TO, OPEN, PaymentStatus
from chalicelib.domain.readings import ExportState, MeterStatus
from chalicelib.domain.tokens import TokenKind
from chalicelib.imports.meter_records import MeterLine
from chalicelib.models.meters import MeterState
from chalicelib.schemas.ledger import InvoiceOut, PaymentOut
from chalicelib.schemas.meters import MeterOut

ROOT = Path(__file__).resolve().parents[2]


def values(enum: type) -> set[str]:
    return {member.value for member in enum}


def test_stored_values_stay_the_same_strings():
    assert values(AccountStatus) == {"pending", "active", "disabled", "deactivated", "closed"}
    assert values(LoginResult) == {"success", "failure", "throttled"}
    assert values(ExportState) == {"pending", "claimed"}
    assert values(NoticeState) == {"pending"}
    assert values(TokenKind) == {"activation", "password_reset", "email_change", "email_cancel"}
    assert values(PaymentStatus) == {"started", "pending", "paid", "failed", "booked"}


def test_the_shown_statuses_are_the_enums():
    assert set(get_args(PaymentOut.model_fields["status"].annotation)) == values(PaymentStatus)
    assert set(get_args(InvoiceOut.model_fields["status"].annotation)) == values(InvoiceStatus)
    assert set(get_args(MeterOut.model_fields["status"].annotation)) == values(MeterStatus)
    assert set(get_args(MeterLine.model_fields["status"].annotation)) == values(MeterStatus)


def test_a_payment_moves_forward_only_and_never_to_booked():
    assert set(FROM_GATEWAY.values()) == set(MOVES_TO)
    assert PaymentStatus.BOOKED not in MOVES_TO
    for new, allowed in MOVES_TO.items():
        assert new not in allowed and set(allowed) <= set(OPEN)


def test_the_submission_lock_is_a_version_attribute():
    assert isinstance(MeterState.get_attributes()["version"], VersionAttribute)


def test_one_time_tokens_are_issued_in_one_place():
    """Issue, store hashed, expiry and consumption live in storage/accounts.py only."""
    makers = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "chalicelib").rglob("*.py")
        if re.search(r"(?<!class )\bOneTimeToken\(", path.read_text(encoding="utf-8"))
    ]
    assert makers == ["chalicelib/storage/accounts.py"]


def test_no_ttl_is_computed_by_hand():
    hand_made = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "chalicelib").rglob("*.py")
        if "+ 86400" in path.read_text(encoding="utf-8")
    ]
    assert hand_made == []
