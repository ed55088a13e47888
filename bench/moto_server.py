"""moto's server with two of moto's own costs taken out, for benchmarks that work item by
item on large tables (the invoice-reminder job: bench_reminders.py).

1. A Query of a table (not of an index) reads one partition on DynamoDB; moto 5 lists and
   sorts every item of the table (`Table.all_items`) and filters them by the hash key, so
   one customer's ledger read costs O(table). Here such a Query sees the partition's items
   only (sorted as moto sorts them); a Query of an index is unchanged.
2. moto 5 backs up every table a TransactWriteItems names with `copy.deepcopy` of the whole
table (for its rollback), once per item of the transaction: a transaction's cost grows with
the table, so N notifications (each one transaction into the accounts table) cost O(N²) on
moto, where DynamoDB's cost per transaction is constant. Here the backup keeps only the
items the transaction names (a deep copy of each, or their absence), which is all a
rollback has to restore.

3. A Query of an index (a GSI) reads its partition on DynamoDB; moto 5 lists and sorts the
   whole table, keeps the items of the partition and sorts them, for every page: a job
   enumerating 100,000 due invoices by the `invoices_due` index reads ~50 pages of a
   200,000-item table (O(N²), past the app's 5-second read timeout). Here the partition's
   items, sorted, are kept per (table, index, hash key) until the next write to any table,
   so the pages of one enumeration share them. moto's own paging over them is unchanged.

Measured before (one per customer: a ledger Query and a notification's transaction): 1,000
reminders took two minutes and 58 s of moto CPU, 10,000 ran at 2 a second, moto's CPU
bound. Everything else is moto as it is.

    python -m bench.moto_server -H 127.0.0.1 -p 5000      (the arguments of moto.server)
"""

from __future__ import annotations

import copy
import threading
import types
from typing import Any

_query = threading.local()  # the table and partition a table Query on this thread reads


def _item_key(table: Any, op: dict[str, Any]) -> dict[str, Any]:
    if "Key" in op:
        return op["Key"]
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def patch_query() -> None:
    """A Query of a table's primary key reads its partition, not the whole table."""
    from moto.dynamodb.models.table import Table

    all_items = Table.all_items
    query = Table.query

    def partition_items(self: Any) -> list[Any]:
        if getattr(_query, "table", None) is not self:
            return all_items(self)
        found = self.items.get(_query.hash_key)
        if found is None:
            return []
        if not self.range_key_attr:
            return [found]
        return sorted(found.values(), key=lambda item: item.range_key)

    def partition_query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        if index_name or hash_key is None:
            return query(self, hash_key, *args, **kwargs)
        _query.table, _query.hash_key = self, hash_key
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            _query.table = _query.hash_key = None

    Table.all_items = partition_items
    Table.query = partition_query


_index = threading.local()  # the index partition an index Query on this thread reads
_writes = [0]  # writes to any table so far: a cached index partition is as old as this
_partitions: dict[tuple[Any, ...], tuple[int, list[Any], list[Any] | None]] = {}


def _bump(method: Any) -> Any:
    def write(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        finally:
            _writes[0] += 1

    return write


def _unsorted(table: Any) -> list[Any]:
    """Every item of `table`, in no order (moto's `all_items` sorts them all first)."""
    if not table.range_key_attr:
        return list(table.items.values())
    return [item for items in table.items.values() for item in items.values()]


def _in_partition(item: Any, conditions: list[tuple[str, Any]]) -> bool:
    for name, value in conditions:
        found = item.attrs.get(name)
        if found is None or found != value:
            return False
    return True


def patch_index_query() -> None:
    """An index Query's pages read the index partition's items, kept sorted between writes,
    not the whole table sorted anew."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    for owner, names in (
        (DynamoDBBackend, ("put_item", "update_item", "delete_item", "transact_write_items")),
        (Table, ("put_item", "delete_item")),
    ):
        for name in names:
            setattr(owner, name, _bump(getattr(owner, name)))
    all_items = Table.all_items
    sorted_items = Table.sorted_items
    query = Table.query

    def index_items(self: Any) -> list[Any]:
        key = getattr(_index, "key", None)
        if key is None or key[0] != id(self):
            return all_items(self)
        cached = _partitions.get(key)
        if cached is None or cached[0] != _writes[0]:
            version, conditions = _writes[0], _index.conditions
            items = [item for item in _unsorted(self) if _in_partition(item, conditions)]
            cached = (version, items, None)
            _partitions[key] = cached
        return list(cached[1])

    def index_sorted(self: Any, hash_attrs: Any, range_attrs: Any, items: list[Any]) -> list[Any]:
        key = getattr(_index, "key", None)
        cached = _partitions.get(key) if key is not None and key[0] == id(self) else None
        if cached is None or cached[0] != _writes[0]:
            return sorted_items(self, hash_attrs, range_attrs, items)
        if cached[2] is None:
            cached = (cached[0], cached[1], sorted_items(self, hash_attrs, range_attrs, items))
            _partitions[key] = cached
        return list(cached[2])

    def index_query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        conditions = kwargs.get("hash_key_conditions") or (args[10] if len(args) > 10 else None)
        range_conditions = kwargs.get("range_key_conditions") or (
            args[11] if len(args) > 11 else None
        )
        if not index_name or not conditions:
            return query(self, hash_key, *args, **kwargs)
        # Items are kept per partition and range-equality conditions; a range comparison is
        # moto's own filter over them.
        equalities = [(n, v) for n, _c, values in (range_conditions or [])[:-1] for v in values[:1]]
        _index.conditions = [*conditions, *equalities]
        _index.key = (
            id(self),
            index_name,
            tuple((name, repr(value)) for name, value in _index.conditions),
        )
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            _index.key = None

    Table.all_items = index_items
    Table.sorted_items = index_sorted
    Table.query = index_query


def patch_transactions() -> None:
    """Replace moto's whole-table backup in TransactWriteItems by a per-item one."""
    import moto.dynamodb.models as models
    from moto.dynamodb.models import DynamoDBBackend, Table

    # The module's deepcopy of a table returns the table itself (no backup, no rollback by
    # moto); the wrapper below restores the named items instead. Other copies are unchanged.
    models.copy = types.SimpleNamespace(  # type: ignore[assignment]
        deepcopy=lambda value, memo=None: (
            value if isinstance(value, Table) else copy.deepcopy(value, memo)
        ),
        copy=copy.copy,
    )
    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = []
        for entry in transact_items:
            _, op = next(iter(entry.items()))
            name = op.get("TableName")
            if name not in self.tables:
                continue
            try:
                key = _item_key(self.tables[name], op)
                before = self.get_item(name, key)
            except Exception:  # noqa: S112 (a malformed item: moto itself reports it)
                continue
            saved.append((name, key, copy.deepcopy(before)))
        try:
            original(self, transact_items)
        except Exception:
            for name, key, before in reversed(saved):
                if before is None:
                    self.delete_item(name, key)
                else:
                    self.put_item(name, before.to_json()["Attributes"])
            raise

    DynamoDBBackend.transact_write_items = transact_write_items


if __name__ == "__main__":
    patch_query()
    patch_index_query()
    patch_transactions()
    from moto.server import main

    main()
