"""Reusable validated field types (Polish error messages)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, StringConstraints

from chalicelib.money import parse_grosze
from chalicelib.volume import parse_litres

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_CUSTOMER_NUMBER = re.compile(r"^[A-Za-z0-9/\-]{1,20}$")


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
    if not _CUSTOMER_NUMBER.match(value):
        raise ValueError("Nieprawidłowy numer klienta.")
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
Grosze = Annotated[int, BeforeValidator(_money)]
Litres = Annotated[int, BeforeValidator(_volume)]
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")
Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN.pattern)]
Password = Annotated[str, StringConstraints(max_length=1024)]
Token = Annotated[str, StringConstraints(min_length=16, max_length=128)]
