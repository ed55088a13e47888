"""Fixed-window attempt counters in the accounts table (removed by TTL): every limited
action is counted by `reserve`, one conditional transaction, never read first and added
after (concurrent attempts would all pass on the same old count)."""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.throttle import Counter, window_start
from chalicelib.logs import logger
from chalicelib.models.accounts import ThrottleCounter
from chalicelib.storage.accounts import connection
from chalicelib.storage.errors import is_condition_failure


def _key(scope_key: str, now: int, window: int) -> tuple[str, str]:
    return f"THROTTLE#{scope_key}", str(window_start(now, window))


def read(scope_keys: dict[str, str], now: int, window: int) -> dict[str, Counter]:
    """Read the counters of the current window for each scope, in one BatchGetItem."""
    keys = {name: _key(key, now, window) for name, key in scope_keys.items()}
    found = {(c.pk, c.sk): c for c in ThrottleCounter.batch_get(list(keys.values()))}
    result = {}
    for name, key in keys.items():
        item = found.get(key)
        result[name] = Counter(int(item.count), int(item.last_at)) if item else Counter()
    return result


def reserve(
    scope_keys: dict[str, str],
    caps: dict[str, int],
    now: int,
    window: int,
    slowdown: dict[str, int] | None = None,
) -> bool:
    """Count one attempt in every scope at once, unless a scope is at its cap; True if
    counted. One transaction: concurrent attempts cannot all read the same old count and
    slip past the cap together. A scope named in `slowdown` at its cap still admits an
    attempt once that many seconds have passed since its last one."""
    slowdown = slowdown or {}
    expires = datetime.fromtimestamp(window_start(now, window) + 2 * window, UTC)
    try:
        with TransactWrite(connection=connection()) as tx:
            for name, scope_key in scope_keys.items():
                condition = ThrottleCounter.count.does_not_exist() | (
                    ThrottleCounter.count < caps[name]
                )
                if name in slowdown:
                    condition |= ThrottleCounter.last_at <= now - slowdown[name]
                tx.update(
                    ThrottleCounter(*_key(scope_key, now, window)),
                    actions=[
                        ThrottleCounter.count.add(1),
                        ThrottleCounter.last_at.set(now),
                        ThrottleCounter.expires_at.set(expires),
                    ],
                    condition=condition,
                )
    except TransactWriteError as exc:
        if is_condition_failure(exc):  # at a cap, or a concurrent attempt got there first
            return False
        raise
    return True


def reserve_daily(scope_key: str, day: str, cap: int, now: int, expires: datetime) -> bool:
    """Count one action of `day` (a calendar day, e.g. in Europe/Warsaw) in its own
    counter, unless it is at `cap`; True if counted. One conditional update, no read
    first; the counter is removed by TTL after `expires`."""
    counter = ThrottleCounter(f"THROTTLE#{scope_key}", day)
    try:
        counter.update(
            actions=[
                ThrottleCounter.count.add(1),
                ThrottleCounter.last_at.set(now),
                ThrottleCounter.expires_at.set(expires),
            ],
            condition=ThrottleCounter.count.does_not_exist() | (ThrottleCounter.count < cap),
        )
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def release(cleared: list[str], returned: list[str], now: int, window: int) -> bool:
    """After a successful attempt: forget the `cleared` scopes' failures and take the
    attempt back from the `returned` scopes' counts, in one transaction. False if a
    concurrent attempt on the same counters got in the way, or DynamoDB cancelled or did
    not answer the transaction (the counters then stay a little high, which errs on the
    safe side, until the window ends): the attempt it follows has succeeded already, and
    its answer must not become an error."""
    expires = datetime.fromtimestamp(window_start(now, window) + 2 * window, UTC)
    try:
        with TransactWrite(connection=connection()) as tx:
            for scope_key in cleared:
                tx.delete(ThrottleCounter(*_key(scope_key, now, window)))
            for scope_key in returned:
                tx.update(
                    ThrottleCounter(*_key(scope_key, now, window)),
                    actions=[
                        ThrottleCounter.count.add(-1),
                        ThrottleCounter.expires_at.set(expires),
                    ],
                )
    except TransactWriteError as exc:
        if not is_condition_failure(exc):
            logger.warning("throttle counters not released", extra={"error": str(exc)[:200]})
        return False
    return True
