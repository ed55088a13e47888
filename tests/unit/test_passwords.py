"""Password hashing and policy (pure)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import passwords

PEPPER = b"pepper-for-tests"


def test_common_list_is_large():
    assert len(passwords.common_passwords()) >= 10_000


@given(st.text(min_size=1, max_size=300))
@settings(max_examples=200)
def test_prehash_fits_bcrypt_limit(password):
    assert len(passwords._prehash(password, PEPPER)) == 44


def test_hash_verify_and_pepper_matter():
    stored = passwords.hash_password("Bardzo-Dlugie-Haslo", PEPPER, 4)
    assert passwords.verify_password("Bardzo-Dlugie-Haslo", stored, PEPPER)
    assert not passwords.verify_password("Bardzo-Dlugie-Haslo", stored, b"other-pepper")
    assert not passwords.verify_password("Bardzo-Dlugie-Hasl0", stored, PEPPER)


def test_long_passwords_differing_after_72_bytes_differ():
    base = "x" * 80
    stored = passwords.hash_password(base + "A", PEPPER, 4)
    assert not passwords.verify_password(base + "B", stored, PEPPER)


def test_nfkc_normalisation():
    stored = passwords.hash_password("ﬁlharmonia-wodna", PEPPER, 4)  # "fi" ligature
    assert passwords.verify_password("filharmonia-wodna", stored, PEPPER)


def test_needs_rehash():
    stored = passwords.hash_password("abc-def-ghi-jkl", PEPPER, 4)
    assert passwords.needs_rehash(stored, 5)
    assert not passwords.needs_rehash(stored, 4)


def test_policy_reasons():
    rule = {"min_length": 12, "login": "100200", "email": "a@b.pl"}
    assert passwords.policy_violation("short", **rule)
    assert passwords.policy_violation("1234567890ab", **{**rule, "login": "1234567890AB"})
    assert passwords.policy_violation("Ciekawe-Haslo-Wodne", **rule) is None
    assert passwords.policy_violation("x" * 257, **rule)


def test_padding_makes_a_cheaper_hash_fail_at_the_configured_cost(monkeypatch):
    stored = passwords.hash_password("Bardzo-Dlugie-Haslo", PEPPER, 4)
    work: list[int] = []
    real_check = passwords.bcrypt.checkpw

    def check(password: bytes, hashed: bytes) -> bool:
        work.append(2 ** passwords.hash_cost(hashed.decode()))
        return real_check(password, hashed)

    monkeypatch.setattr(passwords.bcrypt, "checkpw", check)
    assert not passwords.verify_password("zle", stored, PEPPER)
    passwords.pad_to_cost(stored, 8)
    assert sum(work) == 2**8  # 16 for the check, 16 + 32 + 64 + 128 of padding
    work.clear()
    passwords.pad_to_cost(stored, 4)  # already at the configured cost
    assert work == []


def test_dummy_hashes_match_no_password():
    for cost in (4, 5):
        dummy = passwords.dummy_hash(cost)
        assert passwords.hash_cost(dummy) == cost
        assert not passwords.verify_password("", dummy, PEPPER)
        assert not passwords.verify_password("ibok-dummy-password-for-timing", dummy, PEPPER)
