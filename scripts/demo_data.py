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
CUSTOMERS = 24  # 100001–100024; the browser tests keep to their own (tests/browser/conftest.py)
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


def _payments(invoices: list[dict[str, Any]], number: str) -> Iterator[dict[str, Any]]:
    """Every invoice paid three days before its due date, except the newest; the demo
    customer paid half of the one before it too."""
    for invoice in invoices[:-1]:
        gross = Decimal(invoice["gross"])
        amount = gross / 2 if number == DEMO_LOGIN and invoice is invoices[-2] else gross
        paid_on = date.fromisoformat(invoice["due_date"]) - timedelta(days=3)
        yield {
            "type": "payment",
            "id": f"WB/{paid_on:%Y%m%d}/{number}",
            "customer_number": number,
            "paid_on": paid_on.isoformat(),
            "amount": _money(amount),
            "method": "transfer",
            "allocations": [{"invoice": invoice["number"], "amount": _money(amount)}],
        }


def _meters(rng: random.Random, number: str) -> Iterator[dict[str, Any]]:
    """A main meter read monthly for two years (the demo customer's was replaced a year
    ago and its certification runs out soon) and, for some, a garden sub-meter."""
    serial = f"WM-{number}"
    certified = "2027-01-31" if number == DEMO_LOGIN else f"{2028 + int(number) % 3}-06-30"
    daily = rng.randint(250, 600)  # litres a day
    start = date(LAST_ISSUE.year - 2, LAST_ISSUE.month, 1)
    if number == DEMO_LOGIN:
        replaced = date(LAST_ISSUE.year - 1, LAST_ISSUE.month, 15)
        yield {
            "type": "meter",
            "serial": f"WM-{number}-OLD",
            "customer_number": number,
            "kind": "main",
            "location": "studzienka",
            "installed_on": "2015-04-01",
            "removed_on": replaced.isoformat(),
            "status": "removed",
            "seal": "PL-1001",
        }
    yield {
        "type": "meter",
        "serial": serial,
        "customer_number": number,
        "kind": "main",
        "location": "piwnica",
        "installed_on": "2019-05-10" if number != DEMO_LOGIN else replaced.isoformat(),
        "certified_until": certified,
        "seal": f"PL-{number}",
    }
    value = {serial: 0 if number == DEMO_LOGIN else rng.randint(300, 900) * 1000}
    if number == DEMO_LOGIN:
        value[f"WM-{number}-OLD"] = 1_204_500
    day = start
    while day <= LAST_ISSUE:
        current = serial
        if number == DEMO_LOGIN and day < replaced:
            current = f"WM-{number}-OLD"
        value[current] += daily * 30 + rng.randint(-2000, 2000)
        yield {
            "type": "reading",
            "customer_number": number,
            "meter": current,
            "date": day.isoformat(),
            "value": f"{value[current] // 1000},{value[current] % 1000:03d}",
            "source": "collector" if day.month % 2 else "billing",
        }
        day = (day + timedelta(days=32)).replace(day=1)
    if int(number) % 4 == 1:
        yield {
            "type": "meter",
            "serial": f"OG-{number}",
            "customer_number": number,
            "kind": "garden",
            "location": "ogród",
            "installed_on": "2021-04-01",
            "certified_until": "2026-04-01",
        }
        yield {
            "type": "reading",
            "customer_number": number,
            "meter": f"OG-{number}",
            "date": "2026-10-01",
            "value": "31,400",
            "source": "collector",
        }


def _papers(number: str) -> Iterator[dict[str, Any]]:
    """The customer's contract, an annex, and a scanned document."""
    contract = f"U/2019/{number}"
    yield {
        "type": "contract",
        "number": contract,
        "customer_number": number,
        "kind": "both",
        "signed_on": "2019-05-02",
        "valid_from": "2019-05-10",
        "pdf_key": f"contracts/U-2019-{number}.pdf",
    }
    yield {
        "type": "annex",
        "contract": contract,
        "number": "1",
        "customer_number": number,
        "signed_on": "2024-01-15",
        "title": "Zmiana taryfy",
        "pdf_key": f"contracts/U-2019-{number}-A1.pdf",
    }
    yield {
        "type": "document",
        "id": f"PROT-{number}",
        "customer_number": number,
        "title": "Protokół montażu wodomierza",
        "date": "2019-05-10",
        "pdf_key": f"documents/prot-{number}.pdf",
    }


def batch_lines() -> list[dict[str, Any]]:
    """Every line of the demo batch, in import order."""
    rng = random.Random(SEED)
    more = random.Random(SEED + 1)  # a second stream: the facts above stay as they were
    lines: list[dict[str, Any]] = []
    for offset in range(CUSTOMERS):
        number = str(FIRST_NUMBER + offset)
        lines.append(_customer(rng, number))
        invoices = list(_invoices(rng, number))
        lines.extend(invoices)
        lines.extend(_payments(invoices, number))
        lines.extend(_meters(more, number))
        lines.extend(_papers(number))
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
