"""The profile page (/profil) in Chromium: phone, consents and their history (also by
keyboard alone), the e-mail change with the current password, the password change, recent
logins, the terms, logout; axe in every state and screenshots.

Customers 100009 and 100010 are this module's own (registered here through the API)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import boto3
import pytest
from playwright.sync_api import Page, expect

from chalicelib.content.terms import CURRENT_TERMS_VERSION
from tests.browser.conftest import (
    check_axe,
    console_errors,
    outbox_link,
    outbox_messages,
    register_customer,
    screenshot,
)
from tests.e2e.test_local_stack import Stack

PASSWORD = "Profil-Haslo-Wodne-2026"
NEW_PASSWORD = "Nowe-Haslo-Do-Profilu-2026"
WARSAW_MOMENT = re.compile(r"^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$")
# The browser's console notes on error answers the page shows to the customer.
ERROR_ANSWERS = r"status of 4(00|01)"


@dataclass(frozen=True)
class Customer:
    login: str
    email: str
    password: str


def register(stack: Stack, login: str) -> Customer:
    """Register and activate `login` (a demo customer) through the API, as the portal would."""
    email = f"profil{login}@example.pl"
    register_customer(
        stack,
        login,
        email,
        PASSWORD,
        phone=f"+48601{login}",
        consents={"email_notices": True, "sms_notices": False},
    )
    return Customer(login, email, PASSWORD)


@pytest.fixture(scope="module")
def customer(stack: Stack) -> Customer:
    """Customer 100009: phone, consents, e-mail, logins, logout."""
    return register(stack, "100009")


@pytest.fixture(scope="module")
def second_customer(stack: Stack) -> Customer:
    """Customer 100010: the password change and the terms."""
    return register(stack, "100010")


def log_in(page: Page, who: Customer, password: str | None = None) -> None:
    page.goto("/logowanie?next=/profil")
    page.get_by_label("Numer klienta").fill(who.login)
    page.get_by_label("Hasło").fill(password or who.password)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(re.compile(r"/profil$"))
    expect(page.get_by_role("heading", name="Profil", level=1)).to_be_visible()
    expect(page.locator("#profile")).to_be_visible()


def section(page: Page, title: str):
    return page.get_by_role("region", name=title, exact=True)


def test_phone_change_and_its_validation_in_polish(page: Page, customer: Customer) -> None:
    log_in(page, customer)
    phone = section(page, "Telefon")
    field = phone.get_by_label("Numer telefonu komórkowego")
    expect(field).to_have_value(f"+48601{customer.login}")
    check_axe(page)
    screenshot(page, "profil")

    field.fill("12345")
    phone.get_by_role("button", name="Zapisz telefon").click()
    summary = phone.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Nieprawidłowy numer telefonu")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile("Nieprawidłowy numer telefonu"))
    check_axe(page)
    screenshot(page, "profil-telefon-blad")
    summary.get_by_role("link").click()
    expect(field).to_be_focused()

    field.fill("512 345 678")
    phone.get_by_role("button", name="Zapisz telefon").click()
    expect(phone.get_by_role("status")).to_have_text("Zapisano numer telefonu +48512345678.")
    expect(field).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#phone-now")).to_have_text("+48512345678")
    page.reload()
    expect(section(page, "Telefon").get_by_label("Numer telefonu komórkowego")).to_have_value(
        "+48512345678"
    )
    assert console_errors(page, ignore=ERROR_ANSWERS) == []


def test_consent_change_grows_its_history(page: Page, customer: Customer) -> None:
    log_in(page, customer)
    consents = section(page, "Zgody")
    history = consents.get_by_role("table")
    rows_before = history.locator("tbody tr").count()
    assert rows_before >= 1  # the registration's decisions
    sms = consents.get_by_label("Powiadomienia SMS")
    expect(sms).not_to_be_checked()
    sms.check()
    consents.get_by_role("button", name="Zapisz zgody").click()
    expect(consents.get_by_role("status")).to_have_text(
        "Zapisano. Powiadomienia SMS: zgoda wyrażona."
    )
    expect(history.locator("tbody tr")).to_have_count(rows_before + 1)
    newest = history.locator("tbody tr").first.locator("td")
    assert WARSAW_MOMENT.match(newest.nth(0).inner_text())
    expect(newest.nth(1)).to_have_text("Powiadomienia SMS")
    expect(newest.nth(2)).to_have_text("Wyrażona")
    expect(newest.nth(3)).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    expect(newest.nth(4)).to_have_text("Profil")
    expect(sms).to_have_accessible_description(re.compile(r"^Wyrażona \d{2}\.\d{2}\.\d{4} "))

    # Withdrawing it is recorded too; nothing changed, nothing recorded.
    sms.uncheck()
    consents.get_by_role("button", name="Zapisz zgody").click()
    expect(history.locator("tbody tr")).to_have_count(rows_before + 2)
    expect(history.locator("tbody tr").first.locator("td").nth(2)).to_have_text("Wycofana")
    consents.get_by_role("button", name="Zapisz zgody").click()
    expect(consents.get_by_role("status")).to_contain_text("Nic się nie zmieniło")
    expect(history.locator("tbody tr")).to_have_count(rows_before + 2)
    check_axe(page)
    screenshot(page, "profil-zgody")
    assert console_errors(page) == []


def test_sms_consent_without_a_phone_is_explained_next_to_it(
    page: Page, second_customer: Customer
) -> None:
    log_in(page, second_customer)
    phone = section(page, "Telefon")
    phone.get_by_label("Numer telefonu komórkowego").fill("")
    phone.get_by_role("button", name="Zapisz telefon").click()
    expect(phone.get_by_role("status")).to_have_text("Usunięto numer telefonu.")
    consents = section(page, "Zgody")
    sms = consents.get_by_label("Powiadomienia SMS")
    sms.check()
    consents.get_by_role("button", name="Zapisz zgody").click()
    expect(consents.get_by_role("alert")).to_contain_text("Zgoda na SMS wymaga numeru telefonu.")
    expect(sms).to_have_attribute("aria-invalid", "true")
    check_axe(page)
    screenshot(page, "profil-zgody-blad")


def test_consent_change_by_keyboard_alone(page: Page, customer: Customer) -> None:
    log_in(page, customer)
    consents = section(page, "Zgody")
    rows_before = consents.locator("tbody tr").count()
    email_box = consents.get_by_label("Powiadomienia e-mail")
    expect(email_box).to_be_checked()
    # From the page's own table of contents to the consents, then Tab, Space, Tab, Enter.
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Enter")
    for _ in range(25):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href') === '#consents-title'"):
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Zgody", level=2)).to_be_focused()
    page.keyboard.press("Tab")
    expect(email_box).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Space")
    expect(email_box).not_to_be_checked()
    page.keyboard.press("Tab")  # the SMS consent
    page.keyboard.press("Tab")
    expect(consents.get_by_role("button", name="Zapisz zgody")).to_be_focused()
    page.keyboard.press("Enter")
    expect(consents.get_by_role("status")).to_have_text(
        "Zapisano. Powiadomienia e-mail: zgoda wycofana."
    )
    expect(consents.locator("tbody tr")).to_have_count(rows_before + 1)
    # And back, so the customer keeps their e-mail notices.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(email_box).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(consents.locator("tbody tr")).to_have_count(rows_before + 2)
    expect(email_box).to_be_checked()


def test_email_change_needs_the_current_password(
    page: Page, customer: Customer, stack: Stack
) -> None:
    log_in(page, customer)
    form = section(page, "Adres e-mail")
    form.get_by_role("button", name="Zmień adres e-mail").click()
    expect(form.get_by_role("alert")).to_contain_text("Podaj nowy adres e-mail.")
    check_axe(page)

    new_email = f"nowy{customer.login}@example.pl"
    form.get_by_label("Nowy adres e-mail").fill(new_email)
    password = form.get_by_label("Obecne hasło")
    password.fill("To-Nie-Jest-Moje-Haslo")
    form.get_by_role("button", name="Zmień adres e-mail").click()
    summary = form.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Obecne hasło jest nieprawidłowe.")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(re.compile("Obecne hasło jest nieprawidłowe."))
    check_axe(page)
    screenshot(page, "profil-email-blad")

    password.fill(customer.password)
    form.get_by_role("button", name="Zmień adres e-mail").click()
    told = form.get_by_role("status")
    expect(told).to_contain_text(f"Wysłaliśmy link potwierdzający na adres {new_email}")
    expect(told).to_contain_text(f"Na dotychczasowy adres {customer.email} wysłaliśmy")
    expect(form.locator("#pending-email")).to_contain_text(new_email)
    assert outbox_link(stack, new_email, "potwierdz-email")
    assert outbox_link(stack, customer.email, "anuluj-zmiane-email")
    check_axe(page)
    screenshot(page, "profil-email-wyslano")
    assert console_errors(page, ignore=ERROR_ANSWERS) == []


def test_password_change_then_login_with_the_new_one(
    page: Page, second_customer: Customer, stack: Stack
) -> None:
    log_in(page, second_customer)
    form = section(page, "Hasło")
    # The rules are there before typing, and belong to the new password's field.
    new = form.get_by_label("Nowe hasło", exact=True)
    expect(new).to_have_accessible_description(re.compile("co najmniej 12 znaków"))
    form.get_by_label("Obecne hasło").fill(second_customer.password)
    new.fill(NEW_PASSWORD)
    form.get_by_label("Powtórz nowe hasło").fill(NEW_PASSWORD + "x")
    form.get_by_role("button", name="Zmień hasło").click()
    expect(form.get_by_role("alert")).to_contain_text("Hasła nie są identyczne.")
    form.get_by_label("Powtórz nowe hasło").fill("krotkie")
    new.fill("krotkie")
    form.get_by_role("button", name="Zmień hasło").click()
    expect(form.get_by_role("alert")).to_contain_text("Hasło musi mieć co najmniej 12 znaków.")
    expect(new).to_have_attribute("aria-invalid", "true")
    check_axe(page)
    screenshot(page, "profil-haslo-blad")

    new.fill(NEW_PASSWORD)
    form.get_by_label("Powtórz nowe hasło").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Zmień hasło").click()
    expect(form.get_by_role("status")).to_contain_text("Hasło zostało zmienione.")
    expect(form.get_by_label("Obecne hasło")).to_have_value("")
    sent = [m["subject"] for m in outbox_messages(stack) if m["to"] == second_customer.email]
    assert "Hasło do IBOK zostało zmienione" in sent, sent

    page.get_by_role("button", name="Wyloguj").click()
    page.wait_for_url(re.compile(r"/logowanie\?wylogowano=1$"))
    page.get_by_label("Numer klienta").fill(second_customer.login)
    page.get_by_label("Hasło").fill(second_customer.password)
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.get_by_role("alert")).to_contain_text("Nieprawidłowy login lub hasło.")
    log_in(page, second_customer, NEW_PASSWORD)


def test_recent_logins_are_listed(page: Page, customer: Customer) -> None:
    # A failed attempt first, then the login that opens the page.
    page.goto("/logowanie")
    page.get_by_label("Numer klienta").fill(customer.login)
    page.get_by_label("Hasło").fill("Nie-To-Haslo-Klienta")
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.get_by_role("alert")).to_be_visible()
    log_in(page, customer)
    logins = section(page, "Ostatnie logowania").get_by_role("table")
    newest, failed = (logins.locator("tbody tr").nth(i).locator("td") for i in (0, 1))
    assert WARSAW_MOMENT.match(newest.nth(0).inner_text()), newest.nth(0).inner_text()
    expect(newest.nth(1)).to_have_text(re.compile(r"^Chrome, Linux$"))
    expect(newest.nth(2)).to_have_text(re.compile(r"^127\.0\.0\.1$|^[\d.:a-f]+$"))
    expect(newest.nth(3)).to_have_text("Udane")
    expect(failed.nth(3)).to_have_text("Nieudane (błędne hasło)")
    check_axe(page)
    screenshot(page, "profil-logowania")


def test_time_of_day_is_shown_in_warsaw(page: Page) -> None:
    page.goto("/logowanie")
    shown = page.evaluate(
        """async () => {
          const f = await import('/js/format.js');
          return [f.time('2026-11-01T23:05:00Z'), f.time('2026-07-01T22:30:00Z'), f.time('')];
        }"""
    )
    assert shown == ["00:05", "00:30", ""]


@pytest.fixture
def old_terms(stack: Stack, customer: Customer) -> None:
    """Customer 100009 accepted an older terms version (as if staff had published a new
    one since): written straight into the stack's DynamoDB, as no API can do it yet."""
    table = boto3.resource(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{stack.moto_port}",
        region_name="eu-central-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    ).Table("ibok-local-accounts")
    table.update_item(
        Key={"pk": f"ACCOUNT#{customer.login}", "sk": "ACCOUNT"},
        UpdateExpression="SET terms_version = :old",
        ExpressionAttributeValues={":old": "2025-01-01"},
    )


def test_terms_are_shown_and_a_newer_version_accepted(
    page: Page, customer: Customer, old_terms: None
) -> None:
    log_in(page, customer)
    terms = section(page, "Regulamin")
    expect(terms.locator("#terms-version")).to_have_text("2025-01-01")
    assert WARSAW_MOMENT.match(terms.locator("#terms-accepted-at").inner_text())
    expect(terms.locator(".notice")).to_contain_text("obowiązuje nowa wersja regulaminu")
    expect(terms.get_by_role("heading", name=re.compile("^§1\\."))).to_be_visible()
    terms.get_by_role("button", name="Akceptuję regulamin").click()
    expect(terms.get_by_role("alert")).to_contain_text("Zaznacz, że akceptujesz regulamin.")
    check_axe(page)
    screenshot(page, "profil-regulamin")
    terms.get_by_label(re.compile("akceptuję regulamin w wersji")).check()
    terms.get_by_role("button", name="Akceptuję regulamin").click()
    expect(terms.get_by_role("status")).to_have_text(
        f"Dziękujemy. Zaakceptowano regulamin w wersji {CURRENT_TERMS_VERSION}."
    )
    expect(terms.locator("#terms-version")).to_have_text(CURRENT_TERMS_VERSION)
    expect(terms.locator("#terms-due")).to_be_hidden()
    check_axe(page)


def test_logout_ends_the_session_on_the_server(page: Page, customer: Customer) -> None:
    log_in(page, customer)
    cookie = next(c for c in page.context.cookies() if c["name"] == "__Host-ibok_session")
    page.get_by_role("button", name="Wyloguj").click()
    page.wait_for_url(re.compile(r"/logowanie\?wylogowano=1$"))
    # The old cookie, put back, opens nothing: the session is gone, not only the cookie.
    page.context.add_cookies([cookie])
    assert page.evaluate("fetch('/api/me').then((answer) => answer.status)") == 401
    page.goto("/profil")
    page.wait_for_url(re.compile(r"/logowanie\?next=%2Fprofil$"))


def test_profile_at_320_px_and_200_percent_zoom(page: Page, customer: Customer) -> None:
    log_in(page, customer)
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    check_axe(page)
    page.set_viewport_size({"width": 640, "height": 400})  # 1280 px at 200 %
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
