"""The public account pages in Chromium: registration (the invoice picture, the password
rules before typing, errors per field and in the summary, keyboard only), activation from
the e-mailed link, "Nie pamiętam hasła" and the new password, the e-mail change links;
every page and state checked with axe, at 320 px, and photographed.

Demo customers of this area: 100003 registers through the page (keyboard only); 100004
through the API, then forgets the password and changes the e-mail address."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from chalicelib.services.profile import EMAIL_CANCEL_FAILED, EMAIL_CHANGE_FAILED
from chalicelib.services.registration import ACTIVATION_FAILED, PROOF_FAILED
from chalicelib.services.sessions import RESET_FAILED
from scripts import demo_data
from tests.browser.conftest import check_axe, console_errors, outbox_link, screenshot
from tests.browser.test_login import assert_focus_visible, tab_to

KEYBOARD_CUSTOMER = "100003"
API_CUSTOMER = "100004"
PASSWORD = "Woda z kranu 2026"
NEW_PASSWORD = "Nowe haslo do IBOK 77"
WEAK_PASSWORD = "123456qwerty"  # long enough, but on the common-password list
SAME_ANSWER = (
    "Jeśli konto istnieje, wysłaliśmy na jego adres e-mail link do ustawienia nowego hasła."
)
NO_TOKEN = "Ten adres nie zawiera kodu z wiadomości e-mail."
LINK_PAGES = {
    # page: (its button, its message for a wrong, expired or used link)
    "aktywacja": ("Aktywuj konto", ACTIVATION_FAILED),
    "nowe-haslo": ("Zapisz nowe hasło", RESET_FAILED),
    "potwierdz-email": ("Potwierdź adres e-mail", EMAIL_CHANGE_FAILED),
    "anuluj-zmiane-email": ("Anuluj zmianę adresu", EMAIL_CANCEL_FAILED),
}


def invoice_facts(customer: str) -> tuple[str, str]:
    """The number and the gross amount ("123,45") of the customer's newest demo invoice."""
    newest = [
        line
        for line in demo_data.batch_lines()
        if line["type"] == "invoice" and line["customer_number"] == customer
    ][-1]
    return newest["number"], newest["gross"].replace(".", ",")


def email_of(customer: str) -> str:
    return f"konto{customer}@example.pl"


def fits_320(page: Page) -> None:
    """No horizontal scrolling at 320 px (and axe holds there too)."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.url
    check_axe(page)
    page.set_viewport_size(size)


def log_in(page: Page, login: str, password: str) -> None:
    page.get_by_label("Numer klienta").fill(login)
    page.get_by_label("Hasło").fill(password)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("#customer-number")).to_have_text(login)


def outcome(page: Page, title: str):
    """The outcome heading `title`, which has the focus (so it is read out)."""
    heading = page.get_by_role("heading", name=title, level=2)
    expect(heading).to_be_focused()
    return heading


@pytest.fixture(scope="module")
def api_account(stack) -> dict[str, Any]:
    """100004, registered and activated through the API as the customer would; the dict
    follows its e-mail address and password as the tests change them."""
    number, gross = invoice_facts(API_CUSTOMER)
    terms = requests.get(f"{stack.url}/terms", timeout=5).json()
    body = {
        "customer_number": API_CUSTOMER,
        "invoice_number": number,
        "invoice_gross": gross,
        "email": email_of(API_CUSTOMER),
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "accept_terms": terms["version"],
    }
    answer = requests.post(f"{stack.url}/auth/register", json=body, timeout=10)
    assert answer.status_code == 201, answer.text
    token = outbox_link(stack, email_of(API_CUSTOMER), "aktywacja").split("#token=")[1]
    answer = requests.post(f"{stack.url}/auth/activate", json={"token": token}, timeout=10)
    assert answer.status_code == 200, answer.text
    return {"login": API_CUSTOMER, "email": email_of(API_CUSTOMER), "password": PASSWORD}


def test_registration_by_keyboard_alone_then_activation_and_login(page: Page, stack) -> None:
    number, gross = invoice_facts(KEYBOARD_CUSTOMER)
    email = email_of(KEYBOARD_CUSTOMER)
    page.goto("/rejestracja")
    # The three facts are explained with a picture and its text alternative.
    picture = page.get_by_role("img", name=re.compile(r"^Wzór faktury"))
    expect(picture).to_be_visible()
    assert page.evaluate("document.querySelector('.invoice-help img').naturalWidth") > 0
    marks = page.locator(".invoice-marks li")
    expect(marks).to_have_count(3)
    expect(marks.nth(2)).to_contain_text("Kwota brutto")
    # The password rules are there before anything is typed, with the API's minimum.
    rules = page.locator("#password-rules")
    expect(rules).to_contain_text("co najmniej 12 znaków")
    expect(page.get_by_label("Hasło", exact=True)).to_have_accessible_description(
        re.compile("co najmniej 12 znaków")
    )
    expect(page.get_by_label(re.compile("^Akceptuję regulamin IBOK"))).to_be_visible()
    check_axe(page)
    screenshot(page, "rejestracja")

    typed = [
        ("#customer_number", KEYBOARD_CUSTOMER),
        ("#invoice_number", number),
        ("#invoice_gross", gross),
        ("#email", email),
        ("#phone", "601 234 567"),
        ("#password", PASSWORD),
        ("#password_confirm", PASSWORD),
    ]
    for selector, text in typed:
        tab_to(page, selector)
        assert_focus_visible(page)
        page.keyboard.type(text)
    # The terms open from the keyboard, then acceptance and one consent by Space.
    tab_to(page, "details.terms summary")
    page.keyboard.press("Enter")
    expect(page.locator("#terms-text h3")).to_have_text(re.compile("^Regulamin"))
    check_axe(page)
    tab_to(page, "#accept_terms")
    page.keyboard.press("Space")
    tab_to(page, "#consent-email_notices")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]")
    assert_focus_visible(page)
    page.keyboard.press("Enter")

    outcome(page, "Sprawdź skrzynkę e-mail")
    expect(page.locator("#registered-email")).to_have_text(email)
    expect(page.locator("#registered-until")).to_have_text(re.compile(r"^\d\d\.\d\d\.\d{4}, "))
    expect(page.locator("#register-form")).to_be_hidden()
    check_axe(page)
    screenshot(page, "rejestracja-wyslano")

    link = outbox_link(stack, email, "aktywacja")
    page.goto(link)
    expect(page.get_by_role("heading", name="Aktywacja konta", level=1)).to_be_visible()
    check_axe(page)
    screenshot(page, "aktywacja")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    outcome(page, "Konto jest aktywne")
    expect(page.locator("#done [data-message]")).to_have_text(
        "Konto zostało aktywowane. Możesz się zalogować."
    )
    check_axe(page)
    screenshot(page, "aktywacja-gotowe")
    tab_to(page, "#done a")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/logowanie$"))
    tab_to(page, "#login")
    page.keyboard.type(KEYBOARD_CUSTOMER)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("#customer-number")).to_have_text(KEYBOARD_CUSTOMER)

    # The link was used: opened again, it says so and where to go on.
    page.goto("/logowanie")
    page.goto(link)
    page.get_by_role("button", name="Aktywuj konto").click()
    outcome(page, "Nie udało się aktywować konta")
    expect(page.locator("#failed [data-message]")).to_have_text(ACTIVATION_FAILED)
    expect(page.locator("#failed").get_by_role("link", name="zaloguj się")).to_be_visible()
    check_axe(page)
    screenshot(page, "aktywacja-uzyty-link")
    assert console_errors(page, ignore=r"status of 400") == []


def fill_registration(page: Page, **values: str) -> None:
    labels = {
        "customer_number": "Numer klienta (1)",
        "invoice_number": "Numer faktury (2)",
        "invoice_gross": "Kwota brutto tej faktury (3)",
        "email": "Adres e-mail",
        "password": "Hasło",
        "password_confirm": "Powtórz hasło",
    }
    for name, value in values.items():
        page.get_by_label(labels[name], exact=True).fill(value)


def test_registration_errors_per_field_and_in_the_summary(page: Page) -> None:
    number, gross = invoice_facts(API_CUSTOMER)
    page.goto("/rejestracja")
    expect(page.locator("#password-rules li")).to_have_count(4)
    submit = page.get_by_role("button", name="Załóż konto")
    summary = page.get_by_role("alert")

    # Nothing filled in: every required field says what it needs.
    submit.click()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(7)
    expect(page.get_by_label("Numer klienta (1)")).to_have_accessible_description(
        "Z ramki w prawym górnym rogu faktury, np. 100123. Podaj numer klienta z faktury."
    )
    check_axe(page)
    screenshot(page, "rejestracja-bledy")
    summary.get_by_role("link", name="Zaakceptuj regulamin, aby założyć konto.").click()
    expect(page.get_by_label(re.compile("^Akceptuję regulamin"))).to_be_focused()

    # The page's own checks: the passwords differ; SMS without a phone.
    fill_registration(
        page,
        customer_number=API_CUSTOMER,
        invoice_number=number,
        invoice_gross=gross,
        email=email_of("x"),
        password=PASSWORD,
        password_confirm=PASSWORD + "!",
    )
    page.get_by_label(re.compile("^Akceptuję regulamin")).check()
    page.locator("#consent-sms_notices").check()
    submit.click()
    expect(summary).to_be_focused()
    expect(page.get_by_label("Powtórz hasło")).to_have_accessible_description(
        re.compile("Hasła nie są identyczne")
    )
    expect(page.get_by_label("Numer telefonu (nieobowiązkowo)")).to_have_attribute(
        "aria-invalid", "true"
    )
    check_axe(page)
    page.locator("#consent-sms_notices").uncheck()

    # The API's field messages: a malformed e-mail address and amount.
    fill_registration(
        page, email="jan.kowalski@", invoice_gross="12,3,4", password_confirm=PASSWORD
    )
    submit.click()
    expect(summary).to_contain_text("Nieprawidłowy adres e-mail.")
    expect(page.get_by_label("Adres e-mail", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Kwota brutto tej faktury (3)")).to_have_accessible_description(
        re.compile("Nieprawidłowa kwota")
    )
    check_axe(page)

    # A weak password: the reason, next to the password.
    fill_registration(
        page,
        email=email_of("x"),
        invoice_gross=gross,
        password=WEAK_PASSWORD,
        password_confirm=WEAK_PASSWORD,
    )
    submit.click()
    expect(summary).to_be_focused()
    reason = "To hasło jest zbyt popularne i łatwe do odgadnięcia. Wybierz inne."
    expect(summary.get_by_role("link", name=reason)).to_be_visible()
    expect(page.get_by_label("Hasło", exact=True)).to_have_accessible_description(
        re.compile(re.escape(reason))
    )
    check_axe(page)
    screenshot(page, "rejestracja-slabe-haslo")

    # A wrong fact: the one generic message, no field blamed.
    fill_registration(
        page,
        invoice_gross="1,00",
        password=PASSWORD,
        password_confirm=PASSWORD,
    )
    submit.click()
    expect(summary).to_be_focused()
    expect(summary.locator("li")).to_have_text([PROOF_FAILED])
    expect(page.locator("[aria-invalid=true]")).to_have_count(0)
    check_axe(page)
    screenshot(page, "rejestracja-zle-dane")
    assert console_errors(page, ignore=r"status of 400") == []


def test_forgotten_password_then_a_new_one(page: Page, stack, api_account) -> None:
    page.goto("/logowanie")
    page.get_by_role("link", name="Nie pamiętam hasła").click()
    page.wait_for_url(re.compile(r"/nie-pamietam-hasla$"))
    check_axe(page)
    screenshot(page, "nie-pamietam-hasla")
    page.get_by_role("button", name="Wyślij link").click()
    expect(page.get_by_label("Numer klienta lub adres e-mail")).to_have_attribute(
        "aria-invalid", "true"
    )
    check_axe(page)

    # An unknown login gets the same answer as a real one.
    page.get_by_label("Numer klienta lub adres e-mail").fill("nikt@example.pl")
    page.get_by_role("button", name="Wyślij link").click()
    outcome(page, "Sprawdź skrzynkę e-mail")
    expect(page.locator("#done [data-message]")).to_have_text(SAME_ANSWER)
    page.goto("/nie-pamietam-hasla")
    page.get_by_label("Numer klienta lub adres e-mail").fill(api_account["login"])
    page.get_by_role("button", name="Wyślij link").click()
    outcome(page, "Sprawdź skrzynkę e-mail")
    expect(page.locator("#done [data-message]")).to_have_text(SAME_ANSWER)
    check_axe(page)
    screenshot(page, "nie-pamietam-hasla-wyslano")

    link = outbox_link(stack, api_account["email"], "nowe-haslo")
    page.goto(link)
    expect(page.locator("#password-rules")).to_contain_text("co najmniej 12 znaków")
    check_axe(page)
    screenshot(page, "nowe-haslo")
    new_password = page.get_by_label("Nowe hasło", exact=True)
    confirm = page.get_by_label("Powtórz nowe hasło")
    save = page.get_by_role("button", name="Zapisz nowe hasło")
    new_password.fill("za krotkie")
    confirm.fill("za krotkie")
    save.click()
    expect(new_password).to_have_accessible_description(
        re.compile("Hasło musi mieć co najmniej 12 znaków.")
    )
    new_password.fill(WEAK_PASSWORD)
    confirm.fill(WEAK_PASSWORD)
    save.click()
    expect(page.get_by_role("alert")).to_contain_text("To hasło jest zbyt popularne")
    expect(new_password).to_have_attribute("aria-invalid", "true")
    check_axe(page)
    screenshot(page, "nowe-haslo-bledy")
    new_password.fill(NEW_PASSWORD)
    confirm.fill(NEW_PASSWORD)
    page.get_by_label("Pokaż hasła").check()
    expect(new_password).to_have_attribute("type", "text")
    save.click()
    outcome(page, "Hasło zmienione")
    check_axe(page)
    screenshot(page, "nowe-haslo-gotowe")
    api_account["password"] = NEW_PASSWORD

    page.get_by_role("link", name="Zaloguj się").click()
    page.wait_for_url(re.compile(r"/logowanie$"))
    log_in(page, api_account["login"], NEW_PASSWORD)

    # The link works once.
    page.goto("/logowanie")
    page.goto(link)
    new_password.fill(PASSWORD + "?")
    confirm.fill(PASSWORD + "?")
    save.click()
    outcome(page, "Nie udało się ustawić hasła")
    expect(page.locator("#failed [data-message]")).to_have_text(RESET_FAILED)
    expect(page.get_by_role("link", name="Poproś o nowy link")).to_be_visible()
    check_axe(page)
    screenshot(page, "nowe-haslo-uzyty-link")
    assert console_errors(page, ignore=r"status of 400") == []


@pytest.mark.parametrize("name", list(LINK_PAGES))
def test_a_link_page_without_a_token_or_with_a_wrong_one(page: Page, name: str) -> None:
    button, failed = LINK_PAGES[name]
    page.goto(f"/{name}")
    expect(page.locator("#failed")).to_be_visible()
    expect(page.locator("#failed [data-message]")).to_contain_text(NO_TOKEN)
    expect(page.locator("#start")).to_be_hidden()
    check_axe(page)
    fits_320(page)

    # A made-up token stands for an expired one: the API tells neither apart from used.
    page.goto("/logowanie")
    page.goto(f"/{name}#token={'x' * 43}")
    expect(page.locator("#start")).to_be_visible()
    check_axe(page)
    fits_320(page)
    screenshot(page, name)
    for field in page.locator("input[type=password]").all():
        field.fill(NEW_PASSWORD)
    page.get_by_role("button", name=button).click()
    heading = page.locator("#failed h2")
    expect(heading).to_be_focused()
    expect(page.locator("#failed [data-message]")).to_have_text(failed)
    expect(page.locator("#failed").get_by_role("link").first).to_be_visible()
    check_axe(page)
    screenshot(page, f"{name}-zly-link")
    assert console_errors(page, ignore=r"status of 400") == []


def test_registration_and_forgot_fit_320_px(page: Page) -> None:
    for path in ("/rejestracja", "/nie-pamietam-hasla"):
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        fits_320(page)


def test_email_change_links_confirm_and_cancel(page: Page, stack, api_account) -> None:
    """A new address is confirmed from its link (and the old address's cancel link no
    longer works); a second change is cancelled from the current address."""
    token = requests.post(
        f"{stack.url}/auth/login",
        json={
            "login": api_account["login"],
            "password": api_account["password"],
            "session": "bearer",
        },
        timeout=10,
    ).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}

    def change_to(address: str) -> None:
        answer = requests.patch(
            f"{stack.url}/me",
            json={"email": address, "current_password": api_account["password"]},
            headers=auth,
            timeout=10,
        )
        assert answer.status_code == 200, answer.text

    old, new = api_account["email"], "nowy.konto100004@example.pl"
    change_to(new)
    page.goto(outbox_link(stack, new, "potwierdz-email"))
    check_axe(page)
    screenshot(page, "potwierdz-email-start")
    page.get_by_role("button", name="Potwierdź adres e-mail").click()
    outcome(page, "Adres e-mail potwierdzony")
    expect(page.locator("#done [data-message]")).to_have_text(
        "Nowy adres e-mail został potwierdzony."
    )
    check_axe(page)
    screenshot(page, "potwierdz-email-gotowe")
    api_account["email"] = new

    page.goto(outbox_link(stack, old, "anuluj-zmiane-email"))
    page.get_by_role("button", name="Anuluj zmianę adresu").click()
    outcome(page, "Nie udało się anulować zmiany")
    expect(page.locator("#failed [data-message]")).to_have_text(EMAIL_CANCEL_FAILED)

    change_to("trzeci.konto100004@example.pl")
    page.goto("/logowanie")
    page.goto(outbox_link(stack, new, "anuluj-zmiane-email"))
    check_axe(page)
    page.get_by_role("button", name="Anuluj zmianę adresu").click()
    outcome(page, "Zmiana adresu anulowana")
    expect(page.locator("#done [data-message]")).to_contain_text("wylogowane")
    expect(page.get_by_role("link", name="Ustaw nowe hasło")).to_be_visible()
    check_axe(page)
    fits_320(page)
    screenshot(page, "anuluj-zmiane-email-gotowe")
    # Every session ended, the bearer one too.
    assert requests.get(f"{stack.url}/me", headers=auth, timeout=10).status_code == 401
