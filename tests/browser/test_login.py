"""The login page and the dashboard placeholder in Chromium: keyboard only, errors in
plain Polish announced in the summary, the 401 → login → back journey, the cookie session
through the portal's `/api`, the idle warning, axe and screenshots."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from scripts import demo_data
from tests.browser.conftest import check_axe, console_errors, screenshot

FOCUS_STYLE = """() => {
  const style = getComputedStyle(document.activeElement);
  return {outline: style.outlineStyle, width: style.outlineWidth, shadow: style.boxShadow};
}"""


def tab_to(page: Page, selector: str, limit: int = 15) -> None:
    """Press Tab until `selector` has the focus (fails after `limit` presses).

    Pages render their lists after their API calls answer, so the target is
    awaited first: tabbing through a half-rendered page would run past it.
    """
    page.locator(selector).first.wait_for(state="attached")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def assert_focus_visible(page: Page) -> None:
    style = page.evaluate(FOCUS_STYLE)
    assert style["outline"] != "none" and style["width"] != "0px", style
    assert style["shadow"] != "none", style


def log_in(page: Page, password: str = demo_data.DEMO_PASSWORD) -> None:
    page.get_by_label("Numer klienta").fill(demo_data.DEMO_LOGIN)
    page.get_by_label("Hasło").fill(password)
    page.get_by_role("button", name="Zaloguj się").click()


def test_login_by_keyboard_alone(page: Page) -> None:
    page.goto("/logowanie")
    # The first Tab reaches the skip link, visibly.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Przejdź do treści")
    expect(skip).to_be_focused()
    assert_focus_visible(page)
    tab_to(page, "#login")
    assert_focus_visible(page)
    page.keyboard.type(demo_data.DEMO_LOGIN)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Hasło")).to_be_focused()
    page.keyboard.type(demo_data.DEMO_PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Zaloguj się")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Nie pamiętam hasła")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Pulpit", level=1)).to_be_visible()
    expect(page.locator("#customer-number")).to_have_text(demo_data.DEMO_LOGIN)
    assert console_errors(page) == []


def test_the_session_cookie_is_secure_and_host_only_on_the_portal(page: Page, stack) -> None:
    page.goto("/logowanie")
    log_in(page)
    page.wait_for_url(re.compile(r"/$"))
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["__Host-ibok_session"]
    assert session["secure"] and session["httpOnly"] and session["sameSite"] == "Strict"
    assert session["domain"] == "127.0.0.1" and session["path"] == "/"
    # A cookie-authenticated unsafe call carries the CSRF header: logout works.
    page.get_by_role("button", name="Wyloguj").click()
    page.wait_for_url(re.compile(r"/logowanie\?wylogowano=1$"))
    expect(page.get_by_role("status")).to_have_text("Wylogowano. Do zobaczenia!")
    assert "__Host-ibok_session" not in {c["name"] for c in page.context.cookies()}


def test_wrong_password_is_shown_in_the_summary_and_announced(page: Page) -> None:
    page.goto("/logowanie")
    page.get_by_role("button", name="Zaloguj się").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Podaj numer klienta.")).to_be_visible()
    expect(page.get_by_label("Numer klienta")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Numer klienta")).to_have_accessible_description(
        "Podaj numer klienta."
    )
    check_axe(page)
    summary.get_by_role("link", name="Podaj hasło.").click()
    expect(page.get_by_label("Hasło")).to_be_focused()

    log_in(page, password="To-Nie-Jest-Haslo-1")
    expect(summary).to_contain_text("Nieprawidłowy login lub hasło.")
    expect(summary).to_be_focused()  # focus moves there, so it is read out
    expect(page.get_by_label("Numer klienta")).not_to_have_attribute("aria-invalid", "true")
    expect(page).to_have_url(re.compile(r"/logowanie$"))
    check_axe(page)
    screenshot(page, "logowanie-blad")


def test_401_goes_to_login_and_back(page: Page) -> None:
    page.goto("/?widok=konto")
    page.wait_for_url(re.compile(r"/logowanie\?next=%2F%3Fwidok%3Dkonto$"))
    expect(page.get_by_role("status")).to_have_text("Zaloguj się, aby przejść dalej.")
    log_in(page)
    page.wait_for_url(re.compile(r"/\?widok=konto$"))
    expect(page.locator("#customer-number")).to_have_text(demo_data.DEMO_LOGIN)


def test_next_never_leaves_the_portal(page: Page, stack) -> None:
    page.goto("/logowanie?next=//evil.example/")
    log_in(page)
    page.wait_for_url(f"{stack.portal}/")


def test_axe_and_screenshots_of_login_and_dashboard(page: Page) -> None:
    page.goto("/logowanie")
    check_axe(page)
    screenshot(page, "logowanie")
    log_in(page)
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("#account")).to_be_visible()
    check_axe(page)
    screenshot(page, "pulpit")
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    check_axe(page)


def test_idle_warning_offers_to_stay_logged_in(page: Page) -> None:
    page.goto("/logowanie")
    log_in(page)
    page.wait_for_url(re.compile(r"/$"))
    # A short idle timeout for this page: the warning comes at half of it (6 s), leaving
    # 6 s for axe and the screenshots of the full dashboard before the session would end.
    page.evaluate("sessionStorage.setItem('ibok.idleMinutes', '0.2')")
    page.reload()
    dialog = page.get_by_role("dialog", name="Sesja wkrótce wygaśnie")
    expect(dialog).to_be_visible(timeout=10_000)
    stay = dialog.get_by_role("button", name="Pozostań zalogowany")
    expect(stay).to_be_focused()
    check_axe(page)
    screenshot(page, "pulpit-sesja")
    with page.expect_response(re.compile(r"/api/me$")):
        page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()


def test_polish_formats(page: Page) -> None:
    page.goto("/logowanie")
    shown = page.evaluate(
        """async () => {
          const f = await import('/js/format.js');
          return [f.money('1234.56'), f.money('-0.50'), f.money('100000'), f.volume('12.345'),
                  f.volume('1234.5'), f.date('2026-11-01'), f.date('2026-11-01T23:30:00Z'),
                  f.plural(3, 'faktura', 'faktury', 'faktur'),
                  f.plural(12, 'faktura', 'faktury', 'faktur')];
        }"""
    )
    nbsp = "\u00a0"
    assert shown == [
        f"1{nbsp}234,56{nbsp}zł",
        f"-0,50{nbsp}zł",
        f"100{nbsp}000,00{nbsp}zł",
        f"12,345{nbsp}m³",
        f"1{nbsp}234,500{nbsp}m³",
        "01.11.2026",
        "02.11.2026",  # 00:30 in Warsaw
        f"3{nbsp}faktury",
        f"12{nbsp}faktur",
    ]
