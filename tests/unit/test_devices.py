"""Device tokens (pure): bound to one login, signed, limited in time."""

from __future__ import annotations

import base64
import hashlib
import hmac

from hypothesis import example, given
from hypothesis import strategies as st

from chalicelib.domain import devices

KEY = devices.device_key(b"test-pepper")
DAY = 20_500


def test_key_is_derived_from_the_pepper():
    expected = hmac.new(b"test-pepper", b"ibok-device-token-v1", hashlib.sha256).digest()
    assert expected == KEY
    assert devices.device_key(b"other-pepper") != KEY


def test_token_is_nonce_day_and_an_independently_computed_signature():
    token = devices.issue(KEY, "100001", DAY)
    nonce, day, signature = token.split(".")
    mac = hmac.new(KEY, f"100001|{nonce}|{DAY}".encode(), hashlib.sha256).digest()
    assert day == str(DAY)
    assert signature == base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    assert len(base64.urlsafe_b64decode(nonce + "==")) == 16
    assert devices.verify(KEY, token, "100001", DAY, 180) == devices.DeviceToken(nonce, DAY)


def test_tokens_are_unique():
    assert len({devices.issue(KEY, "100001", DAY) for _ in range(100)}) == 100


def test_valid_only_for_its_login_key_and_term():
    token = devices.issue(KEY, "100001", DAY)
    assert devices.verify(KEY, token, "100001", DAY + 180, 180) is not None
    assert devices.verify(KEY, token, "100001", DAY + 181, 180) is None
    assert devices.verify(KEY, token, "100001", DAY - 1, 180) is None  # issued "tomorrow"
    assert devices.verify(KEY, token, "100002", DAY, 180) is None
    assert devices.verify(devices.device_key(b"x"), token, "100001", DAY, 180) is None


@given(st.text(max_size=300))
def test_arbitrary_strings_are_refused(text):
    assert devices.verify(KEY, text, "100001", DAY, 180) is None


@given(st.integers(0, 2), st.characters(codec="utf-8"))
@example(1, "²")  # a digit to str.isdigit, not to int()
def test_any_change_to_a_token_is_refused(part, character):
    parts = devices.issue(KEY, "100001", DAY).split(".")
    parts[part] += character
    assert devices.verify(KEY, ".".join(parts), "100001", DAY, 180) is None
