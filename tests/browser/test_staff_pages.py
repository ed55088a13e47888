"""The staff back office (/obsluga/…) in Chromium: the login with its TOTP step (a wrong,
a reused and a missing code each refused with the message shown, a customer kept out),
the queue and its filters, a ticket's reply, internal note and status change (the note
never reaching the customer's API), the customer file and deactivation, announcements from
draft to withdrawal, the admins-only audit log, a keyboard-only reply; axe in every state
and screenshots.

Customers 100013 and 100014 are this module's own: 100013 files the tickets the staff
handle (through the customer API), 100014 is looked up and deactivated. Every test logs in
with its own staff account: a TOTP code is accepted once per account."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pyotp
import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    StaffAccount,
    check_axe,
    console_errors,
    register_customer,
    screenshot,
    staff_account,
)
from tests.e2e.test_local_stack import Stack

PASSWORD = "Obsluga-Klient-Haslo-2026"
TICKETS_OF, DEACTIVATED = "100013", "100014"
WRONG_CODE = "Kod jest nieprawidłowy albo został już użyty"
# The browser's console notes on the error answers the pages show.
ERROR_ANSWERS = r"status of 4(00|01|03|04)"
WARSAW = ZoneInfo("Europe/Warsaw")


def customer_headers(stack: Stack, login: str) -> dict[str, str]:
    """A bearer session of a customer (what the customer's pages would do by cookie)."""
    answer = stack.post("/auth/login", {"login": login, "password": PASSWORD, "session": "bearer"})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}", "X-IBOK-CSRF": "1"}


@pytest.fixture(scope="module")
def tickets(stack: Stack) -> dict[str, str]:
    """Customers 100013 (with a complaint and an operational report, filed through the
    customer API) and 100014 (registered only); the tickets' ids and references."""
    register_customer(stack, TICKETS_OF, f"obsluga{TICKETS_OF}@example.pl", PASSWORD)
    register_customer(stack, DEACTIVATED, f"obsluga{DEACTIVATED}@example.pl", PASSWORD)
    headers = customer_headers(stack, TICKETS_OF)
    filed = {}
    for name, body in {
        "complaint": {
            "kind": "complaint",
            "category": "service",
            "description": "Pracownik nie pojawił się na umówionej wizycie.",
        },
        "report": {
            "kind": "operational",
            "category": "no_water",
            "description": "Brak wody w całym budynku od rana.",
        },
        "keyboard": {
            "kind": "operational",
            "category": "low_pressure",
            "description": "Bardzo niskie ciśnienie wody wieczorem.",
        },
    }.items():
        answer = stack.post("/tickets", body, **headers)
        assert answer.status_code == 201, answer.text
        filed[name] = answer.json()["id"]
        filed[f"{name}_reference"] = answer.json()["reference"]
    return filed


def unique_login(prefix: str) -> str:
    return f"{prefix}-{int(time.time() * 1000) % 10_000_000}"


def log_in(page: Page, account: StaffAccount, start: str = "/obsluga/") -> None:
    """Log in through the staff pages (password, then the code of now) from `start`."""
    page.goto(start)
    page.wait_for_url(re.compile(r"/obsluga/logowanie\?next="))
    page.get_by_label("Login pracownika").fill(account.login)
    page.get_by_label("Hasło").fill(account.password)
    page.get_by_role("button", name="Dalej").click()
    page.get_by_label("Kod (6 cyfr)").fill(pyotp.TOTP(account.secret).now())
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(re.compile(re.escape(start.split("?")[0]) + r"(\?.*)?$"))
    expect(page.get_by_role("button", name="Wyloguj")).to_be_visible()


def staff_page(
    page: Page, stack: Stack, prefix: str, role: str = "staff", start: str = "/obsluga/"
):
    account = staff_account(stack, unique_login(prefix), role)
    log_in(page, account, start)
    return account


def fits_320(page: Page) -> None:
    """At 320 px nothing scrolls sideways (wide tables scroll in their own region)."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{page.url}: {width} px wide at 320 px"
    finally:
        page.set_viewport_size(size)


def test_staff_log_in_with_a_totp_code_each_wrong_reused_or_missing_code_refused(
    page: Page, stack: Stack, tickets: dict[str, str]
) -> None:
    account = staff_account(stack, unique_login("logowanie"))
    totp = pyotp.TOTP(account.secret)
    # The account's code of this step is used once already (another device, say).
    moment = time.time()
    used = totp.at(moment)
    first = stack.post(
        "/auth/login", {"login": account.login, "password": account.password, "session": "bearer"}
    )
    headers = {"Authorization": f"Bearer {first.json()['token']}"}
    assert stack.post("/auth/login/totp", {"code": used}, **headers).status_code == 200
    fresh = totp.at(moment + totp.interval)  # the next step's: accepted within the drift
    taken = {totp.at(moment + k * totp.interval) for k in (-1, 0, 1, 2)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in taken)

    # A back-office page without a session: to the staff login, and back afterwards.
    page.goto("/obsluga/klienci")
    page.wait_for_url(re.compile(r"/obsluga/logowanie\?next=%2Fobsluga%2Fklienci$"))
    expect(page.get_by_role("heading", name="Logowanie obsługi", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Zaloguj się, aby przejść dalej.")
    check_axe(page)
    screenshot(page, "obsluga-logowanie")
    page.get_by_role("button", name="Dalej").click()
    expect(page.get_by_role("alert")).to_contain_text("Podaj login pracownika.")
    check_axe(page)

    # A customer's account: the API refuses it the back office, and the page says so.
    page.get_by_label("Login pracownika").fill(TICKETS_OF)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Dalej").click()
    expect(page.get_by_role("alert")).to_contain_text("Brak uprawnień do tej operacji.")
    expect(page.get_by_label("Kod (6 cyfr)")).to_be_hidden()

    page.get_by_label("Login pracownika").fill(account.login)
    page.get_by_label("Hasło").fill(account.password)
    page.get_by_role("button", name="Dalej").click()
    code = page.get_by_label("Kod (6 cyfr)")
    expect(code).to_be_focused()
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    expect(code).to_have_attribute("inputmode", "numeric")
    check_axe(page)
    screenshot(page, "obsluga-logowanie-kod")
    login = page.get_by_role("button", name="Zaloguj się")

    code.fill(wrong)
    login.click()
    expect(page.get_by_role("alert")).to_contain_text(WRONG_CODE)
    expect(code).to_have_attribute("aria-invalid", "true")
    check_axe(page)
    screenshot(page, "obsluga-logowanie-zly-kod")

    code.fill(used)  # a replay of the code used already
    login.click()
    expect(page.get_by_role("alert")).to_contain_text(WRONG_CODE)
    expect(page).to_have_url(re.compile(r"/obsluga/logowanie"))

    code.fill("")
    login.click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Podaj 6-cyfrowy kod z aplikacji uwierzytelniającej."
    )
    check_axe(page)

    code.fill(fresh)
    login.click()
    page.wait_for_url(re.compile(r"/obsluga/klienci$"))
    expect(page.get_by_role("heading", name="Klienci", level=1)).to_be_visible()
    expect(page.get_by_text(f"{account.login} (pracownik)")).to_be_visible()
    assert console_errors(page, ERROR_ANSWERS) == []

    page.get_by_role("button", name="Wyloguj").click()
    page.wait_for_url(re.compile(r"/obsluga/logowanie\?wylogowano=1$"))
    expect(page.get_by_role("status")).to_have_text("Wylogowano z obsługi.")


def queue_references(page: Page) -> list[str]:
    expect(page.locator("#count")).not_to_be_empty()
    return page.locator("#queue tbody tr td:first-child").all_inner_texts()


def test_the_queue_and_its_filters(page: Page, stack: Stack, tickets: dict[str, str]) -> None:
    account = staff_page(page, stack, "kolejka")
    expect(page.get_by_role("heading", name="Zgłoszenia i reklamacje", level=1)).to_be_visible()
    nav = page.get_by_role("navigation", name="Menu obsługi")
    expect(nav.get_by_role("link", name="Zgłoszenia")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Dziennik zdarzeń")).to_have_count(0)  # admins only
    every = queue_references(page)
    complaint, report = tickets["complaint_reference"], tickets["report_reference"]
    assert {complaint, report} <= set(every)
    check_axe(page)
    fits_320(page)
    screenshot(page, "obsluga-kolejka")

    page.get_by_label("Rodzaj").select_option("complaint")
    page.get_by_role("button", name="Pokaż").click()
    expect(page).to_have_url(re.compile(r"\?kind=complaint$"))
    expect(page.locator("#queue")).to_contain_text(complaint)
    expect(page.locator("#queue")).not_to_contain_text(report)
    shown = queue_references(page)
    assert complaint in shown and report not in shown
    assert all(ref.startswith("R/") for ref in shown)
    row = page.locator("#queue tbody tr", has_text=complaint)
    expect(row).to_contain_text(re.compile(r"\d{2}\.\d{2}\.\d{4}"))  # its deadline

    page.get_by_label("Rodzaj").select_option("")
    page.get_by_label("Kategoria").select_option("no_water")
    page.get_by_role("button", name="Pokaż").click()
    expect(page.locator("#queue")).to_contain_text(report)
    expect(page.locator("#queue")).not_to_contain_text(complaint)

    page.get_by_label("Kategoria").select_option("")
    page.get_by_label("Termin do (włącznie)").fill("2000-01-01")
    page.get_by_role("button", name="Pokaż").click()
    expect(page.locator("#count")).to_have_text("Brak zgłoszeń spełniających wybrane warunki.")
    expect(page.locator("#queue")).to_be_hidden()
    check_axe(page)
    screenshot(page, "obsluga-kolejka-pusta")

    page.get_by_role("button", name="Wyczyść filtry").click()
    page.get_by_label("Przydzielone").select_option("me")
    page.get_by_role("button", name="Pokaż").click()
    expect(page.locator("#count")).to_have_text("Brak zgłoszeń spełniających wybrane warunki.")
    page.goto(f"/obsluga/zgloszenie?id={tickets['report']}")
    page.get_by_role("button", name="Przydziel do mnie").click()
    expect(page.get_by_role("status")).to_have_text("Zgłoszenie przydzielone do Ciebie.")
    page.goto("/obsluga/?assignee=me")
    expect(page.locator("#queue tbody tr td:first-child")).to_have_text([report])
    expect(page.locator("#queue")).to_contain_text(f"{account.login} (Ty)")
    check_axe(page)

    # Overdue and due-soon tickets say so in words, not only in colour.
    marks = page.evaluate(
        """async () => {
            const { dueText } = await import('/js/staff.js');
            const t = (due_on, status = 'new') => dueText({ due_on, status }, '2027-01-10');
            return [t('2027-01-08'), t('2027-01-10'), t('2027-01-12'), t('2027-01-30'),
                    t('2027-01-08', 'resolved'), t(null)];
        }"""
    )
    assert [m["text"] for m in marks] == [
        "08.01.2027 — PO TERMINIE (2 dni)",
        "10.01.2027 — termin DZIŚ",
        "12.01.2027 — termin za 2 dni",
        "30.01.2027",
        "08.01.2027",
        "bez terminu",
    ]
    assert console_errors(page, ERROR_ANSWERS) == []


def test_reply_internal_note_and_status_change(
    page: Page, stack: Stack, tickets: dict[str, str]
) -> None:
    staff_page(page, stack, "odpowiedz")
    page.locator("#queue").get_by_role("link", name=tickets["complaint_reference"]).click()
    page.wait_for_url(re.compile(r"/obsluga/zgloszenie\?id="))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Reklamacja {tickets['complaint_reference']}"
    )
    expect(page.locator("#facts")).to_contain_text(TICKETS_OF)
    expect(page.locator("#description")).to_have_text(
        "Pracownik nie pojawił się na umówionej wizycie."
    )
    expect(page.locator("#attachments")).to_have_text("Brak załączników.")
    check_axe(page)

    page.get_by_role("button", name="Wyślij odpowiedź").click()
    expect(page.get_by_role("alert")).to_contain_text("Wpisz treść odpowiedzi.")
    check_axe(page)

    note = "Sprawdzić grafik ekipy z 12 listopada."
    page.get_by_label("Treść notatki").fill(note)
    page.get_by_role("button", name="Dodaj notatkę").click()
    expect(page.get_by_role("status")).to_have_text(
        "Notatka wewnętrzna dodana (klient jej nie widzi)."
    )
    internal = page.locator(".internal-note", has_text=note)
    expect(internal).to_contain_text("Notatka wewnętrzna — niewidoczna dla klienta")

    page.get_by_label("Nowy status").select_option("in_progress")
    page.get_by_role("button", name="Zmień status").click()
    expect(page.get_by_role("status")).to_have_text("Status zmieniony na: w realizacji.")
    expect(page.locator("#facts")).to_contain_text("w realizacji")
    expect(page.get_by_label("Nowy status").locator("option")).to_have_text(
        ["wybierz…", "oczekuje na klienta", "rozwiązane", "odrzucone"]
    )

    reply = "Przepraszamy, ekipa przyjedzie jutro między 8 a 10."
    page.get_by_label("Treść odpowiedzi").fill(reply)
    page.get_by_label("Zmień status razem z odpowiedzią").select_option("waiting_for_customer")
    page.get_by_role("button", name="Wyślij odpowiedź").click()
    expect(page.get_by_role("status")).to_have_text(
        "Odpowiedź wysłana, status: oczekuje na klienta."
    )
    expect(page.locator(".message.from-staff", has_text=reply)).to_be_visible()
    expect(page.locator("#history")).to_contain_text("notatka wewnętrzna (tylko dla obsługi)")
    check_axe(page)
    fits_320(page)
    screenshot(page, "obsluga-zgloszenie")

    seen = requests.get(
        f"{stack.url}/tickets/{tickets['complaint']}",
        headers=customer_headers(stack, TICKETS_OF),
        timeout=10,
    ).json()
    assert [m["body"] for m in seen["messages"]] == [reply]
    assert seen["status"] == "waiting_for_customer"
    assert note not in str(seen)
    assert console_errors(page, ERROR_ANSWERS) == []


def test_a_reply_by_keyboard_alone(page: Page, stack: Stack, tickets: dict[str, str]) -> None:
    staff_page(page, stack, "klawiatura", start=f"/obsluga/zgloszenie?id={tickets['keyboard']}")
    expect(page.locator("#ticket")).to_be_visible()
    page.locator("body").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Przejdź do treści")).to_be_focused()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "reply-body":
            break
    textarea = page.get_by_label("Treść odpowiedzi")
    expect(textarea).to_be_focused()
    ring = page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle + ' ' + "
        "getComputedStyle(document.activeElement).boxShadow"
    )
    assert ring.split()[0] != "none" or "rgb" in ring, ring  # a visible focus ring
    page.keyboard.type("Ekipa sprawdzi ciśnienie jutro rano.")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Zmień status razem z odpowiedzią")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Wyślij odpowiedź")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Odpowiedź wysłana do klienta.")
    expect(page.locator(".message.from-staff")).to_contain_text(
        "Ekipa sprawdzi ciśnienie jutro rano."
    )
    assert console_errors(page, ERROR_ANSWERS) == []


def test_customer_lookup_and_deactivation(
    page: Page, stack: Stack, tickets: dict[str, str]
) -> None:
    staff_page(page, stack, "klienci", start="/obsluga/klienci")
    check_axe(page)
    page.get_by_role("button", name="Pokaż klienta").click()
    expect(page.get_by_role("alert")).to_contain_text("Podaj numer klienta.")
    check_axe(page)
    page.get_by_label("Numer klienta").fill("999999")
    page.get_by_role("button", name="Pokaż klienta").click()
    expect(page.get_by_role("alert")).to_contain_text("Nie ma klienta o tym numerze.")

    page.get_by_label("Numer klienta").fill(TICKETS_OF)
    page.get_by_role("button", name="Pokaż klienta").click()
    expect(page.locator("#tickets")).to_contain_text(tickets["complaint_reference"])

    page.get_by_label("Numer klienta").fill(DEACTIVATED)
    page.get_by_role("button", name="Pokaż klienta").click()
    expect(
        page.get_by_role("heading", level=2, name=re.compile(f"Klient {DEACTIVATED}"))
    ).to_be_focused()
    expect(page.locator("#account")).to_contain_text("aktywne")
    expect(page.locator("#account")).to_contain_text(f"obsluga{DEACTIVATED}@example.pl")
    expect(page.locator("#no-tickets")).to_be_visible()
    check_axe(page)
    fits_320(page)
    screenshot(page, "obsluga-klient")

    page.get_by_role("button", name="Dezaktywuj konto").click()
    dialog = page.get_by_role("dialog", name=f"Dezaktywować konto klienta {DEACTIVATED}?")
    expect(dialog).to_contain_text("14-dniowy okres wypowiedzenia")
    check_axe(page)
    screenshot(page, "obsluga-klient-dezaktywacja")
    dialog.get_by_role("button", name="Anuluj").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("button", name="Dezaktywuj konto")).to_be_focused()

    page.get_by_role("button", name="Dezaktywuj konto").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label(re.compile("Powód")).fill("Wniosek klienta z 1 grudnia.")
    dialog.get_by_role("button", name="Dezaktywuj konto").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Konto klienta {DEACTIVATED} zostało dezaktywowane. Okres wypowiedzenia trwa do"
    )
    expect(page.locator("#account")).to_contain_text("dezaktywowane")
    expect(page.get_by_role("button", name="Dezaktywuj konto")).to_be_hidden()
    check_axe(page)
    refused = stack.post("/auth/login", {"login": DEACTIVATED, "password": PASSWORD})
    assert refused.status_code == 401
    assert console_errors(page, ERROR_ANSWERS) == []


def warsaw_input(moment: datetime) -> str:
    return moment.astimezone(WARSAW).strftime("%Y-%m-%dT%H:%M")


def public_titles(stack: Stack) -> list[str]:
    answer = requests.get(f"{stack.url}/announcements", timeout=10)
    assert answer.status_code == 200, answer.text
    return [a["title"] for a in answer.json()["items"]]


def test_an_announcement_from_draft_to_withdrawal(page: Page, stack: Stack) -> None:
    staff_page(page, stack, "komunikaty", start="/obsluga/komunikaty")
    check_axe(page)
    page.get_by_role("button", name="Zapisz szkic").click()
    expect(page.get_by_role("alert")).to_contain_text("Podaj tytuł komunikatu.")
    check_axe(page)
    screenshot(page, "obsluga-komunikaty-bledy")

    title = f"Awaria sieci {unique_login('x')}"
    now = datetime.now(WARSAW)
    page.get_by_label("Rodzaj", exact=True).select_option("failure")
    page.get_by_label("Tytuł", exact=True).fill(title)
    page.get_by_label("Treść", exact=True).fill("Brak wody przy ul. Wodnej do odwołania.")
    page.get_by_label("Kody pocztowe", exact=True).fill("44-100, 44-101")
    page.get_by_label("Ulice", exact=True).fill("ul. Wodna")
    page.get_by_label("Obowiązuje od").fill(warsaw_input(now - timedelta(hours=1)))
    page.get_by_label("Obowiązuje do").fill(warsaw_input(now + timedelta(days=1)))
    page.get_by_role("button", name="Zapisz szkic").click()
    expect(page.get_by_role("status")).to_contain_text(f"Zapisano szkic „{title}”.")
    row = page.locator("#list tr", has_text=title)
    expect(row).to_contain_text("szkic")
    expect(row).to_contain_text("44-100, 44-101; ul. Wodna")
    assert title not in public_titles(stack)

    row.get_by_role("button", name=re.compile(rf"^Edytuj\W+{re.escape(title)}$")).click()
    expect(page.get_by_role("heading", name=f"Edycja szkicu: {title}")).to_be_focused()
    expect(page.get_by_label("Obowiązuje od")).to_have_value(warsaw_input(now - timedelta(hours=1)))
    page.get_by_label("Cały obszar działania").check()
    expect(page.get_by_label("Kody pocztowe", exact=True)).to_be_hidden()
    check_axe(page)
    page.get_by_role("button", name="Zapisz zmiany szkicu").click()
    expect(page.get_by_role("status")).to_contain_text("Zapisano zmiany szkicu")
    expect(row).to_contain_text("cały obszar")

    row.get_by_role("button", name=re.compile(rf"^Opublikuj\W+{re.escape(title)}$")).click()
    dialog = page.get_by_role("dialog", name=f"Opublikować komunikat „{title}”?")
    check_axe(page)
    screenshot(page, "obsluga-komunikaty-publikacja")
    dialog.get_by_role("button", name="Opublikuj").click()
    expect(page.get_by_role("status")).to_have_text(f"Opublikowano komunikat „{title}”.")
    expect(row).to_contain_text("opublikowany")
    assert title in public_titles(stack)
    fits_320(page)
    screenshot(page, "obsluga-komunikaty")

    row.get_by_role("button", name=re.compile(rf"^Wycofaj\W+{re.escape(title)}$")).click()
    dialog = page.get_by_role("dialog", name=f"Wycofać komunikat „{title}”?")
    check_axe(page)
    dialog.get_by_label(re.compile("Powód wycofania")).fill("Awaria usunięta.")
    dialog.get_by_role("button", name="Wycofaj").click()
    expect(page.get_by_role("status")).to_have_text(f"Wycofano komunikat „{title}”.")
    expect(row).to_contain_text("wycofany")
    assert title not in public_titles(stack)
    check_axe(page)
    assert console_errors(page, ERROR_ANSWERS) == []


def test_the_audit_log_is_for_admins(page: Page, stack: Stack, browser) -> None:
    staff_page(page, stack, "dziennik", start="/obsluga/dziennik")
    expect(page.get_by_role("alert")).to_contain_text("Brak uprawnień do tej operacji.")
    expect(page.locator("#entries-wrap")).to_be_hidden()
    check_axe(page)
    screenshot(page, "obsluga-dziennik-odmowa")

    context = browser.new_context(base_url=stack.portal, viewport={"width": 1280, "height": 800})
    try:
        admin_page = context.new_page()
        admin = staff_page(admin_page, stack, "admin", role="admin", start="/obsluga/dziennik")
        nav = admin_page.get_by_role("navigation", name="Menu obsługi")
        expect(nav.get_by_role("link", name="Dziennik zdarzeń")).to_have_attribute(
            "aria-current", "page"
        )
        expect(admin_page.get_by_text(f"{admin.login} (administrator)")).to_be_visible()
        expect(admin_page.locator("#entries tr").first).to_be_visible()
        check_axe(admin_page)
        fits_320(admin_page)
        screenshot(admin_page, "obsluga-dziennik")
        admin_page.get_by_label("Dotyczy").fill(f"customer:{DEACTIVATED}-nikt")
        admin_page.get_by_role("button", name="Pokaż wpisy").click()
        expect(admin_page.locator("#count")).to_have_text("Brak wpisów.")
        check_axe(admin_page)
    finally:
        context.close()


def test_the_import_reports(page: Page, stack: Stack) -> None:
    staff_page(page, stack, "importy", start="/obsluga/importy")
    expect(page.locator("#reports tr").first).to_be_visible()  # the demo data's batch
    check_axe(page)
    screenshot(page, "obsluga-importy")
    assert console_errors(page, ERROR_ANSWERS) == []


def test_the_staff_idle_warning_keeps_the_staff_session(page: Page, stack: Stack) -> None:
    staff_page(page, stack, "bezczynnosc")

    def short_timeout(route) -> None:  # a 12-second staff timeout for this page
        answer = route.fetch()
        route.fulfill(response=answer, json={**answer.json(), "idle_timeout_minutes": 0.2})

    page.route("**/api/staff/me", short_timeout)
    page.reload()
    dialog = page.get_by_role("dialog", name="Sesja wkrótce wygaśnie")
    expect(dialog).to_be_visible(timeout=10_000)
    expect(dialog).to_contain_text("Sesja obsługi za chwilę wygaśnie")
    stay = dialog.get_by_role("button", name="Pozostań zalogowany")
    expect(stay).to_be_focused()
    check_axe(page)
    with page.expect_response(re.compile(r"/api/staff/me$")):  # the staff session's own call
        page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    assert page.url.endswith("/obsluga/")
