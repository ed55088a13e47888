"""The deterministic demo data set of the local stack: customers and their invoices as one
billing import batch, plus placeholder PDFs. The same seed gives the same data on every run,
so README can name the demo facts."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

SEED = 2026
CUSTOMERS = 20
FIRST_NUMBER = 100001
MONTHS = 12
LAST_ISSUE = date(2026, 11, 5)
VAT_RATE = Decimal("0.08")

DEMO_LOGIN = "100001"
DEMO_PASSWORD = "Demo-Haslo-2026!"  # noqa: S105 (the published demo password)
DEMO_EMAIL = "demo@ibok.example"
NEW_CUSTOMER = "100002"

WOMEN = ["Anna", "Katarzyna", "Maria", "Agnieszka", "Barbara"]
MEN = ["Jan", "Piotr", "Tomasz", "Paweł", "Krzysztof"]
SURNAMES = [("Nowak", "Nowak"), ("Kowalska", "Kowalski"), ("Wiśniewska", "Wiśniewski")]
SURNAMES += [("Wójcik", "Wójcik"), ("Kamińska", "Kamiński"), ("Lewandowska", "Lewandowski")]
STREETS = ["ul. Wodna", "ul. Zdrojowa", "ul. Źródlana", "ul. Kościuszki", "ul. Górnicza"]


@dataclass(frozen=True)
class DemoFacts:
    """What `make run` prints for the walk-through."""

    demo_login: str
    demo_password: str
    new_customer: str
    invoice_number: str
    invoice_gross: str


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _month_start(months_back: int) -> date:
    year, month = LAST_ISSUE.year, LAST_ISSUE.month - months_back
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 5)


def _customer(rng: random.Random, number: str) -> dict[str, Any]:
    female, male = rng.choice(SURNAMES)
    name = f"{rng.choice(WOMEN)} {female}" if rng.random() < 0.5 else f"{rng.choice(MEN)} {male}"
    return {
        "type": "customer",
        "customer_number": number,
        "name": name,
        "kind": "person",
        "service_address": {
            "street": f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
            "postal_code": "41-709",
            "city": "Ruda Śląska",
        },
        "email": DEMO_EMAIL if number == DEMO_LOGIN else f"klient{number}@example.pl",
        "phone": f"+4860{rng.randint(1000000, 9999999)}",
        "contract_status": "active",
    }


def _invoices(rng: random.Random, number: str) -> Iterator[dict[str, Any]]:
    for back in range(MONTHS - 1, -1, -1):
        issued = _month_start(back)
        gross = Decimal(rng.randint(6000, 24000)) / 100
        net = (gross / (1 + VAT_RATE)).quantize(Decimal("0.01"))
        invoice_number = f"FV/{issued:%Y/%m}/{number}"
        yield {
            "type": "invoice",
            "number": invoice_number,
            "customer_number": number,
            "kind": "invoice",
            "issue_date": issued.isoformat(),
            "sale_date": (issued - timedelta(days=5)).isoformat(),
            "due_date": (issued + timedelta(days=14)).isoformat(),
            "net": _money(net),
            "vat": _money(gross - net),
            "gross": _money(gross),
            "pdf_key": invoice_pdf_key(invoice_number),
        }


def invoice_pdf_key(invoice_number: str) -> str:
    """Where the PDF of an invoice lies in the data bucket."""
    return f"invoices/{invoice_number.replace('/', '-')}.pdf"


def batch_lines() -> list[dict[str, Any]]:
    """Every line of the demo batch, in import order."""
    rng = random.Random(SEED)
    lines: list[dict[str, Any]] = []
    for offset in range(CUSTOMERS):
        number = str(FIRST_NUMBER + offset)
        lines.append(_customer(rng, number))
        lines.extend(_invoices(rng, number))
    return lines


def batch_body(lines: list[dict[str, Any]] | None = None) -> bytes:
    """The batch as JSON Lines."""
    rows = batch_lines() if lines is None else lines
    return "\n".join(json.dumps(line, ensure_ascii=False) for line in rows).encode("utf-8")


def facts(lines: list[dict[str, Any]] | None = None) -> DemoFacts:
    """The demo login and the three registration facts of the unregistered customer."""
    rows = batch_lines() if lines is None else lines
    newest = [
        line
        for line in rows
        if line["type"] == "invoice" and line["customer_number"] == NEW_CUSTOMER
    ][-1]
    return DemoFacts(
        demo_login=DEMO_LOGIN,
        demo_password=DEMO_PASSWORD,
        new_customer=NEW_CUSTOMER,
        invoice_number=newest["number"],
        invoice_gross=newest["gross"].replace(".", ","),
    )
