"""The money pages in Chromium with the demo customers 100005 and 100006 (registered and
activated here over the API): the dashboard from one call, the invoice filters, detail and
PDF download, settlements and payment history, paying the overdue amount through the local
fake gateway and seeing the status on the return page and the dashboard, a refused payment
and a payment still in progress (409); axe on every page and state, screenshots."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from scripts import demo_data
from tests.browser.conftest import (
    check_axe,
    console_errors,
    register_customer,
    screenshot,
)
from tests.browser.test_login import tab_to
from tests.e2e.test_local_stack import Stack

PASSWORD = "Pieniadze-Haslo-2026!"
DASHBOARD_CUSTOMER = "100005"  # read, filtered, refused and left with a payment in progress
PAYING_CUSTOMER = "100006"  # pays what is overdue
NBSP = "\u00a0"


def _newest_invoice(customer: str) -> dict[str, Any]:
    return [
        line
        for line in demo_data.batch_lines()
        if line["type"] == "invoice" and line["customer_number"] == customer
    ][-1]


def register_and_activate(stack: Stack, customer: str, password: str = PASSWORD) -> None:
    """Register a demo customer and activate its account, over the stack's API."""
    register_customer(stack, customer, f"pieniadze{customer}@example.pl", password)


@pytest.fixture(scope="module")
def money_customers(stack: Stack) -> tuple[str, str]:
    """The two customers of the money pages, registered and active."""
    for customer in (DASHBOARD_CUSTOMER, PAYING_CUSTOMER):
        register_and_activate(stack, customer)
    return DASHBOARD_CUSTOMER, PAYING_CUSTOMER


def log_in(page: Page, customer: str, next_page: str = "/") -> None:
    page.goto(f"/logowanie?next={quote(next_page)}")
    page.get_by_label("Numer klienta").fill(customer)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(lambda url: "/logowanie" not in url and url.endswith(next_page))


def assert_fits(page: Page, width: int = 320) -> None:
    """No horizontal scroll of the page at `width` (tables scroll in their own region)."""
    size = page.viewport_size
    page.set_viewport_size({"width": width, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    check_axe(page)
    page.set_viewport_size(size)


def money(text: str) -> str:
    """The page's way of showing "1234.56": "1 234,56 zł" with no-break spaces."""
    whole, fraction = text.split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return NBSP.join([whole, *groups]) + f",{fraction}{NBSP}zł"


def test_dashboard_shows_balance_unpaid_invoices_and_meters(page: Page, money_customers) -> None:
    calls: list[str] = []
    page.on("request", lambda r: calls.append(r.url) if "/api/" in r.url else None)
    log_in(page, DASHBOARD_CUSTOMER)
    page.wait_for_load_state("networkidle")
    after_login = [url for url in calls if not url.endswith("/api/auth/login")]
    assert [url.split("/api", 1)[1] for url in after_login] == ["/summary"]

    main = page.get_by_role("main")
    newest = _newest_invoice(DASHBOARD_CUSTOMER)
    expect(page.locator("#balance-text")).to_have_text(f"Do zapłaty: {money(newest['gross'])}")
    expect(page.locator("#overdue")).to_have_text(money(newest["gross"]))
    expect(page.locator("#customer-number")).to_have_text(DASHBOARD_CUSTOMER)
    pay = main.get_by_role("link", name="Zapłać", exact=True)
    expect(pay).to_have_attribute("href", "/zaplac?co=zaleglosc")

    unpaid = page.get_by_role("region", name="Tabela faktur do zapłaty")
    expect(unpaid.get_by_role("row")).to_have_count(2)  # the header and the newest invoice
    expect(unpaid.get_by_role("link", name=newest["number"])).to_be_visible()
    expect(unpaid).to_contain_text("nieopłacona, po terminie")

    meters = page.locator("#meter-list > li")
    expect(meters).to_have_count(2)  # the main meter and the garden one
    main_meter = meters.filter(has_text=f"Wodomierz WM-{DASHBOARD_CUSTOMER}")
    expect(main_meter).to_contain_text(re.compile(r"Ostatni odczyt\d[\d\u00a0]*,\d{3}\u00a0m³"))
    reading = main_meter.get_by_role(
        "link", name=f"Podaj odczyt wodomierza WM-{DASHBOARD_CUSTOMER}"
    )
    expect(reading).to_have_attribute("href", "/wodomierze")
    # The garden meter's certification ran out on 01.04.2026.
    expect(page.locator(".notice")).to_contain_text(f"OG-{DASHBOARD_CUSTOMER}")
    expect(page.get_by_role("heading", name="Komunikaty")).to_be_hidden()  # none today
    expect(page.get_by_role("status")).to_be_hidden()  # "Wczytuję dane…" is gone

    check_axe(page)
    screenshot(page, "pulpit-saldo")
    assert_fits(page)
    assert console_errors(page) == []


def test_invoice_filters_detail_and_pdf(page: Page, money_customers) -> None:
    log_in(page, DASHBOARD_CUSTOMER, "/faktury")
    table = page.get_by_role("region", name="Lista faktur")
    expect(table.get_by_role("row")).to_have_count(13)  # a year of invoices and the header
    expect(page.locator("#count")).to_have_text(f"Pokazano 12{NBSP}faktur.")
    check_axe(page)
    screenshot(page, "faktury")
    assert_fits(page)

    # Unpaid only, chosen with the keyboard.
    page.get_by_label("Stan płatności").focus()
    page.get_by_label("Stan płatności").select_option("unpaid")
    tab_to(page, "#filters button[type=submit]")
    page.keyboard.press("Enter")
    expect(table.get_by_role("row")).to_have_count(2)
    expect(page.get_by_role("status")).to_have_text(f"Wyniki: 1{NBSP}faktura.")
    expect(page).to_have_url(re.compile(r"/faktury\?status=unpaid$"))
    check_axe(page)

    # Issue dates: the summer only; then none at all.
    page.get_by_role("button", name="Wyczyść filtry").click()
    expect(table.get_by_role("row")).to_have_count(13)
    page.get_by_label("Wystawione od").fill("2026-06-01")
    page.get_by_label("Wystawione do").fill("2026-08-31")
    page.get_by_role("button", name="Pokaż").click()
    expect(table.get_by_role("row")).to_have_count(4)
    page.get_by_label("Rodzaj dokumentu").select_option("interest_note")
    page.get_by_role("button", name="Pokaż").click()
    expect(page.get_by_text("Brak faktur spełniających wybrane warunki.")).to_be_visible()
    expect(table).to_be_hidden()
    check_axe(page)
    screenshot(page, "faktury-brak")

    # A "from" after "to" is the API's 400, shown in the summary.
    page.get_by_label("Rodzaj dokumentu").select_option("")
    page.get_by_label("Wystawione od").fill("2026-09-01")
    page.get_by_role("button", name="Pokaż").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("nie może być późniejsza")
    check_axe(page)
    screenshot(page, "faktury-blad")

    # The detail of the newest invoice, its PDF, and back.
    page.goto("/faktury")
    newest = _newest_invoice(DASHBOARD_CUSTOMER)
    table.get_by_role("link", name=newest["number"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Faktura {newest['number']}")
    facts = page.locator("#detail-facts")
    expect(facts).to_contain_text("nieopłacona, po terminie")
    expect(facts).to_contain_text(money(newest["gross"]))
    expect(page.get_by_role("link", name="Zapłać tę fakturę")).to_be_visible()
    check_axe(page)
    screenshot(page, "faktura")
    with page.expect_download() as download_info:
        page.get_by_role("button", name=f"Pobierz PDF faktury {newest['number']}").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    expect(page.get_by_role("status")).to_have_text(
        f"Pobieranie faktury {newest['number']} rozpoczęte."
    )
    assert console_errors(page, ignore=r"status of (401|400)") == []


def test_an_unknown_invoice_is_said_so(page: Page, money_customers) -> None:
    log_in(page, DASHBOARD_CUSTOMER, "/faktury?faktura=nieznana")
    expect(page.get_by_role("status")).to_have_text(re.compile(r"\S"))
    check_axe(page)


def pay_at_gateway(page: Page, button: str = "Zapłać") -> None:
    """On the local fake gateway's page (the API's origin): decide."""
    page.wait_for_url(re.compile(r"/_local/bluemedia/payment$"))
    expect(page.get_by_role("heading", name=re.compile("Bramka płatności"))).to_be_visible()
    page.get_by_role("button", name=button, exact=True).click()


def test_pay_the_overdue_amount_and_see_the_status(page: Page, money_customers, stack) -> None:
    newest = _newest_invoice(PAYING_CUSTOMER)
    log_in(page, PAYING_CUSTOMER)
    page.get_by_role("main").get_by_role("link", name="Zapłać", exact=True).click()
    page.wait_for_url(re.compile(r"/zaplac\?co=zaleglosc$"))
    overdue = page.get_by_label(re.compile("Całą zaległość"))
    expect(overdue).to_be_checked()
    expect(overdue).to_have_accessible_name(f"Całą zaległość: {money(newest['gross'])}")
    check_axe(page)
    screenshot(page, "zaplac")
    assert_fits(page)

    # An amount of one's own below the limit: the API's message next to the field.
    page.get_by_label("Inną kwotę").check()
    amount = page.get_by_label("Kwota w złotych")
    expect(amount).to_have_accessible_description(re.compile(r"Od 10,00\u00a0zł do"))
    amount.fill("1,00")
    page.get_by_role("button", name="Przejdź do płatności").click()
    expect(page.get_by_role("alert")).to_contain_text("Kwota musi wynosić od")
    expect(amount).to_have_attribute("aria-invalid", "true")
    check_axe(page)
    screenshot(page, "zaplac-blad")
    # Chosen invoices with none ticked: said before anything is sent.
    page.get_by_label("Wybrane faktury").check()
    page.get_by_label(newest["number"]).uncheck()
    page.get_by_role("button", name="Przejdź do płatności").click()
    expect(page.get_by_role("alert")).to_contain_text("Zaznacz co najmniej jedną fakturę.")
    check_axe(page)

    page.get_by_label(re.compile("Całą zaległość")).check()
    page.get_by_role("button", name="Przejdź do płatności").click()
    pay_at_gateway(page)

    page.wait_for_url(re.compile(r"/platnosc/powrot\?ServiceID=\d+&OrderID=\w+&Hash=\w+$"))
    status = page.get_by_role("status")
    expect(status).to_have_text(re.compile("^Płatność otrzymana"))
    expect(page.locator("#order-status")).to_have_text("opłacona, czeka na zaksięgowanie")
    expect(page.locator("#order-amount")).to_contain_text(money(newest["gross"]))
    expect(page.locator("#order-title-text")).to_have_text(newest["number"])
    check_axe(page)
    screenshot(page, "platnosc-powrot")
    assert_fits(page)

    page.get_by_role("link", name="Przejdź do pulpitu").click()
    page.wait_for_url(f"{stack.portal}/")
    expect(page.locator("#balance-text")).to_have_text("Wszystko rozliczone")
    expect(page.get_by_text("Nie masz nieopłaconych faktur.")).to_be_visible()
    check_axe(page)
    screenshot(page, "pulpit-po-platnosci")

    page.goto("/faktury?status=paid_pending_booking")
    row = page.get_by_role("row").filter(has_text=newest["number"])
    expect(row).to_contain_text("opłacona, czeka na zaksięgowanie")

    page.goto("/rozliczenia")
    history = page.get_by_role("region", name="Tabela wpłat")
    online = history.get_by_role("row", name=re.compile("płatność online"))
    expect(online).to_contain_text("opłacona, czeka na zaksięgowanie")
    expect(online).to_contain_text(money(newest["gross"]))
    ledger = page.get_by_role("region", name="Tabela rozliczeń")
    expect(ledger.get_by_role("row").nth(1)).to_contain_text("Płatność online")
    check_axe(page)
    screenshot(page, "rozliczenia")
    assert_fits(page)
    assert console_errors(page, ignore=r"status of (401|400)") == []


def test_settlements_page_by_page(page: Page, money_customers) -> None:
    log_in(page, DASHBOARD_CUSTOMER, "/rozliczenia")
    ledger = page.get_by_role("region", name="Tabela rozliczeń")
    # 12 invoices and 11 payments: 20 now, the rest on "Pokaż starsze".
    expect(ledger.get_by_role("row")).to_have_count(21)
    page.get_by_role("button", name="Pokaż starsze rozliczenia").click()
    expect(ledger.get_by_role("row")).to_have_count(24)
    expect(page.get_by_role("status")).to_have_text(f"Dodano 3{NBSP}pozycje.")
    expect(page.get_by_role("button", name="Pokaż starsze rozliczenia")).to_be_hidden()
    history = page.get_by_role("region", name="Tabela wpłat")
    expect(history.get_by_role("row")).to_have_count(12)
    expect(history).to_contain_text("przelew")
    check_axe(page)
    screenshot(page, "rozliczenia-wszystkie")


def test_a_refused_payment_and_one_in_progress(page: Page, money_customers) -> None:
    newest = _newest_invoice(DASHBOARD_CUSTOMER)
    log_in(page, DASHBOARD_CUSTOMER, "/faktury")
    page.get_by_role("link", name=newest["number"]).click()
    page.get_by_role("link", name="Zapłać tę fakturę").click()
    expect(page.get_by_label(newest["number"])).to_be_checked()
    page.get_by_role("button", name="Przejdź do płatności").click()
    pay_at_gateway(page, "Odrzuć")

    page.wait_for_url(re.compile(r"/platnosc/powrot\?"))
    expect(page.get_by_role("status")).to_have_text(re.compile("^Płatność nie powiodła się"))
    expect(page.locator("#order-status")).to_have_text("nieudana")
    check_axe(page)
    screenshot(page, "platnosc-nieudana")

    # Again, but leave the gateway without deciding: the order stays open and holds the
    # invoice, so another start is refused with a link to its state.
    page.get_by_role("link", name="Spróbuj zapłacić ponownie").click()
    page.get_by_role("button", name="Przejdź do płatności").click()
    page.wait_for_url(re.compile(r"/_local/bluemedia/payment$"))
    page.go_back()
    page.wait_for_url(re.compile(r"/zaplac"))
    page.get_by_role("button", name="Przejdź do płatności").click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"\S"))
    notice = page.locator("#in-progress")
    expect(notice).to_be_visible()
    check_axe(page)
    screenshot(page, "zaplac-w-toku")
    notice.get_by_role("link", name="Zobacz stan tej płatności").click()
    page.wait_for_url(re.compile(r"/platnosc/powrot\?OrderID=\w+$"))
    expect(page.locator("#order-status")).to_have_text("rozpoczęta")
    expect(page.get_by_role("status")).to_have_text(re.compile("^Płatność rozpoczęta"))
    check_axe(page)
    assert console_errors(page, ignore=r"status of (401|409)") == []


def test_the_return_page_without_an_order(page: Page, money_customers) -> None:
    log_in(page, PAYING_CUSTOMER, "/platnosc/powrot")
    expect(page.get_by_role("status")).to_have_text(re.compile("^Nie rozpoznajemy tej płatności"))
    check_axe(page)
