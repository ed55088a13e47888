"""Entries of the audit table (append-only: storage/audit.py puts them with a condition
refusing an existing key; IAM denies updates and deletes). Keys: `pk` = `TARGET#<target>`,
`sk` = `<UTC time>#<random>`; index `by_day` (`day` = the UTC date, `sk`)."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.models.base import TableModel, meta_for


class ByDay(GlobalSecondaryIndex):
    """Entries of one UTC day in time order (the admins' view of the log)."""

    class Meta:
        index_name = "by_day"
        projection = AllProjection()

    day = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class AuditRecord(TableModel):
    """One audit entry; `before` and `after` are JSON objects as text."""

    Meta = meta_for("audit_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    day = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    target = UnicodeAttribute()
    before = UnicodeAttribute(null=True)
    after = UnicodeAttribute(null=True)

    by_day = ByDay()

    @staticmethod
    def partition(target: str) -> str:
        """The partition holding the entries about `target`."""
        return f"TARGET#{target}"
