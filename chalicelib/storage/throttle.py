"""Fixed-window failure counters in the accounts table (removed by TTL)."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from chalicelib.domain.throttle import Counter, window_start
from chalicelib.models.accounts import ThrottleCounter


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


def read_one(scope_key: str, now: int, window: int) -> Counter:
    """Read one counter of the current window."""
    try:
        item = ThrottleCounter.get(*_key(scope_key, now, window))
    except DoesNotExist:
        return Counter()
    return Counter(int(item.count), int(item.last_at))


def add(scope_keys: list[str], now: int, window: int) -> None:
    """Count one failure in each scope (atomic ADD; the item expires after the window)."""
    for scope_key in scope_keys:
        counter = ThrottleCounter(*_key(scope_key, now, window))
        counter.update(
            actions=[
                ThrottleCounter.count.add(1),
                ThrottleCounter.last_at.set(now),
                ThrottleCounter.expires_at.set(window_start(now, window) + 2 * window),
            ]
        )


def clear(scope_keys: list[str], now: int, window: int) -> None:
    """Forget the current window's failures of these scopes (after a successful login)."""
    with ThrottleCounter.batch_write() as batch:
        for scope_key in scope_keys:
            batch.delete(ThrottleCounter(*_key(scope_key, now, window)))
