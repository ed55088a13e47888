"""Login and registration throttling: which counters apply and when they block.

Scopes of login failures, each a fixed window:
- login+source: the attacker's own pair; blocked for the rest of the window;
- source: one address trying many logins; blocked for the rest of the window;
- login (any source, unknown devices): many sources on one login; only *slowed down* -
  an attempt must wait `slowdown` seconds after the last failure - so a distributed
  guesser gets a couple of tries a minute at most;
- device: an attempt with a valid device token of that login (`domain/devices.py`) is
  counted only per device - not per login, source or login+source - so neither a
  distributed guesser nor one behind the customer's own address (a shared NAT) can keep
  the customer out of their own browser; a device is blocked for the rest of the window
  after as many failures as a login+source pair, from whatever addresses it is tried.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Counter:
    """A failure counter as stored: failures in the window and the last failure time."""

    count: int = 0
    last_at: int = 0


@dataclass(frozen=True)
class LoginLimits:
    """Thresholds from the settings."""

    window: int
    per_login_source: int
    per_source: int
    per_login: int
    slowdown: int


def window_start(now: int, window: int) -> int:
    """Start of the fixed window holding `now` (epoch seconds)."""
    return now - now % window


def login_scopes(login: str, source: str, device: str | None = None) -> dict[str, str]:
    """Counter keys by scope name; a known `device` (its nonce) is counted on its own."""
    if device:
        return {"device": f"device#{login}#{device}"}
    return {
        "login_source": f"login-source#{login}#{source}",
        "source": f"source#{source}",
        "login": f"login#{login}",
    }


def login_caps(limits: LoginLimits) -> dict[str, int]:
    """The count at which each scope stops admitting attempts."""
    return {
        "login_source": limits.per_login_source,
        "source": limits.per_source,
        "login": limits.per_login,
        "device": limits.per_login_source,
    }


def login_retry_after(counters: dict[str, Counter], now: int, limits: LoginLimits) -> int:
    """Seconds to wait before this login attempt may be tried; 0 when it may go ahead."""
    window_end = window_start(now, limits.window) + limits.window
    waits = [0]
    if counters.get("login_source", Counter()).count >= limits.per_login_source:
        waits.append(window_end - now)
    if counters.get("source", Counter()).count >= limits.per_source:
        waits.append(window_end - now)
    if counters.get("device", Counter()).count >= limits.per_login_source:
        waits.append(window_end - now)
    per_login = counters.get("login", Counter())
    if per_login.count >= limits.per_login:
        waits.append(per_login.last_at + limits.slowdown - now)
    return max(waits)
