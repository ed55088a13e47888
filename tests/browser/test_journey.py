"""The journey of issue 11, by one customer in the browser, page after page as a real
customer goes: the demo customer 100002 (reserved for this test: `demo_data.NEW_CUSTOMER`
with the facts of its newest invoice) registers, activates the account from the e-mailed
link, logs in, downloads an invoice PDF from the dashboard, pays what is overdue through
the fake gateway, submits an implausible reading and confirms it, changes a consent on the
profile and logs out. axe on every page on the way; screenshots of the dashboard and the
payment's return page at 360 and 1280 px."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from scripts import demo_data
from tests.browser.conftest import check_axe, console_errors, outbox_link, screenshot
from tests.e2e.test_local_stack import Stack

CUSTOMER = demo_data.NEW_CUSTOMER
EMAIL = f"klient{CUSTOMER}@example.pl"
PHONE = "601 100 002"
PASSWORD = "Moja-Woda-Podroz-2026"
NBSP = "\u00a0"
# Answers the pages expect and show in Polish (the browser logs them as errors): the
# reading's plausibility warning is a 409; a 401 before logging in.
EXPECTED_ANSWERS = r"status of (401|409)"


def _newest(kind: str, **match: str) -> dict:
    return [
        line
        for line in demo_data.batch_lines()
        if line["type"] == kind and all(line[key] == value for key, value in match.items())
    ][-1]


def money(amount: str) -> str:
    """An amount ("123.45") as the pages show it: "123,45 zł" (no-break spaces)."""
    whole, fraction = amount.split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return NBSP.join([whole, *groups]) + f",{fraction}{NBSP}zł"


def m3(litres: int) -> str:
    """Litres as the customer types m³ ("123,456")."""
    return f"{litres // 1000},{litres % 1000:03d}"


def shown_m3(litres: int) -> str:
    """Litres as the pages show m³ ("1 234,567 m³")."""
    return f"{litres // 1000:,}".replace(",", NBSP) + f",{litres % 1000:03d}{NBSP}m³"


def test_the_customer_journey(page: Page, stack: Stack) -> None:
    facts = demo_data.facts()
    invoice = _newest("invoice", customer_number=CUSTOMER)
    assert (facts.new_customer, facts.invoice_number) == (CUSTOMER, invoice["number"])

    # 1. Registration with the three facts from the invoice.
    page.goto("/rejestracja")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_axe(page)
    page.get_by_label("Numer klienta (1)").fill(facts.new_customer)
    page.get_by_label("Numer faktury (2)").fill(facts.invoice_number)
    page.get_by_label("Kwota brutto tej faktury (3)").fill(facts.invoice_gross)
    page.get_by_label("Adres e-mail", exact=True).fill(EMAIL)
    page.get_by_label("Numer telefonu (nieobowiązkowo)").fill(PHONE)
    page.get_by_label("Hasło", exact=True).fill(PASSWORD)
    page.get_by_label("Powtórz hasło").fill(PASSWORD)
    page.get_by_label(re.compile("^Akceptuję regulamin")).check()
    page.locator("#consent-email_notices").check()
    check_axe(page)
    page.get_by_role("button", name="Załóż konto").click()
    expect(page.get_by_role("heading", name="Sprawdź skrzynkę e-mail", level=2)).to_be_focused()
    expect(page.locator("#registered-email")).to_have_text(EMAIL)
    check_axe(page)

    # 2. The activation e-mail in the local outbox (the API's page), its link, activation.
    link = outbox_link(stack, EMAIL, "aktywacja")  # waits until it is sent
    page.goto(f"{stack.url}/_local/outbox")
    check_axe(page)
    page.get_by_role("row").filter(has_text=EMAIL).get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/_local/outbox/[\w-]+$"))
    in_mail = page.locator(f"a[href='{link}']").first
    expect(in_mail).to_be_visible()
    in_mail.click()
    page.wait_for_url(link)
    expect(page.get_by_role("heading", name="Aktywacja konta", level=1)).to_be_visible()
    check_axe(page)
    page.get_by_role("button", name="Aktywuj konto").click()
    expect(page.get_by_role("heading", name="Konto jest aktywne", level=2)).to_be_focused()
    check_axe(page)

    # 3. Login, from the activation page's link.
    page.locator("#done").get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/logowanie$"))
    check_axe(page)
    page.get_by_label("Numer klienta").fill(CUSTOMER)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(f"{stack.portal}/")
    expect(page.locator("#customer-number")).to_have_text(CUSTOMER)

    # 4. The dashboard: what is overdue, and the unpaid invoice's PDF.
    expect(page.locator("#overdue")).to_have_text(money(invoice["gross"]))
    unpaid = page.get_by_role("region", name="Tabela faktur do zapłaty")
    expect(unpaid.get_by_role("row")).to_have_count(2)
    check_axe(page)
    screenshot(page, "podroz-pulpit")
    with page.expect_download() as download_info:
        unpaid.get_by_role("button", name=f"Pobierz PDF faktury {invoice['number']}").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    expect(page.get_by_role("status")).to_have_text(
        f"Pobieranie faktury {invoice['number']} rozpoczęte."
    )
    check_axe(page)

    # 5. Pay the overdue amount at the fake gateway; the status on the return page, then
    #    on the dashboard.
    page.get_by_role("main").get_by_role("link", name="Zapłać", exact=True).click()
    page.wait_for_url(re.compile(r"/zaplac\?co=zaleglosc$"))
    overdue = page.get_by_label(re.compile("Całą zaległość"))
    expect(overdue).to_be_checked()
    expect(overdue).to_have_accessible_name(f"Całą zaległość: {money(invoice['gross'])}")
    check_axe(page)
    page.get_by_role("button", name="Przejdź do płatności").click()
    page.wait_for_url(re.compile(r"/_local/bluemedia/payment$"))
    expect(page.get_by_role("heading", name=re.compile("Bramka płatności"))).to_be_visible()
    check_axe(page)  # the local stand-in for the gateway, on the API's origin
    page.get_by_role("button", name="Zapłać", exact=True).click()
    page.wait_for_url(re.compile(r"/platnosc/powrot\?ServiceID=\d+&OrderID=\w+&Hash=\w+$"))
    expect(page.get_by_role("status")).to_have_text(re.compile("^Płatność otrzymana"))
    expect(page.locator("#order-status")).to_have_text("opłacona, czeka na zaksięgowanie")
    expect(page.locator("#order-amount")).to_contain_text(money(invoice["gross"]))
    check_axe(page)
    screenshot(page, "podroz-platnosc-powrot")
    page.get_by_role("link", name="Przejdź do pulpitu").click()
    page.wait_for_url(f"{stack.portal}/")
    expect(page.locator("#balance-text")).to_have_text("Wszystko rozliczone")
    expect(page.get_by_text("Nie masz nieopłaconych faktur.")).to_be_visible()
    check_axe(page)
    screenshot(page, "podroz-pulpit-po-platnosci")

    # 6. A reading: an implausible one, the warning, confirmed, then in the history.
    meter = f"WM-{CUSTOMER}"
    reading = _newest("reading", meter=meter)
    whole, fraction = reading["value"].split(",")
    unusual = int(whole) * 1000 + int(fraction) + 250_000  # 250 m³ in a month
    page.get_by_role("link", name=f"Podaj odczyt wodomierza {meter}").click()
    page.wait_for_url(re.compile(r"/wodomierze$"))
    check_axe(page)
    page.get_by_label("Stan licznika (m³)").fill(m3(unusual))
    page.get_by_role("button", name="Wyślij odczyt").click()
    step = page.get_by_role("alert").filter(has_text="Sprawdź odczyt")
    expect(step).to_be_focused()
    expect(step).to_contain_text("znacznie wyższe niż zwykle")
    check_axe(page)
    step.get_by_role("button", name="Tak, odczyt jest poprawny").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Odczyt {shown_m3(unusual)}")
    expect(step).to_be_hidden()
    card = page.get_by_role("region", name=f"Wodomierz {meter}, piwnica")
    card.get_by_role("button", name=f"Historia odczytów wodomierza {meter}").click()
    history = card.get_by_role("table", name=f"Historia odczytów wodomierza {meter}")
    newest = history.locator("tbody tr").first
    expect(newest).to_contain_text(shown_m3(unusual))
    expect(newest).to_contain_text("potwierdzony nietypowy")
    check_axe(page)

    # 7. A consent on the profile, and its history.
    page.get_by_role("navigation").get_by_role("link", name="Profil").click()
    page.wait_for_url(re.compile(r"/profil$"))
    consents = page.get_by_role("region", name="Zgody", exact=True)
    rows = consents.get_by_role("table").locator("tbody tr")
    expect(rows.first).to_be_visible()
    before = rows.count()
    check_axe(page)
    sms = consents.get_by_label("Powiadomienia SMS")
    expect(sms).not_to_be_checked()
    sms.check()
    consents.get_by_role("button", name="Zapisz zgody").click()
    expect(consents.get_by_role("status")).to_have_text(
        "Zapisano. Powiadomienia SMS: zgoda wyrażona."
    )
    expect(rows).to_have_count(before + 1)
    expect(rows.first.locator("td").nth(1)).to_have_text("Powiadomienia SMS")
    expect(rows.first.locator("td").nth(2)).to_have_text("Wyrażona")
    check_axe(page)

    # 8. Logout; the dashboard then asks to log in.
    page.get_by_role("button", name="Wyloguj").click()
    page.wait_for_url(re.compile(r"/logowanie\?wylogowano=1$"))
    expect(page.get_by_role("status")).to_have_text("Wylogowano. Do zobaczenia!")
    check_axe(page)
    page.goto("/")
    page.wait_for_url(re.compile(r"/logowanie\?next=%2F$"))
    expect(page.get_by_role("status")).to_have_text("Zaloguj się, aby przejść dalej.")
    check_axe(page)
    assert console_errors(page, ignore=EXPECTED_ANSWERS) == []
