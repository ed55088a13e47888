"""Password policy (NIST SP 800-63B) and hashing: bcrypt over a peppered HMAC-SHA256."""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import unicodedata
from functools import lru_cache
from importlib import resources

import bcrypt

MAX_LENGTH = 256  # far above the 64 characters that must be accepted
PADDING_INPUT = b"ibok-padding-input-as-long-as-a-prehash-44b="  # 44 bytes, like a prehash


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The common-password list (about 20,000 entries), loaded once when first needed."""
    data = resources.files("chalicelib.data").joinpath("common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split())


def normalize(password: str) -> str:
    """NFKC-normalise so that the same password typed on two devices matches."""
    return unicodedata.normalize("NFKC", password)


def policy_violation(
    password: str, *, min_length: int, login: str, email: str | None
) -> str | None:
    """Return the Polish reason a new password is refused, or None if it is acceptable."""
    normalized = normalize(password)
    if len(normalized) < min_length:
        return f"Hasło musi mieć co najmniej {min_length} znaków."
    if len(normalized) > MAX_LENGTH:
        return f"Hasło może mieć najwyżej {MAX_LENGTH} znaków."
    folded = normalized.casefold()
    if folded in common_passwords():
        return "To hasło jest zbyt popularne i łatwe do odgadnięcia. Wybierz inne."
    if folded == login.casefold() or (email and folded == email.casefold()):
        return "Hasło nie może być takie samo jak login ani adres e-mail."
    return None


def policy_rules(min_length: int) -> list[str]:
    """The rules `policy_violation` applies, as Polish sentences to show before a customer
    types a new password (the registration and new-password pages)."""
    return [
        f"Hasło musi mieć co najmniej {min_length} znaków (najwyżej {MAX_LENGTH}).",
        "Może to być kilka słów: spacje, polskie litery i znaki specjalne są dozwolone, "
        "ale nie są wymagane.",
        "Nie może być hasłem powszechnie używanym ani łatwym do odgadnięcia (np. „123456qwerty”).",
        "Nie może być takie samo jak numer klienta ani adres e-mail.",
    ]


def _prehash(password: str, pepper: bytes) -> bytes:
    """HMAC-SHA256 with the pepper, base64: 44 bytes, under bcrypt's 72-byte limit."""
    digest = hmac.new(pepper, normalize(password).encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest)


def hash_password(password: str, pepper: bytes, cost: int) -> str:
    """Hash a password for storage."""
    return bcrypt.hashpw(_prehash(password, pepper), bcrypt.gensalt(rounds=cost)).decode("ascii")


def verify_password(password: str, stored: str, pepper: bytes) -> bool:
    """Check a password against its stored hash (bcrypt compares in constant time)."""
    return bcrypt.checkpw(_prehash(password, pepper), stored.encode("ascii"))


def hash_cost(stored: str) -> int:
    """The bcrypt cost a stored hash was made with ("$2b$12$..." is 12)."""
    return int(stored.split("$")[2])


def needs_rehash(stored: str, cost: int) -> bool:
    """True when the stored hash was made with a lower cost than configured."""
    return hash_cost(stored) < cost


@lru_cache(maxsize=32)
def dummy_hash(cost: int) -> str:
    """A well-formed hash of `cost` that no password matches, for unknown logins and padding:
    checking against it costs what checking a stored hash of that cost does. It is a random
    salt with a filler digest, not a real hash, so making it costs nothing and a container's
    first failed login is no slower than the others."""
    return (bcrypt.gensalt(rounds=cost) + b"." * 31).decode("ascii")


def pad_to_cost(stored: str, cost: int) -> None:
    """After a failed check of `stored`, add the bcrypt work that makes the failure cost one
    check at `cost`: a hash made before the cost was raised checks faster, which would tell
    a guesser that the login exists. Work doubles with each cost step, so one dummy check at
    every cost from the stored one up to `cost` - 1 makes up the difference exactly
    (2^c + 2^c + 2^(c+1) + ... + 2^(cost-1) = 2^cost)."""
    for rounds in range(hash_cost(stored), cost):
        bcrypt.checkpw(PADDING_INPUT, dummy_hash(rounds).encode("ascii"))
