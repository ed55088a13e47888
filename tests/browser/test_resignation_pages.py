"""The resignation from the account (§7) on the profile page in Chromium: the confirm dialog
(its errors, cancel), the resignation with its closing notice and e-mail, the withdrawal,
a termination the customer cannot withdraw, and the same journey by keyboard alone; axe in
every state, 320 px without horizontal scroll, screenshots.

Customers 100018 and 100019 are this module's own (registered here through the API). The
day-0 e-mail is sent by the `DELETE /me` request itself (services/termination.py `resign`
→ `send_notice`); the `terminations` job only retries a notice that failed, so no job runs
here."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import (
    check_axe,
    console_errors,
    outbox_messages,
    register_customer,
    screenshot,
)
from tests.browser.test_login import assert_focus_visible, tab_to
from tests.e2e.test_local_stack import Stack

PASSWORD = "Rezygnacja-Haslo-Wodne-2026"
WRONG_PASSWORD = "Zle-Haslo-Do-Konta-2026"
SUBJECT = "Zamknięcie konta w IBOK"
# The browser's console notes on the error answers the dialog shows to the customer.
ERROR_ANSWERS = r"status of 4(00|01|09|29)"
ME = re.compile(r"/api/me$")


@dataclass(frozen=True)
class Customer:
    login: str
    email: str


def register(stack: Stack, login: str) -> Customer:
    email = f"rezygnacja{login}@example.pl"
    register_customer(stack, login, email, PASSWORD, consents={"email_notices": False})
    return Customer(login, email)


@pytest.fixture(scope="module")
def customer(stack: Stack) -> Customer:
    """Customer 100018: the dialog, its errors, resignation, e-mail and withdrawal."""
    return register(stack, "100018")


@pytest.fixture(scope="module")
def keyboard_customer(stack: Stack) -> Customer:
    """Customer 100019: the journey by keyboard alone, and a notice it cannot withdraw."""
    return register(stack, "100019")


def closing_day() -> str:
    """Today in Poland plus the API's 14 days, as the page shows it (dd.mm.rrrr)."""
    today = datetime.now(ZoneInfo("Europe/Warsaw")).date()
    return (today + timedelta(days=14)).strftime("%d.%m.%Y")


def log_in(page: Page, who: Customer) -> None:
    page.goto("/logowanie?next=/profil")
    page.get_by_label("Numer klienta").fill(who.login)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(re.compile(r"/profil$"))
    expect(page.locator("#profile")).to_be_visible()


def section(page: Page):
    return page.get_by_role("region", name="Rezygnacja z konta", exact=True)


def notice(page: Page):
    return page.locator("#termination")


def no_horizontal_scroll(page: Page) -> None:
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.url
    page.set_viewport_size(size)


def notices_to(stack: Stack, to: str) -> list[dict[str, Any]]:
    return [m for m in outbox_messages(stack) if m["to"] == to and m["subject"] == SUBJECT]


def wait_for_notices(stack: Stack, to: str, count: int, timeout: float = 10.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while len(found := notices_to(stack, to)) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(found) == count, [m["subject"] for m in outbox_messages(stack) if m["to"] == to]
    return found


def test_the_dialog_asks_for_the_password_and_cancels(page: Page, customer: Customer) -> None:
    log_in(page, customer)
    expect(notice(page)).to_be_hidden()
    opener = section(page).get_by_role("button", name="Zrezygnuj z konta")
    opener.click()
    dialog = page.get_by_role("dialog", name="Zrezygnować z konta?")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_accessible_description(re.compile(f"zamknięte {closing_day()}"))
    expect(dialog.get_by_role("link", name="Faktury")).to_have_attribute("href", "/faktury")
    expect(dialog.get_by_role("link", name="Moje dane osobowe")).to_have_attribute(
        "href", "/moje-dane"
    )
    password = dialog.get_by_label("Obecne hasło")
    expect(password).to_be_focused()
    check_axe(page)
    screenshot(page, "profil-rezygnacja-dialog")
    no_horizontal_scroll(page)

    dialog.get_by_role("button", name="Tak, rezygnuję z konta").click()
    summary = dialog.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Podaj obecne hasło.")
    expect(password).to_have_attribute("aria-invalid", "true")
    check_axe(page)

    password.fill(WRONG_PASSWORD)
    dialog.get_by_role("button", name="Tak, rezygnuję z konta").click()
    expect(summary).to_contain_text("Obecne hasło jest nieprawidłowe.")
    expect(password).to_have_accessible_description(re.compile("Obecne hasło jest nieprawidłowe"))
    check_axe(page)
    screenshot(page, "profil-rezygnacja-blad")
    no_horizontal_scroll(page)

    dialog.get_by_role("button", name="Anuluj").click()
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    opener.press("Enter")  # opened again: clean, and Escape closes it the same way
    expect(dialog.get_by_role("alert")).to_be_hidden()
    expect(password).to_have_value("")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    page.reload()
    expect(notice(page)).to_be_hidden()  # nothing started
    assert console_errors(page, ignore=ERROR_ANSWERS) == []


def test_too_many_wrong_passwords_are_shown_in_the_dialog(page: Page, customer: Customer) -> None:
    """The re-authentication cap (5 per session): the 6th try is refused and the session
    ends; the dialog says so in Polish."""
    log_in(page, customer)
    section(page).get_by_role("button", name="Zrezygnuj z konta").click()
    dialog = page.get_by_role("dialog", name="Zrezygnować z konta?")
    password = dialog.get_by_label("Obecne hasło")
    for _ in range(6):
        password.fill(WRONG_PASSWORD)
        with page.expect_response(ME) as answer:
            dialog.get_by_role("button", name="Tak, rezygnuję z konta").click()
        if answer.value.status == 429:
            break
    assert answer.value.status == 429
    summary = dialog.get_by_role("alert")
    expect(summary).to_contain_text("Zbyt wiele błędnych haseł")
    expect(summary).to_contain_text("Zaloguj się ponownie.")
    expect(summary).to_be_focused()
    check_axe(page)


def test_resignation_notice_e_mail_and_withdrawal(
    page: Page, stack: Stack, customer: Customer
) -> None:
    log_in(page, customer)
    before = len(notices_to(stack, customer.email))
    section(page).get_by_role("button", name="Zrezygnuj z konta").click()
    dialog = page.get_by_role("dialog", name="Zrezygnować z konta?")
    dialog.get_by_label("Obecne hasło").fill(PASSWORD)
    with page.expect_response(ME) as answer:
        dialog.get_by_role("button", name="Tak, rezygnuję z konta").click()
    assert answer.value.status == 202
    closing_on = answer.value.json()["closing_on"]
    shown = datetime.strptime(closing_on, "%Y-%m-%d").strftime("%d.%m.%Y")
    assert shown == closing_day()
    expect(dialog).to_be_hidden()

    title = page.get_by_role("heading", name=f"Konto zostanie zamknięte {shown}")
    expect(title).to_be_focused()
    expect(notice(page)).to_contain_text("Twoja rezygnacja z konta została przyjęta")
    expect(notice(page).get_by_role("link", name="Faktury")).to_be_visible()
    expect(section(page).get_by_role("status")).to_contain_text(f"Konto zostanie zamknięte {shown}")
    expect(section(page).get_by_role("button", name="Zrezygnuj z konta")).to_be_hidden()
    check_axe(page)
    screenshot(page, "profil-rezygnacja-w-toku")
    no_horizontal_scroll(page)

    (mail,) = wait_for_notices(stack, customer.email, before + 1)[:1]
    assert shown in mail["text"] and "e-faktury" in mail["text"]

    page.reload()  # GET /me says so too
    expect(page.get_by_role("heading", name=f"Konto zostanie zamknięte {shown}")).to_be_visible()
    withdraw = notice(page).get_by_role("button", name="Wycofaj rezygnację")
    withdraw.click()
    confirm = page.get_by_role("dialog", name="Wycofać rezygnację?")
    expect(confirm.get_by_role("button", name="Tak, wycofaj rezygnację")).to_be_focused()
    check_axe(page)
    screenshot(page, "profil-rezygnacja-wycofanie")
    confirm.get_by_role("button", name="Anuluj").click()
    expect(withdraw).to_be_focused()  # cancelled: nothing changed
    expect(notice(page)).to_be_visible()

    withdraw.click()
    confirm.get_by_role("button", name="Tak, wycofaj rezygnację").click()
    expect(confirm).to_be_hidden()
    expect(notice(page)).to_be_hidden()
    expect(section(page).get_by_role("status")).to_have_text(
        "Rezygnacja została wycofana. Konto nie zostanie zamknięte i działa tak jak dotąd."
    )
    expect(section(page).get_by_role("heading", name="Rezygnacja z konta")).to_be_focused()
    check_axe(page)

    page.reload()  # the account is as before
    expect(notice(page)).to_be_hidden()
    expect(section(page).get_by_role("button", name="Zrezygnuj z konta")).to_be_visible()
    me = page.evaluate("fetch('/api/me').then((answer) => answer.json())")
    assert me["termination"] is None
    assert len(notices_to(stack, customer.email)) == before + 1  # one notice, no other mail
    assert console_errors(page, ignore=ERROR_ANSWERS) == []


def test_resignation_and_withdrawal_by_keyboard_alone(
    page: Page, stack: Stack, keyboard_customer: Customer
) -> None:
    log_in(page, keyboard_customer)
    page.locator("#main").focus()
    tab_to(page, "#resign-open", limit=200)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Zrezygnować z konta?")
    expect(dialog.get_by_label("Obecne hasło")).to_be_focused()
    page.keyboard.press("Enter")  # empty: the summary takes the focus
    expect(dialog.get_by_role("alert")).to_be_focused()
    tab_to(page, "#resign-password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    title = page.get_by_role("heading", name=f"Konto zostanie zamknięte {closing_day()}")
    expect(title).to_be_focused()
    wait_for_notices(stack, keyboard_customer.email, 1)

    tab_to(page, "#withdraw-open")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    confirm = page.get_by_role("dialog", name="Wycofać rezygnację?")
    expect(confirm.get_by_role("button", name="Tak, wycofaj rezygnację")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(confirm).to_be_hidden()
    expect(notice(page)).to_be_hidden()
    expect(section(page).get_by_role("heading", name="Rezygnacja z konta")).to_be_focused()
    page.keyboard.press("Tab")  # and on to resigning again, if wanted
    expect(section(page).get_by_role("button", name="Zrezygnuj z konta")).to_be_focused()
    assert console_errors(page, ignore=ERROR_ANSWERS) == []


def with_termination(termination: dict[str, Any]):
    """Answer `GET /me` as the API does, with `termination` as given: the states the
    customer cannot reach from the profile (an ended contract, a staff deactivation)."""

    def handle(route: Route) -> None:
        if route.request.method != "GET":
            route.continue_()
            return
        answer = route.fetch()
        body = answer.json()
        body["termination"] = termination
        route.fulfill(response=answer, body=json.dumps(body))

    return handle


def test_a_termination_the_customer_cannot_withdraw(
    page: Page, keyboard_customer: Customer
) -> None:
    today = datetime.now(ZoneInfo("Europe/Warsaw")).date()
    ended = {
        "reason": "contract_ended",
        "started_on": today.isoformat(),
        "closing_on": (today + timedelta(days=14)).isoformat(),
        "withdrawable": False,
    }
    page.route(ME, with_termination(ended))
    log_in(page, keyboard_customer)
    expect(
        page.get_by_role("heading", name=f"Konto zostanie zamknięte {closing_day()}")
    ).to_be_visible()
    expect(notice(page)).to_contain_text("Twoja umowa z wodociągami została rozwiązana")
    expect(notice(page).get_by_role("button")).to_be_hidden()
    expect(section(page).get_by_role("button", name="Zrezygnuj z konta")).to_be_hidden()
    expect(section(page)).to_contain_text("Zamknięcie konta już trwa")
    check_axe(page)
    screenshot(page, "profil-zamkniecie-umowa")
    no_horizontal_scroll(page)

    page.unroute(ME)
    page.route(ME, with_termination({**ended, "reason": "deactivation"}))
    page.reload()
    expect(notice(page)).to_contain_text("Biuro Obsługi Klienta dezaktywowało Twoje konto")
    expect(notice(page).get_by_role("link", name="Faktury")).to_be_hidden()
    check_axe(page)
