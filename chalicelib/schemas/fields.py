"""Reusable validated field types (Polish error messages)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StringConstraints

from chalicelib.money import parse_grosze
from chalicelib.volume import parse_litres

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_CUSTOMER_NUMBER = re.compile(r"[A-Za-z0-9/\-]{1,20}")


def _email(value: str) -> str:
    value = value.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("Nieprawidłowy adres e-mail.")
    from email_validator import EmailNotValidError, validate_email  # heavy: loaded on first use

    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError("Nieprawidłowy adres e-mail.") from exc


_BAD_PHONE = "Nieprawidłowy numer telefonu. Podaj np. 601 234 567 lub +48601234567."


def _phone(value: str) -> str:
    import phonenumbers  # heavy (metadata): loaded on first use, not at cold start

    if any(char.isdigit() and not char.isascii() for char in value):
        raise ValueError(_BAD_PHONE)  # phonenumbers would read other scripts' digits
    try:
        parsed = phonenumbers.parse(value, "PL")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(_BAD_PHONE) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(_BAD_PHONE)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _customer_number(value: str) -> str:
    value = value.strip()
    if not _CUSTOMER_NUMBER.fullmatch(value):
        raise ValueError("Nieprawidłowy numer klienta.")
    return value


def _imported_customer_number(value: str) -> str:
    if not _CUSTOMER_NUMBER.fullmatch(value):
        raise ValueError(
            "Numer klienta może mieć do 20 znaków: litery A-Z, cyfry oraz znaki „/” i „-”."
        )
    return value


def _money(value: object) -> int:
    if not isinstance(value, str):
        raise ValueError('Podaj kwotę jako tekst, np. "123,45".')
    return parse_grosze(value)


def _volume(value: object) -> int:
    if not isinstance(value, str):
        raise ValueError('Podaj stan licznika jako tekst, np. "123,456".')
    return parse_litres(value)


Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
Phone = Annotated[str, StringConstraints(max_length=32), AfterValidator(_phone)]
CustomerNumber = Annotated[str, StringConstraints(max_length=32), AfterValidator(_customer_number)]
# From the billing system: taken as it is (no spaces trimmed), being part of every key.
ImportedCustomerNumber = Annotated[str, AfterValidator(_imported_customer_number)]
Grosze = Annotated[int, BeforeValidator(_money)]
Litres = Annotated[int, BeforeValidator(_volume)]

# Ids from the billing system become parts of item keys (`CONTRACT#<number>#A#<annex>`), so
# each is checked once, on import: `#` would let one id reach into another's key, `|` cannot
# be signed for the payment gateway, control characters and edge spaces are never meant.
# What real ids need (FV/2026/11/000123, KOR/2026/10/7, WB/2026/10/5521, U/2019/0042):
# ASCII letters and digits, then also space / - _ . inside; up to BILLING_ID_MAX characters.
BILLING_ID_MAX = 40
BILLING_ID_PATTERN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 ./_\-]*[A-Za-z0-9./_\-])?")
# Ids that travel as a URL path segment as they are (meter serials, document ids): no slash
# and no space.
KEY_MAX = 64
KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,63}")
# Order ids of online payments: ours are 24 letters and digits; a gateway's up to 32.
ORDER_ID_PATTERN = re.compile(r"[A-Za-z0-9]{1,32}")


def _id_check(pattern: re.Pattern[str], longest: int, message: str) -> AfterValidator:
    def check(value: str) -> str:
        if len(value) > longest or not pattern.fullmatch(value):
            raise ValueError(message)
        return value

    return AfterValidator(check)


def billing_id(label: str) -> Any:
    """The type of an id from the billing system that is part of a key; `label` names it in
    the message ("Numer faktury")."""
    return Annotated[
        str,
        _id_check(
            BILLING_ID_PATTERN,
            BILLING_ID_MAX,
            f"{label} może mieć do {BILLING_ID_MAX} znaków: litery A-Z, cyfry, spacje oraz "
            "znaki „/”, „-”, „_” i „.”; zaczyna się literą lub cyfrą i nie kończy spacją.",
        ),
    ]


def key_id(label: str) -> Any:
    """The type of an id that is part of a key and of a URL path as it is (a meter's serial,
    a document's id); `label` names it in the message."""
    return Annotated[
        str,
        _id_check(
            KEY_PATTERN,
            KEY_MAX,
            f"{label} może mieć do {KEY_MAX} znaków: litery A-Z, cyfry oraz znaki „.”, „_” "
            "i „-”; zaczyna się literą lub cyfrą.",
        ),
    ]


def is_key(value: str) -> bool:
    """Whether `value` is a well-formed meter serial or document id (for path ids)."""
    return len(value) <= KEY_MAX and KEY_PATTERN.fullmatch(value) is not None


def is_order_id(value: str) -> bool:
    """Whether `value` is an online payment's order id in our format."""
    return ORDER_ID_PATTERN.fullmatch(value) is not None


OrderId = Annotated[
    str,
    _id_check(
        ORDER_ID_PATTERN,
        32,
        "Numer płatności internetowej może mieć do 32 znaków: litery A-Z i cyfry.",
    ),
]
Password = Annotated[str, StringConstraints(max_length=1024)]
Token = Annotated[str, StringConstraints(min_length=16, max_length=128)]
