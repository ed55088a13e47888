"""Terms versions staff publish, in the service table's `TERMS` partition (one Query
reads them all; there are a few a year)."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import PutError

from chalicelib.domain.errors import Conflict
from chalicelib.domain.terms import TermsVersion
from chalicelib.models.service import TermsVersionItem
from chalicelib.storage.errors import is_condition_failure

VERSION_TAKEN = "Wersja regulaminu o tej nazwie już istnieje."


def _version(item: TermsVersionItem) -> TermsVersion:
    return TermsVersion(
        version=item.version,
        title=item.title,
        text=item.text,
        effective_from=datetime.fromisoformat(item.effective_from),
        published_at=datetime.fromisoformat(item.published_at),
        published_by=item.published_by,
    )


def published() -> list[TermsVersion]:
    """Every published version, oldest effective date first."""
    items = TermsVersionItem.query(
        TermsVersionItem.PARTITION, TermsVersionItem.sk.startswith(TermsVersionItem.PREFIX)
    )
    return sorted((_version(i) for i in items), key=lambda v: v.effective_from)


def publish(version: TermsVersion) -> None:
    """Store a new version; Conflict if its label is taken (a put conditional on a new key)."""
    assert version.published_at is not None and version.published_by is not None
    item = TermsVersionItem(
        *TermsVersionItem.key(version.version),
        version=version.version,
        title=version.title,
        text=version.text,
        effective_from=version.effective_from.isoformat(),
        published_at=version.published_at.isoformat(),
        published_by=version.published_by,
    )
    try:
        item.save(condition=TermsVersionItem.pk.does_not_exist())
    except PutError as exc:
        if is_condition_failure(exc):
            raise Conflict(VERSION_TAKEN, fields={"version": VERSION_TAKEN}) from exc
        raise
