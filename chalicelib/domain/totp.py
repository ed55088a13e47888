"""The staff's second factor: TOTP (RFC 6238, 30-second steps, 6 digits) through pyotp.

A code is accepted in the step it names or one step either side (clock drift), and only in
a step later than the last one used (storage claims the step with a conditional write), so
a code seen over a shoulder cannot be replayed. The secret is kept sealed: XORed with a
keystream derived from the password pepper (HMAC-SHA256 as the PRF, a random nonce per
secret, the login bound in), so a copy of the table (a backup, an export) holds no usable
secret without the pepper in SSM."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp

CODE = re.compile(r"^[0-9]{6}$")
DRIFT_STEPS = 1  # one step (30 s) either side
SEAL_VERSION = "v1"
NONCE_BYTES = 16


def new_secret() -> str:
    """A new random base32 secret (160 bits)."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, login: str, issuer: str) -> str:
    """The `otpauth://` URI an authenticator app reads (shown once, at creation)."""
    return pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=issuer)


def code_at(secret: str, moment: datetime) -> str:
    """The code of `moment`'s step (what an authenticator app shows then)."""
    return pyotp.TOTP(secret).at(moment)


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code `code` is (within the drift), or None. Every candidate is
    compared in constant time."""
    if not CODE.match(code or ""):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def _keystream(pepper: bytes, login: str, nonce: bytes, length: int) -> bytes:
    key = hmac.new(pepper, b"ibok-totp-seal", hashlib.sha256).digest()
    stream = b""
    counter = 0
    while len(stream) < length:
        block = nonce + counter.to_bytes(4, "big") + login.encode("utf-8")
        stream += hmac.new(key, block, hashlib.sha256).digest()
        counter += 1
    return stream[:length]


def seal(secret: str, pepper: bytes, login: str) -> str:
    """`secret` sealed for storage on `login`'s account."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    plain = secret.encode("ascii")
    cipher = bytes(
        a ^ b for a, b in zip(plain, _keystream(pepper, login, nonce, len(plain)), strict=True)
    )
    body = base64.urlsafe_b64encode(nonce + cipher).decode("ascii")
    return f"{SEAL_VERSION}:{body}"


def unseal(sealed: str, pepper: bytes, login: str) -> str:
    """The secret `seal` sealed; ValueError if it is not a sealed secret."""
    version, _, body = sealed.partition(":")
    if version != SEAL_VERSION:
        raise ValueError("unknown seal")
    raw = base64.urlsafe_b64decode(body.encode("ascii"))
    nonce, cipher = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    stream = _keystream(pepper, login, nonce, len(cipher))
    return bytes(a ^ b for a, b in zip(cipher, stream, strict=True)).decode("ascii")
