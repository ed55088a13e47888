"""The staff's TOTP codes and the sealing of their secret (domain/totp.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import totp

PEPPER = b"p" * 32
NOW = datetime(2026, 3, 10, 9, 30, 5, tzinfo=UTC)


def test_a_code_matches_its_step_and_one_either_side_only():
    secret = totp.new_secret()
    step = int(NOW.timestamp()) // 30
    for offset in (-1, 0, 1):
        code = totp.code_at(secret, NOW + timedelta(seconds=30 * offset))
        assert totp.matching_step(secret, code, NOW) == step + offset
    stale = totp.code_at(secret, NOW - timedelta(seconds=90))
    assert totp.matching_step(secret, stale, NOW) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", " 123456", None])
def test_anything_but_six_digits_is_no_code(code):
    assert totp.matching_step(totp.new_secret(), code, NOW) is None


def test_a_sealed_secret_opens_only_with_the_pepper_and_login_it_was_sealed_for():
    secret = totp.new_secret()
    sealed = totp.seal(secret, PEPPER, "anna-nowak")
    assert secret not in sealed and sealed.startswith("v1:")
    assert totp.unseal(sealed, PEPPER, "anna-nowak") == secret
    assert totp.seal(secret, PEPPER, "anna-nowak") != sealed  # a new nonce each time
    for pepper, login in ((b"q" * 32, "anna-nowak"), (PEPPER, "ewa-admin")):
        try:
            opened = totp.unseal(sealed, pepper, login)
        except UnicodeDecodeError:
            continue
        assert opened != secret
    with pytest.raises(ValueError, match="unknown seal"):
        totp.unseal("v0:abc", PEPPER, "anna-nowak")


def test_the_provisioning_uri_names_the_issuer_and_login():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "anna-nowak", "IBOK")
    assert (
        uri == "otpauth://totp/IBOK:anna-nowak?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=IBOK"
    )
