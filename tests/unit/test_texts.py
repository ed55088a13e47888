"""Texts a person reads: Polish sentences, amounts and volumes through one formatter,
gender-neutral e-mails, download names with Polish letters."""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, ValidationError

import chalicelib
from chalicelib.adapters import mailer
from chalicelib.adapters.files import content_disposition, download_name, safe_filename
from chalicelib.domain.errors import DomainError
from chalicelib.domain.formatting import NBSP, money_pl, volume_pl
from chalicelib.imports.parsing import LineError, parse_line
from chalicelib.imports.registry import RECORD_TYPES
from chalicelib.money import parse_grosze
from chalicelib.schemas import validation
from chalicelib.volume import parse_litres
from tests.texts import assert_polish_sentence, english_words

ROOT = Path(chalicelib.__file__).resolve().parent
# Where a ValueError's message becomes a field message a person reads (pydantic validators
# and the parsers they call); elsewhere ValueError is an internal, English, error.
VALUE_ERRORS_SHOWN = ("schemas/", "imports/", "money.py", "volume.py")


def all_modules() -> Iterator[Any]:
    for info in pkgutil.walk_packages(chalicelib.__path__, "chalicelib."):
        yield importlib.import_module(info.name)


def domain_errors() -> set[type[DomainError]]:
    for _ in all_modules():
        pass
    found, todo = set(), [DomainError]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return found | {DomainError}


def test_every_domain_errors_default_message_is_a_polish_sentence():
    errors = domain_errors()
    assert len(errors) >= 10
    for error in errors:
        assert_polish_sentence(error.message, error)


def _texts(node: ast.AST, module: Any) -> Iterator[str]:
    """The strings an expression can be: literals, f-strings (a placeholder for each value),
    concatenations, module constants and the values of module dicts."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.JoinedStr):
        yield "".join(part.value if isinstance(part, ast.Constant) else "1" for part in node.values)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        for left in _texts(node.left, module):
            for right in _texts(node.right, module):
                yield left + right
    elif isinstance(node, ast.IfExp):
        yield from _texts(node.body, module)
        yield from _texts(node.orelse, module)
    elif isinstance(node, ast.Name | ast.Subscript):
        name = node.id if isinstance(node, ast.Name) else getattr(node.value, "id", None)
        value = getattr(module, name or "", None)
        if isinstance(node, ast.Name) and isinstance(value, str):
            yield value
        elif isinstance(node, ast.Subscript) and isinstance(value, dict):
            yield from (v for v in value.values() if isinstance(v, str))


def message_sites() -> Iterator[tuple[str, int, str]]:
    """Every message a person may read, where it is written: what a DomainError (or a
    ValueError of a validator, or an import line error) is raised with, `message=` and
    `fields={...}` arguments."""
    names = {error.__name__ for error in domain_errors()}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        module = importlib.import_module(
            "chalicelib." + relative.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        )
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            callee = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            arguments: list[ast.AST] = []
            if callee == "Throttled":
                arguments = node.args[1:2]
            elif callee in names or callee == "LineError":
                arguments = node.args[-1:] if callee == "LineError" else node.args[:1]
            elif callee == "ValueError" and relative.startswith(VALUE_ERRORS_SHOWN):
                arguments = node.args[:1]
            for keyword in node.keywords:
                if keyword.arg == "message":
                    arguments.append(keyword.value)
                if keyword.arg == "fields" and isinstance(keyword.value, ast.Dict):
                    arguments.extend(v for v in keyword.value.values if v is not None)
            for argument in arguments:
                for text in _texts(argument, module):
                    yield relative, node.lineno, text


def test_every_message_raised_or_answered_is_a_polish_sentence():
    sites = list(message_sites())
    assert len(sites) >= 80  # the walk finds them (literals, f-strings, constants)
    for where, line, text in sites:
        assert_polish_sentence(text, f"{where}:{line}")


def test_module_message_constants_are_polish_sentences():
    """Constants that hold messages: NO_*, *_FAILED, MESSAGES, the Chalice error table and
    the validation messages."""
    pattern = re.compile(r"^_?(NO_[A-Z_]+|[A-Z_]+_FAILED|[A-Z_]*MESSAGES|CHALICE_ERRORS)$")
    checked = 0
    for module in all_modules():
        for name, value in vars(module).items():
            if not pattern.match(name) or getattr(value, "__module__", None):
                continue
            values = value.values() if isinstance(value, dict) else [value]
            for text in values:
                text = text[-1] if isinstance(text, tuple) else text
                assert_polish_sentence(text, f"{module.__name__}.{name}")
                checked += 1
    assert checked >= 40


# Validation: every pydantic error type reachable by our schemas has a Polish sentence.


class Everything(BaseModel):
    """One field of each kind our bodies, queries and import lines use."""

    model_config = {"extra": "forbid"}
    text: str = Field(min_length=2, max_length=3, pattern=r"^[a-z]+$")
    number: int = Field(ge=1, le=10)
    above: int = Field(0, gt=0, lt=5)
    flag: bool = False
    day: Any = None
    choice: Literal["month", "billing"] = "month"
    three: Literal["a", "b", "c"] = "a"
    numbers: Literal[1, 2] = 1
    items: list[str] = Field(default_factory=list, min_length=0, max_length=2)
    nested: dict[str, int] = Field(default_factory=dict)


class Dates(BaseModel):
    day: __import__("datetime").date


WRONG = [
    {},
    {"text": 5, "number": "x", "flag": "maybe", "choice": "year", "three": "d", "numbers": 3},
    {"text": "a", "number": 0, "above": 7, "items": "x", "nested": []},
    {"text": "abcd", "number": 11, "above": 0, "items": ["a", "b", "c"], "nested": {"a": "b"}},
    {"text": "ABC", "number": 1.5, "unknown": 1, "flag": []},
    {"text": "ab", "number": 10**30},
]
WRONG_DATES = ["2026-13-45", "notadate", 1.5, "2026-01-01T10:00:00", 10**20, [], "2026-02-30"]


def all_messages(model: type[BaseModel], bodies: list[Any]) -> Iterator[tuple[str, str]]:
    for body in bodies:
        with pytest.raises(ValidationError) as caught:
            model.model_validate(body)
        for error in caught.value.errors(include_url=False):
            yield error["type"], validation._message(error)


def test_validation_messages_of_every_error_type_are_polish_sentences():
    found = dict(all_messages(Everything, WRONG))
    found |= dict(all_messages(Dates, [{"day": value} for value in WRONG_DATES]))
    expected = {
        "missing",
        "extra_forbidden",
        "string_type",
        "string_too_short",
        "string_too_long",
        "string_pattern_mismatch",
        "int_parsing",
        "int_from_float",
        "greater_than_equal",
        "less_than_equal",
        "greater_than",
        "less_than",
        "bool_parsing",
        "bool_type",
        "literal_error",
        "list_type",
        "too_long",
        "dict_type",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
    }
    assert expected <= set(found), expected - set(found)
    for kind, message in found.items():
        assert_polish_sentence(message, kind)
        assert message != validation._DEFAULT or kind not in expected, kind
    # Every template we keep, with its values filled in.
    context = {"min_length": 2, "max_length": 3, "ge": 1, "le": 9, "gt": 0, "lt": 5}
    for kind in validation._MESSAGES:
        message = validation._message({"type": kind, "ctx": {**context, "expected": "'a'"}})
        assert message != validation._DEFAULT, kind
        assert_polish_sentence(message, kind)


def test_allowed_values_are_listed_in_polish():
    messages = dict(all_messages(Everything, [{"text": "ab", "number": 1, "choice": "year"}]))
    assert messages["literal_error"] == "Niedozwolona wartość. Dozwolone: month lub billing."
    three = {"type": "literal_error", "ctx": {"expected": "'a', 'b' or 'c'"}}
    assert validation._message(three) == "Niedozwolona wartość. Dozwolone: a, b lub c."
    numbers = {"type": "enum", "ctx": {"expected": "1 or 2"}}
    assert validation._message(numbers) == "Niedozwolona wartość. Dozwolone: 1 lub 2."
    odd = {"type": "literal_error", "ctx": {"expected": None}}
    assert validation._message(odd) == "Niedozwolona wartość."


def test_a_validators_message_is_shown_as_a_sentence():
    error = {"type": "value_error", "ctx": {"error": ValueError("zła wartość")}}
    assert validation._message(error) == "Zła wartość."


def test_the_detector_finds_pydantics_and_jsons_english():
    for english in (
        "Input should be 'month' or 'billing'",
        "Field required",
        "Expecting value: line 1 column 1 (char 0)",
        "String should have at most 40 characters",
    ):
        assert english_words(english), english
    assert not english_words("To pole jest wymagane. Podaj kwotę, np. 123,45.")


# Amounts and volumes as a person reads them.


@pytest.mark.parametrize(
    ("grosze", "shown"),
    [
        (0, "0,00 zł"),
        (5, "0,05 zł"),
        (12345, "123,45 zł"),
        (123456, "1 234,56 zł"),
        (10_000_000, "100 000,00 zł"),
        (123_456_789_00, "123 456 789,00 zł"),
        (-12345, "-123,45 zł"),
        (-100_000, "-1 000,00 zł"),
    ],
)
def test_money_is_shown_with_a_comma_and_grouped_digits(grosze, shown):
    assert money_pl(grosze) == shown.replace(" ", NBSP)


@pytest.mark.parametrize(
    ("litres", "shown"),
    [
        (0, "0,000 m³"),
        (12345, "12,345 m³"),
        (500, "0,500 m³"),
        (1_234_567, "1 234,567 m³"),
        (987_654_321_000, "987 654 321,000 m³"),
    ],
)
def test_volumes_are_shown_with_a_comma_and_grouped_digits(litres, shown):
    assert volume_pl(litres) == shown.replace(" ", NBSP)


@given(st.integers(min_value=-(10**14) + 1, max_value=10**14 - 1))
@settings(deadline=None)  # a loaded machine must not fail a pure function
def test_a_shown_amount_reads_back_as_the_same_grosze(grosze):
    shown = money_pl(grosze)
    number = shown.removesuffix(f"{NBSP}zł")
    assert re.fullmatch(r"-?\d{1,3}(\u00a0\d{3})*,\d\d", number), shown
    assert parse_grosze(number.replace(NBSP, "")) == grosze


@given(st.integers(min_value=0, max_value=10**12 - 1))
@settings(deadline=None)  # a loaded machine must not fail a pure function
def test_a_shown_volume_reads_back_as_the_same_litres(litres):
    shown = volume_pl(litres)
    number = shown.removesuffix(f"{NBSP}m³")
    assert re.fullmatch(r"\d{1,3}(\u00a0\d{3})*,\d{3}", number), shown
    assert parse_litres(number.replace(NBSP, "")) == litres


def test_no_amount_or_volume_is_formatted_by_hand():
    """One formatter: no ".replace('.', ',')" on a machine amount, no "zł" or "m³" written
    after a number anywhere but chalicelib/domain/formatting.py and the API docs of fields."""
    by_hand = re.compile(r"""replace\(["']\.["'], ["'],["']\)|\}\s?(zł|m³)|\d\s?(zł|m³)""")
    offenders = []
    for path in [*ROOT.rglob("*.py"), *ROOT.rglob("*.html"), *ROOT.rglob("*.txt")]:
        if path.name == "formatting.py":
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if by_hand.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_receipt_shows_amounts_through_the_formatter():
    message = mailer.render(
        "payment_receipt",
        "jan@example.pl",
        {
            "order_id": "20261120ABCDEF0123456789",
            "amount": 123_456_78,
            "description": "Faktury FV/1, FV/2",
            "paid_at": "20.11.2026 10:00",
            "parts": [{"invoice": "FV/1", "amount": 100_000_00}, {"invoice": "FV/2", "amount": 5}],
        },
    )
    for text in (message.text, message.html):
        assert f"123{NBSP}456,78{NBSP}zł" in text
        assert f"FV/1: 100{NBSP}000,00{NBSP}zł" in text
        assert f"FV/2: 0,05{NBSP}zł" in text


# E-mails.

TEMPLATES = ROOT / "templates" / "email"
# Second-person past and conditional forms carry a gender in Polish ("zakładałeś",
# "zakładałaś", "zrobiłbyś"); so do adjectives such as "zalogowany" / "zalogowana".
GENDERED = re.compile(r"\w+(łeś|łaś|łbyś|łabyś)\b|\b(zalogowan|pewien\b|pewna\b|sam\b|sama\b)")


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.iterdir()))
def test_every_email_template_is_gender_neutral(template):
    text = (TEMPLATES / template).read_text("utf-8")
    assert GENDERED.findall(text) == []


def test_the_detector_finds_gendered_forms():
    for text in ("Jeśli to nie Ty zakładałeś konto", "prosiłaś o zmianę", "jesteś zalogowany"):
        assert GENDERED.search(text), text


@pytest.mark.parametrize("template", sorted(mailer.SUBJECTS))
def test_every_email_has_polish_quotes_and_dashes(template):
    for suffix in ("txt", "html"):
        text = (TEMPLATES / f"{template}.{suffix}").read_text("utf-8")
        words = re.sub(r"\{%.*?%\}|<[^>]*>", "", text)
        assert '"' not in words, template  # „…” in Polish text
        assert " - " not in text, template  # a dash, not a hyphen


# Download names.


def test_download_names_keep_polish_letters_and_drop_what_could_break_a_header():
    assert download_name("Umowa_źródło_łąka") == "Umowa_źródło_łąka"
    assert download_name("Protokół wymiany / 2026") == "Protokół-wymiany-2026"
    assert download_name('a"b\\c\u202ed\r\n;e') == "a-b-c-d-e"
    assert download_name("../../etc/passwd") == "etc-passwd"
    assert download_name("...") == "dokument"
    assert download_name("Z" * 500) == "Z" * 120
    decomposed = "Z\u0307o\u0301łw"  # Żółw with combining marks
    assert download_name(decomposed) == "Żółw"


def test_the_ascii_fallback_keeps_the_extension():
    assert safe_filename("Umowa_źródło_łąka.pdf") == "Umowa_zrodlo_laka.pdf"
    assert safe_filename("日本語.pdf") == "dokument.pdf"
    assert safe_filename("FV-2026-11-1") == "FV-2026-11-1"


def test_content_disposition_follows_rfc_6266():
    assert content_disposition("Umowa_źródło_łąka.pdf") == (
        'attachment; filename="Umowa_zrodlo_laka.pdf"; '
        "filename*=UTF-8''Umowa_%C5%BAr%C3%B3d%C5%82o_%C5%82%C4%85ka.pdf"
    )
    # Every byte of the header is printable ASCII; the fallback needs no escaping.
    header = content_disposition(download_name('Zły "plik"; x=1') + ".pdf")
    assert header.isascii() and header.isprintable()
    assert header.count('"') == 2


# The import's per-line errors (the billing operator reads them in the report).


@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b'{"type": "customer",}', b"\xff\xfe{}", b"[]", b"nul", b'{"type": 5}'],
)
def test_a_broken_import_line_is_told_in_polish(raw):
    with pytest.raises(LineError) as caught:
        parse_line(raw)
    assert_polish_sentence(caught.value.message, raw)


def test_bad_json_in_an_import_line_says_where():
    with pytest.raises(LineError) as caught:
        parse_line(b'{"type": "customer", }')
    assert caught.value.message == "Nieprawidłowy JSON (znak 22)."


def test_every_record_types_wrong_values_are_told_in_polish():
    checked = 0
    for kind, model in RECORD_TYPES.items():
        for name, field in model.model_fields.items():
            for value in (None, 5, 1.5, "", "x" * 500, [], {}, "nope", "2026-13-45", True):
                line = {"type": kind, field.alias or name: value}
                try:
                    parse_line(json.dumps(line).encode())
                except LineError as exc:
                    assert_polish_sentence(exc.message, line)
                    checked += 1
    assert checked >= 200
