"""The meters, consumption and documents pages in Chromium, as customers 100007 and 100008
(registered here, through the API, once for this module): an unusual reading confirmed in
the second step and then in the history, a reading with a photo uploaded to the bucket,
errors next to the fields, keyboard only; the chart and its table agree; documents
download; axe on every state, 320 px and screenshots."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
import requests
from playwright.sync_api import Page, expect

from scripts import demo_data
from tests.browser.conftest import (
    check_axe,
    console_errors,
    register_customer,
    screenshot,
)
from tests.browser.test_login import assert_focus_visible, tab_to
from tests.e2e.test_local_stack import Stack

PASSWORD = "Wodomierz-Test-2026!"
NBSP = "\u00a0"
# The smallest PNG: one transparent pixel.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@dataclass(frozen=True)
class Customer:
    number: str
    email: str
    meter: str
    last_litres: int  # the newest imported reading of the main meter


def _last_litres(number: str) -> int:
    readings = [
        line
        for line in demo_data.batch_lines()
        if line["type"] == "reading" and line["meter"] == f"WM-{number}"
    ]
    whole, fraction = readings[-1]["value"].split(",")
    return int(whole) * 1000 + int(fraction)


def _register(stack: Stack, number: str) -> Customer:
    email = f"wodomierze{number}@example.pl"
    register_customer(stack, number, email, PASSWORD)
    return Customer(number, email, f"WM-{number}", _last_litres(number))


@pytest.fixture(scope="module")
def customers(stack: Stack) -> dict[str, Customer]:
    """Customers 100007 (the unusual reading, consumption) and 100008 (photo, keyboard,
    documents), registered and activated once."""
    return {number: _register(stack, number) for number in ("100007", "100008")}


@pytest.fixture
def moto_s3(stack: Stack) -> Any:
    """An S3 client of the stack's moto, to see what the browser uploaded."""
    return boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{stack.moto_port}",
        region_name="eu-central-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def log_in(page: Page, customer: Customer, target: str) -> None:
    page.goto(f"/logowanie?next={target}")
    page.get_by_label("Numer klienta").fill(customer.number)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(lambda url: urlsplit(url).path == target)


def m3(litres: int) -> str:
    """Litres as the customer types m³ ("123,456")."""
    return f"{litres // 1000},{litres % 1000:03d}"


def shown_m3(litres: int) -> str:
    """Litres as the pages show m³ ("1 234,567 m³")."""
    whole = f"{litres // 1000:,}".replace(",", NBSP)
    return f"{whole},{litres % 1000:03d}{NBSP}m³"


def today_pl(page: Page) -> str:
    """Today in Warsaw as the form shows it ("02.12.2026")."""
    return page.evaluate(
        """() => new Intl.DateTimeFormat('pl-PL', {timeZone: 'Europe/Warsaw', day: '2-digit',
             month: '2-digit', year: 'numeric'}).format(new Date())"""
    )


def fits_320(page: Page) -> None:
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    page.wait_for_timeout(100)  # the chart redraws at the new width
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    check_axe(page)
    page.set_viewport_size(size)


def test_an_unusual_reading_is_confirmed_and_shown_in_the_history(
    page: Page, customers: dict[str, Customer]
) -> None:
    customer = customers["100007"]
    log_in(page, customer, "/wodomierze")
    card = page.get_by_role("region", name=f"Wodomierz {customer.meter}, piwnica")
    expect(card).to_contain_text(shown_m3(customer.last_litres))
    expect(card).to_contain_text("ważna do 30.06.2030")
    check_axe(page)
    screenshot(page, "wodomierze")
    fits_320(page)

    unusual = customer.last_litres + 250_000  # 250 m³ in a month
    page.get_by_label("Stan licznika (m³)").fill(m3(unusual))
    page.get_by_role("button", name="Wyślij odczyt").click()
    step = page.get_by_role("alert").filter(has_text="Sprawdź odczyt")
    expect(step).to_be_focused()
    expect(step).to_contain_text("znacznie wyższe niż zwykle")
    check_axe(page)
    screenshot(page, "wodomierze-potwierdzenie")

    with page.expect_request(re.compile(r"/api/meters/WM-100007/readings$")) as sent:
        step.get_by_role("button", name="Tak, odczyt jest poprawny").click()
    assert sent.value.post_data_json["confirm"] is True
    assert sent.value.post_data_json["value"] == m3(unusual).replace(",", ".")
    status = page.get_by_role("status").first
    expect(status).to_contain_text(f"Odczyt {shown_m3(unusual)}")
    expect(status).to_contain_text("został zapisany")
    expect(step).to_be_hidden()
    expect(card).to_contain_text(f"{shown_m3(unusual)} z dnia")

    # The history: the new reading first, marked as confirmed; older pages on demand.
    card.get_by_role("button", name=f"Historia odczytów wodomierza {customer.meter}").click()
    table = card.get_by_role("table", name=f"Historia odczytów wodomierza {customer.meter}")
    first = table.locator("tbody tr").first
    expect(first).to_contain_text(shown_m3(unusual))
    expect(first).to_contain_text("podany przez Ciebie — potwierdzony nietypowy")
    expect(table.locator("tbody tr")).to_have_count(12)
    check_axe(page)
    card.get_by_role("button", name="Pokaż starsze odczyty").click()
    expect(table.locator("tbody tr")).to_have_count(24)
    expect(table.locator("tbody tr").nth(12)).to_be_focused()
    expect(card.get_by_role("button", name="Pokaż starsze odczyty")).to_be_visible()
    check_axe(page)
    screenshot(page, "wodomierze-historia")
    # The browser notes the warning's 409 (an answer the page expects), nothing else.
    assert console_errors(page, ignore=r"status of (401|409)") == []


def test_errors_are_shown_next_to_the_fields(page: Page, customers: dict[str, Customer]) -> None:
    customer = customers["100007"]
    log_in(page, customer, "/wodomierze")
    value = page.get_by_label("Stan licznika (m³)")
    page.get_by_role("button", name="Wyślij odczyt").click()
    summary = page.get_by_role("alert").filter(has_text="Popraw poniższe błędy")
    expect(summary).to_be_focused()
    expect(value).to_have_accessible_description(re.compile("Podaj stan licznika."))
    check_axe(page)

    value.fill("1,5")  # below the previous reading
    page.get_by_role("button", name="Wyślij odczyt").click()
    expect(summary).to_contain_text("nie może być niższy niż poprzedni")
    expect(value).to_have_attribute("aria-invalid", "true")
    expect(summary).to_be_focused()
    summary.get_by_role("link").first.click()
    expect(value).to_be_focused()

    value.fill("dużo")
    page.get_by_role("button", name="Wyślij odczyt").click()
    expect(summary).to_contain_text("Nieprawidłowy stan licznika")
    check_axe(page)
    screenshot(page, "wodomierze-bledy")

    # Dates are dd.mm.rrrr; the API's word on a date lands next to the field too.
    day = page.get_by_label("Data odczytu")
    value.fill(m3(customer.last_litres + 5_000))
    day.fill("31.02.2026")
    page.get_by_role("button", name="Wyślij odczyt").click()
    expect(summary).to_contain_text("Podaj datę w formacie dd.mm.rrrr")
    expect(day).to_have_attribute("aria-invalid", "true")
    day.fill("01.01.2099")
    page.get_by_role("button", name="Wyślij odczyt").click()
    expect(summary).to_contain_text("Data odczytu nie może być z przyszłości.")
    expect(day).to_have_accessible_description(re.compile("nie może być z przyszłości"))
    day.fill("")
    page.get_by_role("button", name="Wyślij odczyt").click()
    expect(summary).to_contain_text("Podaj datę odczytu.")
    check_axe(page)

    # A photo of another kind never leaves the browser.
    day.fill(today_pl(page))
    value.fill(m3(customer.last_litres + 5_000))
    page.get_by_label("Zdjęcie licznika (nieobowiązkowe)").set_input_files(
        {"name": "licznik.gif", "mimeType": "image/gif", "buffer": b"GIF89a"}
    )
    page.get_by_role("button", name="Wyślij odczyt").click()
    expect(summary).to_contain_text("JPG, PNG lub HEIC")
    check_axe(page)
    assert console_errors(page, ignore=r"status of (401|400)") == []


def test_a_reading_with_a_photo_uploads_it_to_the_bucket(
    page: Page, stack: Stack, customers: dict[str, Customer], moto_s3
) -> None:
    customer = customers["100008"]
    log_in(page, customer, "/wodomierze")
    value = customer.last_litres + 9_876
    page.get_by_label("Stan licznika (m³)").fill(m3(value).replace(",", "."))  # a dot works too
    page.get_by_label("Zdjęcie licznika (nieobowiązkowe)").set_input_files(
        {"name": "licznik.png", "mimeType": "image/png", "buffer": PNG}
    )
    moto = f"http://127.0.0.1:{stack.moto_port}/"
    with page.expect_response(
        lambda r: r.url.startswith(moto) and r.request.method == "POST"
    ) as uploaded:
        page.get_by_role("button", name="Wyślij odczyt").click()
    assert uploaded.value.status == 204
    status = page.get_by_role("status").first
    expect(status).to_contain_text("Zdjęcie licznika zostało wysłane.")
    listed = moto_s3.list_objects_v2(
        Bucket="ibok-local-data", Prefix=f"reading-photos/{customer.number}/{customer.meter}/"
    )
    (photo,) = listed["Contents"]
    assert photo["Key"].endswith(".png") and photo["Size"] == len(PNG)
    body = moto_s3.get_object(Bucket="ibok-local-data", Key=photo["Key"])
    assert body["Body"].read() == PNG
    assert body["ContentType"] == "image/png"
    check_axe(page)
    assert console_errors(page) == []


def test_a_reading_by_keyboard_alone(page: Page, customers: dict[str, Customer]) -> None:
    customer = customers["100008"]
    log_in(page, customer, "/wodomierze")
    page.locator("#main").focus()
    # The card's "Podaj odczyt" leads to the form's value field.
    tab_to(page, "#meters a.button", limit=40)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    value = page.get_by_label("Stan licznika (m³)")
    expect(value).to_be_focused()
    page.keyboard.type(m3(customer.last_litres + 12_345))
    page.keyboard.press("Tab")
    day = page.get_by_label("Data odczytu")
    expect(day).to_be_focused()
    expect(day).to_have_value(re.compile(r"^\d\d\.\d\d\.\d{4}$"))  # today, dd.mm.rrrr
    page.keyboard.press("Tab")
    expect(page.get_by_label("Zdjęcie licznika (nieobowiązkowe)")).to_be_focused()
    page.keyboard.press("Tab")
    submit = page.get_by_role("button", name="Wyślij odczyt")
    expect(submit).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    status = page.get_by_role("status").first
    expect(status).to_contain_text(f"Odczyt {shown_m3(customer.last_litres + 12_345)}")
    expect(status).to_be_focused()
    # The history opens and pages by keyboard too.
    tab_to(page, "#meters button[aria-controls]", limit=40)
    page.keyboard.press("Enter")
    table = page.get_by_role("table", name=f"Historia odczytów wodomierza {customer.meter}")
    expect(table.locator("tbody tr").first).to_contain_text(shown_m3(customer.last_litres + 12_345))
    assert console_errors(page) == []


def _chart_and_table(page: Page) -> tuple[list[list[str]], list[list[str]]]:
    chart = page.evaluate(
        """() => [...document.querySelectorAll('#chart g.period')].map((g) => [
             g.querySelector('.period-label').textContent,
             g.querySelector('.bar-now-value').textContent,
             g.querySelector('.bar-before-value').textContent])"""
    )
    table = page.evaluate(
        """() => [...document.querySelectorAll('#consumption-table tbody tr')].map((row) => [
             row.cells[0].textContent, row.cells[1].textContent, row.cells[3].textContent])"""
    )
    return chart, table


def test_the_consumption_chart_and_its_table_agree(
    page: Page, customers: dict[str, Customer]
) -> None:
    customer = customers["100008"]
    log_in(page, customer, "/zuzycie")
    table = page.get_by_role("table", name=re.compile("Zużycie wody od"))
    expect(table.locator("tbody tr")).to_have_count(12)
    chart_image = page.get_by_role("img", name="Wykres zużycia wody: rok do roku")
    expect(chart_image).to_be_visible()
    chart, rows = _chart_and_table(page)
    assert chart == rows
    assert all(value.endswith(f"{NBSP}m³") for row in rows for value in row[1:])
    check_axe(page)
    screenshot(page, "zuzycie")
    fits_320(page)
    chart, rows = _chart_and_table(page)  # redrawn at 320 px: still the same numbers
    assert chart == rows

    # Billing periods of last year.
    last_year = str(int(page.evaluate("new Date().getFullYear()")) - 1)
    page.get_by_label("Zakres").select_option(label=f"Rok {last_year}")
    page.get_by_label("Okresy rozliczeniowe").check()
    with page.expect_response(re.compile(r"/api/consumption\?.*period=billing")):
        page.get_by_role("button", name="Pokaż zużycie").click()
    expect(page.get_by_role("status").first).to_contain_text("okresy rozliczeniowe")
    expect(page).to_have_url(re.compile(rf"zakres={last_year}&podzial=billing"))
    expect(table).to_have_accessible_name(re.compile(r"\(okresy rozliczeniowe\)"))
    chart, rows = _chart_and_table(page)
    assert chart == rows and 1 <= len(rows) <= 7
    assert all(re.fullmatch(r"\d\d\.\d\d\.\d{4}–\d\d\.\d\d\.\d{4}( \*)?", r[0]) for r in rows)
    check_axe(page)
    screenshot(page, "zuzycie-okresy")
    # The choice is kept in the address: a reload shows the same.
    page.reload()
    expect(page.get_by_label("Okresy rozliczeniowe")).to_be_checked()
    expect(page.get_by_label("Zakres")).to_have_value(last_year)
    assert console_errors(page) == []


def test_contracts_annexes_and_documents_download(
    page: Page, customers: dict[str, Customer]
) -> None:
    customer = customers["100008"]
    log_in(page, customer, "/dokumenty")
    contract = page.get_by_role("region", name=f"Umowa U/2019/{customer.number}")
    expect(contract).to_contain_text("dostawa wody i odbiór ścieków")
    expect(contract).to_contain_text("Aneks nr 1 — Zmiana taryfy")
    check_axe(page)
    screenshot(page, "dokumenty")
    fits_320(page)
    names = {
        f"Pobierz PDF — umowa U/2019/{customer.number}": "Umowa",
        f"Pobierz PDF — aneks nr 1 do umowy U/2019/{customer.number}": "Aneks",
        "Pobierz PDF — Protokół montażu wodomierza z dnia 10.05.2019": "2019-05-10",
    }
    for name, start in names.items():
        with page.expect_download() as download:
            page.get_by_role("button", name=name).click()
        assert download.value.suggested_filename.startswith(start)
        assert download.value.suggested_filename.endswith(".pdf")
        assert requests.get(download.value.url, timeout=10).content.startswith(b"%PDF")
    expect(page.get_by_role("status").first).to_contain_text("Pobieranie:")
    assert console_errors(page) == []
