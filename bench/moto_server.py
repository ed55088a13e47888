"""moto's server with one of moto's own costs taken out, for benchmarks whose work uses
DynamoDB transactions on large tables.

moto 5 backs up every table a TransactWriteItems names with `copy.deepcopy` of the whole
table (for its rollback), once per item of the transaction: a transaction's cost grows with
the table, so N notifications (each one transaction into the accounts table) cost O(N²) on
moto, where DynamoDB's cost per transaction is constant. Measured: 1,000 reminders took
more than ten minutes of moto CPU, with 5 s client timeouts. Here the backup keeps only the
items the transaction names (a deep copy of each, or their absence), which is all a
rollback has to restore; everything else is moto as it is.

    python -m bench.moto_server -H 127.0.0.1 -p 5000      (the arguments of moto.server)
"""

from __future__ import annotations

import copy
import types
from typing import Any


def _item_key(table: Any, op: dict[str, Any]) -> dict[str, Any]:
    if "Key" in op:
        return op["Key"]
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def patch() -> None:
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
    patch()
    from moto.server import main

    main()
