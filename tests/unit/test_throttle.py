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


def test_a_known_device_replaces_the_login_scope():
    from chalicelib.domain.throttle import login_scopes

    unknown = login_scopes("100001", "192.0.2.1")
    known = login_scopes("100001", "192.0.2.1", "nonce")
    assert unknown["login"] == "login#100001" and "device" not in unknown
    assert known == {"device": "device#100001#nonce"}  # nor the source: a NAT is shared


def test_a_device_blocks_until_window_end_after_its_own_failures():
    assert login_retry_after({"device": Counter(4, NOW)}, NOW, LIMITS) == 0
    wait = login_retry_after({"device": Counter(5, NOW)}, NOW, LIMITS)
    assert wait == window_start(NOW, 900) + 900 - NOW
