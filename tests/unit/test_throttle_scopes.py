"""Which counters a login attempt is counted in, their caps and how long a throttled
attempt waits (chalicelib/domain/throttle.py). Plain Python, no AWS."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.throttle import (
    Counter,
    LoginLimits,
    login_caps,
    login_retry_after,
    login_scopes,
    window_start,
)

FAST = settings(max_examples=30, deadline=None)
NOW = 1_800_000_123
SCOPE_NAMES = ("login_source", "source", "login", "device")

limits = st.builds(
    LoginLimits,
    window=st.integers(1, 7200),
    per_login_source=st.integers(1, 50),
    per_source=st.integers(1, 200),
    per_login=st.integers(1, 100),
    slowdown=st.integers(0, 600),
)
# Logins of any letters but "#"; addresses and device nonces never hold "#": they come from
# API Gateway and from us.
logins = st.text("019azAZżŁ-_.@ ", min_size=1, max_size=8)
sources = st.text("0123456789abcdef.:", min_size=2, max_size=12)
nonces = st.text("0123456789abcdef", min_size=8, max_size=12)


def counters_for(limits_: LoginLimits):
    """Counters of some scopes: failures in the window (often right at or below one of the
    thresholds, where a wrong comparison shows), the last one within the window."""
    thresholds = (limits_.per_login_source, limits_.per_source, limits_.per_login)
    edges = sorted({n + d for n in thresholds for d in (-1, 0, 1) if n + d >= 0})
    count = st.one_of(st.sampled_from(edges), st.integers(0, 3 * limits_.per_source))
    counter = st.builds(Counter, count, st.integers(0, limits_.window)).map(
        lambda c: Counter(c.count, NOW - c.last_at)
    )
    return st.dictionaries(st.sampled_from(SCOPE_NAMES), counter)


def admitted(counters: dict[str, Counter], limits_: LoginLimits) -> bool:
    """The condition storage/throttle.py `reserve` writes for each scope, in Python: below
    its cap, or (the login scope only) its last failure a slowdown ago."""
    caps = login_caps(limits_)
    for name, counter in counters.items():
        below = counter.count < caps[name]
        slowed = name == "login" and counter.last_at <= NOW - limits_.slowdown
        if not (below or slowed):
            return False
    return True


@FAST
@given(limits, st.data())
def test_the_wait_is_zero_exactly_when_every_scope_admits_the_attempt(limits_, data):
    # The cap that refuses an attempt (login_caps, used by reserve) and the wait that is
    # told (login_retry_after) are the same rule: breaks if one of them changed alone, e.g.
    # a device capped at per_login in one and per_login_source in the other.
    counters = data.draw(counters_for(limits_))
    wait = login_retry_after(counters, NOW, limits_)
    assert (wait == 0) == admitted(counters, limits_)


@pytest.mark.parametrize("scope", SCOPE_NAMES)
@pytest.mark.parametrize("offset", [-1, 0, 1])  # the count relative to the scope's cap
@settings(max_examples=15, deadline=None)
@given(limits, st.integers(0, 7200))
def test_each_scope_alone_blocks_or_slows_at_its_cap(scope, offset, limits_, ago):
    # Pair, source and device block for the rest of the window once at their cap; the login
    # only slows down: a wait of `slowdown` after its last failure. Breaks if a cap compared
    # with > (one failure too many let through) or the login blocked for the window.
    cap = login_caps(limits_)[scope]
    count = cap + offset
    last_at = NOW - min(ago, limits_.window)
    wait = login_retry_after({scope: Counter(count, last_at)}, NOW, limits_)
    if count < cap:
        assert wait == 0
    elif scope == "login":
        assert wait == max(0, last_at + limits_.slowdown - NOW)
    else:
        assert wait == window_start(NOW, limits_.window) + limits_.window - NOW


@FAST
@given(limits, st.data(), st.sampled_from(SCOPE_NAMES), st.integers(1, 100))
def test_more_failures_never_shorten_the_wait(limits_, data, scope, more):
    # Monotone in every count: breaks if a threshold compared with == instead of >=
    # (one failure past the cap would let the attempt through).
    counters = data.draw(counters_for(limits_))
    before = login_retry_after(counters, NOW, limits_)
    counter = counters.get(scope, Counter(0, NOW))
    after = dict(counters, **{scope: Counter(counter.count + more, counter.last_at)})
    assert login_retry_after(after, NOW, limits_) >= before


@FAST
@given(limits, st.data())
def test_a_block_ends_with_its_window_and_a_slowdown_with_its_delay(limits_, data):
    # Nobody is kept out longer than the rest of the window (or the slowdown), so no one can
    # lock another user out for long.
    counters = data.draw(counters_for(limits_))
    wait = login_retry_after(counters, NOW, limits_)
    window_end = window_start(NOW, limits_.window) + limits_.window
    assert 0 <= wait <= max(window_end - NOW, limits_.slowdown)


@FAST
@given(st.integers(0, 2**40), st.integers(1, 86_400))
def test_the_window_holds_now(now, window):
    start = window_start(now, window)
    assert start <= now < start + window and start % window == 0


@FAST
@given(logins, sources, st.one_of(st.none(), nonces), limits)
def test_every_scope_has_a_cap_and_a_device_is_counted_alone(login, source, nonce, limits_):
    # reserve looks up caps[name] for every scope: breaks (KeyError, a 500) if a scope had
    # no cap. A known device is counted only on its own: neither the shared address nor the
    # login, so others' failures cannot keep the customer out of their own browser.
    scopes = login_scopes(login, source, nonce)
    assert set(scopes) <= set(login_caps(limits_))
    if nonce:
        assert set(scopes) == {"device"}
    else:
        assert set(scopes) == {"login_source", "source", "login"}
    assert len(set(scopes.values())) == len(scopes)


@FAST
@given(st.tuples(logins, sources, nonces), st.tuples(logins, sources, nonces))
def test_different_attempts_never_share_a_counter_they_should_not(one, other):
    # Counter keys name what they count: two logins share only the source counter of a
    # shared address, and two devices never share one.
    (login_a, source_a, nonce_a), (login_b, source_b, nonce_b) = one, other
    a, b = login_scopes(login_a, source_a), login_scopes(login_b, source_b)
    assert (a["login"] == b["login"]) == (login_a == login_b)
    assert (a["source"] == b["source"]) == (source_a == source_b)
    assert (a["login_source"] == b["login_source"]) == ((login_a, source_a) == (login_b, source_b))
    device_a = login_scopes(login_a, source_a, nonce_a)["device"]
    device_b = login_scopes(login_b, source_b, nonce_b)["device"]
    assert (device_a == device_b) == ((login_a, nonce_a) == (login_b, nonce_b))
    # Nor does a key of one scope ever equal a key of another.
    named_a = {**a, "device": device_a}
    named_b = {**b, "device": device_b}
    for name_a, key_a in named_a.items():
        for name_b, key_b in named_b.items():
            assert name_a == name_b or key_a != key_b
