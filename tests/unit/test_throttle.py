"""Throttle decisions (pure)."""

from chalicelib.domain.throttle import Counter, LoginLimits, login_retry_after, window_start

LIMITS = LoginLimits(window=900, per_login_source=5, per_source=30, per_login=10, slowdown=30)
NOW = 1_800_000_123


def test_no_failures_no_wait():
    assert login_retry_after({}, NOW, LIMITS) == 0


def test_login_source_blocks_until_window_end():
    wait = login_retry_after({"login_source": Counter(5, NOW)}, NOW, LIMITS)
    assert wait == window_start(NOW, 900) + 900 - NOW
    assert 0 < wait <= 900


def test_below_threshold_passes():
    counters = {
        "login_source": Counter(4, NOW),
        "source": Counter(29, NOW),
        "login": Counter(9, NOW),
    }
    assert login_retry_after(counters, NOW, LIMITS) == 0


def test_per_login_only_slows_down():
    assert login_retry_after({"login": Counter(50, NOW - 10)}, NOW, LIMITS) == 20
    assert login_retry_after({"login": Counter(50, NOW - 31)}, NOW, LIMITS) == 0
