"""The customer's ticket pages in Chromium, as customers 100011 and 100012 (registered here,
through the API, once for this module): a complaint about an invoice with a photo (checked
by the stack's upload consumer) and a renamed executable (quarantined: listed as refused,
never linked); the page's own refusals (a sixth file, too big, a wrong type); an
operational report filed by keyboard alone with the service address filled in; a staff
reply answered, the ticket resolved and reopened through the confirm step; another
customer's ticket is "not found"; the dashboard's announcements. axe on every state, 320 px
without horizontal scroll, screenshots at 360 and 1280 px."""

from __future__ import annotations

import re
import struct
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pyotp
import pytest
import requests
from playwright.sync_api import Page, expect

from scripts import demo_data
from tests.browser.conftest import (
    check_axe,
    console_errors,
    register_customer,
    screenshot,
    staff_account,
)
from tests.browser.test_login import assert_focus_visible, tab_to
from tests.e2e.test_local_stack import Stack

PASSWORD = "Zgloszenia-Test-2026!"
STAFF_LOGIN = "zgloszenia-klienta"
CHECK_TIMEOUT = 30.0  # the stack's queue poller checks an upload within a few seconds
WARSAW = ZoneInfo("Europe/Warsaw")
# What a renamed Windows program starts with: the page cannot tell, the upload check can.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 512


def png(width: int = 16, height: int = 16) -> bytes:
    """A real PNG: a blue square, made here (signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x1f\x4e\x9a" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PHOTO = png()


def file(name: str, mime: str, content: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": content}


@dataclass(frozen=True)
class Customer:
    number: str
    email: str
    address: dict[str, str]


@pytest.fixture(scope="module")
def customers(stack: Stack) -> dict[str, Customer]:
    """Customers 100011 (the complaint, reply and reopen) and 100012 (the empty list, the
    keyboard-only report, another customer's ticket), registered and activated once."""
    registered = {}
    customer_lines = {
        line["customer_number"]: line
        for line in demo_data.batch_lines()
        if line["type"] == "customer"
    }
    for number in ("100011", "100012"):
        email = f"zgloszenia{number}@example.pl"
        register_customer(stack, number, email, PASSWORD)
        registered[number] = Customer(number, email, customer_lines[number]["service_address"])
    return registered


@dataclass
class Staff:
    """A staff session (bearer, second factor given) on the stack's API."""

    url: str
    headers: dict[str, str]

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = requests.post(f"{self.url}{path}", json=body, headers=self.headers, timeout=10)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()


@pytest.fixture(scope="module")
def staff(stack: Stack) -> Staff:
    """A staff account of this module (`make staff-account` against the stack), logged in
    once with its password and TOTP code (so no code is ever used twice); the code's answer
    carries the session's new token (the password step's ends with it)."""
    account = staff_account(stack, STAFF_LOGIN)
    login = stack.post(
        "/auth/login", {"login": account.login, "password": account.password, "session": "bearer"}
    )
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    second = stack.post("/auth/login/totp", {"code": pyotp.TOTP(account.secret).now()}, **headers)
    assert second.status_code == 200, second.text
    return Staff(stack.url, {"Authorization": f"Bearer {second.json()['token']}"})


def log_in(page: Page, customer: Customer, target: str) -> None:
    page.goto(f"/logowanie?next={target}")
    page.get_by_label("Numer klienta").fill(customer.number)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(lambda url: urlsplit(url).path == urlsplit(target).path)


def fits_320(page: Page) -> None:
    """No horizontal scroll at 320 px, and axe there too."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.url
    check_axe(page)
    page.set_viewport_size(size)


def api(page: Page, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Call the API as the page's logged-in customer (its cookie, the CSRF header)."""
    answer = page.request.fetch(
        f"/api{path}",
        method=method,
        data=body,
        headers={"X-IBOK-CSRF": "1"} if method != "GET" else {},
    )
    assert answer.ok, answer.text()
    return answer.json()


def wait_for(check: Callable[[], bool], what: str, timeout: float = CHECK_TIMEOUT) -> None:
    """Poll `check` until it holds, at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout}s")
        time.sleep(0.25)


def warsaw_day(days: int = 0) -> str:
    return (datetime.now(WARSAW).date() + timedelta(days=days)).strftime("%d.%m.%Y")


def test_no_tickets_yet_and_the_dashboards_announcements(
    page: Page, customers: dict[str, Customer]
) -> None:
    log_in(page, customers["100012"], "/zgloszenia")
    expect(page.get_by_role("heading", name="Zgłoszenia i reklamacje", level=1)).to_be_visible()
    expect(page.get_by_text("Nie masz jeszcze żadnych zgłoszeń ani reklamacji.")).to_be_visible()
    expect(page.get_by_role("table")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Menu główne")
    expect(nav.get_by_role("link", name="Zgłoszenia")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("listitem").nth(-3)).to_have_text(
        "Zgłoszenia"
    )  # then Powiadomienia, Profil
    expect(page.get_by_role("link", name="Nowe zgłoszenie")).to_have_attribute(
        "href", "/zgloszenia/nowe"
    )
    check_axe(page)
    screenshot(page, "zgloszenia-puste")
    fits_320(page)

    # The dashboard: no announcement for this address, so there is no section.
    page.goto("/")
    expect(page.get_by_role("heading", name="Saldo")).to_be_visible()
    expect(page.get_by_role("heading", name="Komunikaty")).to_be_hidden()

    # How one is shown, Markdown-ish text and all: the page's own answer with one added
    # (a published one reaches the dashboard in test_ticket_journey.py; never as HTML).
    def with_announcement(route: Any) -> None:
        answer = route.fetch()
        body = answer.json()
        body["announcements"] = [
            {
                "id": "a1",
                "kind": "planned_works",
                "title": "Wymiana zasuwy na ul. Wodnej",
                "text": "Przerwa w dostawie wody.\n\n- od 8:00\n- do 14:00\n\n<b>bez HTML</b>",
                "starts_at": "2026-03-02T07:00:00+00:00",
                "ends_at": None,
            }
        ]
        route.fulfill(response=answer, json=body)

    page.route("**/api/summary", with_announcement)
    page.reload()
    section = page.get_by_role("region", name="Komunikaty")
    expect(section).to_be_visible()
    expect(section.get_by_role("heading", name="Wymiana zasuwy na ul. Wodnej")).to_be_visible()
    expect(section).to_contain_text("Planowane prace")
    expect(section).to_contain_text("Od 02.03.2026, 08:00 do odwołania")
    expect(section.locator(".announcement ul li")).to_have_text(["od 8:00", "do 14:00"])
    expect(section).to_contain_text("<b>bez HTML</b>")  # shown as text
    assert section.locator("b").count() == 0
    check_axe(page)
    screenshot(page, "pulpit-komunikaty")
    assert console_errors(page) == []


def test_a_complaint_about_an_invoice_with_a_photo(
    page: Page, customers: dict[str, Customer]
) -> None:
    log_in(page, customers["100011"], "/zgloszenia/nowe")
    form = page.locator("#ticket-form")
    expect(form).to_be_visible()
    check_axe(page)
    fits_320(page)

    # Nothing filled in: the summary and the fields say what is missing.
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    summary = page.get_by_role("alert").filter(has_text="Popraw poniższe błędy")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Wybierz, czego dotyczy zgłoszenie.")
    expect(summary).to_contain_text("Opisz, czego dotyczy zgłoszenie.")
    check_axe(page)
    screenshot(page, "zgloszenie-nowe-bledy")

    page.get_by_label("Temat reklamacji").select_option("invoice")
    invoice = page.get_by_label("Faktura, której dotyczy reklamacja")
    expect(invoice).to_be_visible()
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    expect(summary).to_contain_text("Wskaż fakturę, której dotyczy reklamacja.")
    invoice.select_option(index=1)
    chosen = invoice.locator("option:checked").inner_text()
    number = chosen.split(" z dnia ")[0]
    page.get_by_label("Opis").fill("Zużycie na fakturze jest dwa razy wyższe niż zwykle.")
    page.get_by_label("Załączniki (nieobowiązkowe)").set_input_files(
        [
            file("licznik.png", "image/png", PHOTO),
            file("program.png", "image/png", EXE),  # a renamed executable: the page cannot tell
        ]
    )
    files = page.get_by_role("list", name="Wybrane załączniki")
    expect(files.get_by_role("listitem")).to_have_count(2)
    expect(files).to_contain_text("gotowy do wysłania")
    check_axe(page)
    screenshot(page, "zgloszenie-nowe-reklamacja")

    with page.expect_response(re.compile(r"/api/tickets$")) as filed:
        page.get_by_role("button", name="Wyślij zgłoszenie").click()
    ticket = filed.value.json()
    assert filed.value.status == 201
    page.wait_for_url(re.compile(r"/zgloszenie\?id=R-\d{4}-\d{6}$"))
    status = page.get_by_role("status").first
    expect(status).to_contain_text(f"Reklamacja {ticket['reference']} została przyjęta.")
    expect(status).to_contain_text("Załączniki zostały przesłane")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Reklamacja {ticket['reference']}")
    expect(page.get_by_text(f"Termin odpowiedzi: {warsaw_day(14)}")).to_be_visible()
    facts = page.locator("#facts")
    expect(facts).to_contain_text("Faktura")
    expect(facts).to_contain_text(number)
    expect(facts).to_contain_text("Nowe")

    # The stack's queue consumer checks each upload: wait for its verdict through the API.
    def checked() -> bool:
        states = [a["state"] for a in api(page, "GET", f"/tickets/{ticket['id']}")["attachments"]]
        return len(states) == 2 and "pending" not in states

    wait_for(checked, "the upload check")
    attachments = page.get_by_role("region", name="Załączniki")
    photo = attachments.get_by_role("link", name="Pobierz licznik.png")
    expect(photo).to_be_visible(timeout=15_000)  # the page looks again while it checks
    expect(attachments).to_contain_text("program.png")
    expect(attachments).to_contain_text("odrzucony")
    expect(attachments.get_by_role("link", name=re.compile("program"))).to_have_count(0)
    downloaded = requests.get(photo.get_attribute("href") or "", timeout=10)
    assert downloaded.status_code == 200 and downloaded.content == PHOTO
    check_axe(page)
    screenshot(page, "zgloszenie-reklamacja")
    fits_320(page)

    # The list shows it.
    page.get_by_role("link", name="Wróć do listy zgłoszeń").click()
    row = page.get_by_role("row").filter(has_text=ticket["reference"])
    expect(row).to_contain_text("Reklamacja")
    expect(row).to_contain_text("Faktura")
    expect(row).to_contain_text("Nowe")
    expect(row).to_contain_text(warsaw_day(14))
    check_axe(page)
    screenshot(page, "zgloszenia")
    fits_320(page)
    assert console_errors(page) == []


def test_the_page_refuses_a_sixth_file_a_big_one_and_a_wrong_type(
    page: Page, customers: dict[str, Customer]
) -> None:
    log_in(page, customers["100011"], "/zgloszenia/nowe")
    picker = page.get_by_label("Załączniki (nieobowiązkowe)")
    files = page.get_by_role("list", name="Wybrane załączniki")
    problems = page.locator("#attachment-problems")
    sent: list[str] = []
    page.on(
        "request",
        lambda request: sent.append(request.url) if "/api/tickets" in request.url else None,
    )
    picker.set_input_files([file(f"zdjecie{i}.png", "image/png", PHOTO) for i in range(5)])
    picker.set_input_files([file("szosty.png", "image/png", PHOTO)])
    expect(problems).to_contain_text(
        "Plik „szosty.png” nie został dodany — możesz dołączyć najwyżej 5 plików."
    )
    expect(files.get_by_role("listitem")).to_have_count(5)
    files.get_by_role("button", name="Usuń plik zdjecie4.png").click()
    expect(files.get_by_role("listitem")).to_have_count(4)
    expect(picker).to_be_focused()

    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (10 * 1024 * 1024)
    picker.set_input_files(
        [file("duzy.png", "image/png", big), file("notatka.txt", "text/plain", b"tekst")]
    )
    expect(problems).to_contain_text("Plik „duzy.png” ma 10,0 MB — plik może mieć najwyżej 10 MB.")
    expect(problems).to_contain_text(
        "Plik „notatka.txt” ma niedozwolony format — dołącz plik JPEG, PNG lub PDF."
    )
    expect(files.get_by_role("listitem")).to_have_count(4)
    check_axe(page)
    screenshot(page, "zgloszenie-nowe-pliki")
    assert sent == []  # nothing went to the API for any of them

    assert console_errors(page) == []


def test_an_operational_report_by_keyboard_alone(
    page: Page, customers: dict[str, Customer]
) -> None:
    customer = customers["100012"]
    log_in(page, customer, "/zgloszenia")
    tab_to(page, "a[href='/zgloszenia/nowe']", limit=30)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/zgloszenia/nowe$"))
    expect(page.locator("#ticket-form")).to_be_visible()

    tab_to(page, "#kind-complaint", limit=30)
    page.keyboard.press("ArrowDown")  # to "Zgłoszenie eksploatacyjne"
    expect(page.get_by_label("Zgłoszenie eksploatacyjne")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Rodzaj problemu")).to_be_focused()
    page.keyboard.press("ArrowDown")  # "Brak wody"
    page.keyboard.press("ArrowDown")  # "Niskie ciśnienie wody"
    expect(page.get_by_label("Rodzaj problemu")).to_have_value("low_pressure")
    # The location is the service address, ready to change.
    address = customer.address
    expect(page.get_by_label("Ulica i numer")).to_have_value(address["street"])
    expect(page.get_by_label("Kod pocztowy")).to_have_value(address["postal_code"])
    expect(page.get_by_label("Miejscowość")).to_have_value(address["city"])
    page.keyboard.press("Tab")
    expect(page.get_by_label("Ulica i numer")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(" (klatka B)")
    tab_to(page, "#description")
    page.keyboard.type("Od rana bardzo słabe ciśnienie na całej klatce.")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Telefon dla ekipy (nieobowiązkowy)")).to_be_focused()
    page.keyboard.type("+48601000012")
    check_axe(page)
    screenshot(page, "zgloszenie-nowe-eksploatacyjne")
    tab_to(page, "button[type='submit']")
    assert_focus_visible(page)
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/zgloszenie\?id=Z-\d{4}-\d{6}$"))
    expect(page.get_by_role("status").first).to_contain_text(
        re.compile(r"Zgłoszenie Z/\d{4}/\d{6} zostało przyjęte.")
    )
    facts = page.locator("#facts")
    expect(facts).to_contain_text("Niskie ciśnienie wody")
    expect(facts).to_contain_text(
        f"{address['street']} (klatka B), {address['postal_code']} {address['city']}"
    )
    expect(facts).to_contain_text("+48601000012")
    expect(page.get_by_text("Termin odpowiedzi")).to_have_count(0)
    check_axe(page)
    screenshot(page, "zgloszenie-eksploatacyjne")
    assert console_errors(page) == []


def test_a_reply_and_a_reopen(page: Page, customers: dict[str, Customer], staff: Staff) -> None:
    log_in(page, customers["100011"], "/zgloszenia")
    ticket = api(
        page,
        "POST",
        "/tickets",
        {"kind": "complaint", "category": "service", "description": "Brak odpowiedzi na pismo."},
    )
    staff.post(
        f"/staff/tickets/{ticket['id']}/messages",
        {"body": "Prosimy o numer pisma.", "status": "waiting_for_customer"},
    )
    page.goto(f"/zgloszenie?id={ticket['id']}")
    conversation = page.get_by_role("region", name="Rozmowa")
    expect(conversation.get_by_role("listitem")).to_have_count(1)
    expect(conversation).to_contain_text("Biuro Obsługi Klienta")
    expect(conversation).to_contain_text("Prosimy o numer pisma.")
    expect(page.locator("#facts")).to_contain_text("Czeka na Twoją odpowiedź")

    reply = page.get_by_label("Twoja wiadomość")
    page.get_by_role("button", name="Wyślij wiadomość").click()
    expect(page.get_by_role("alert").filter(has_text="Wpisz treść wiadomości.")).to_be_focused()
    check_axe(page)
    reply.fill("Pismo nr 12/2026 z 2 marca.")
    page.get_by_role("button", name="Wyślij wiadomość").click()
    status = page.get_by_role("status").first
    expect(status).to_have_text("Wiadomość została wysłana.")
    messages = conversation.get_by_role("listitem")
    expect(messages).to_have_count(2)
    expect(messages.nth(0)).to_contain_text("Biuro Obsługi Klienta")
    expect(messages.nth(1)).to_contain_text("Ty")
    expect(messages.nth(1)).to_contain_text("Pismo nr 12/2026 z 2 marca.")
    expect(page.locator("#facts")).to_contain_text("W realizacji")
    expect(reply).to_have_value("")

    staff.post(f"/staff/tickets/{ticket['id']}/status", {"status": "resolved"})
    page.reload()
    expect(page.locator("#facts")).to_contain_text("Rozwiązane")
    expect(page.get_by_role("button", name="Wyślij wiadomość")).to_be_hidden()
    closed = page.get_by_role("region", name="Zgłoszenie zamknięte")
    expect(closed).to_contain_text("możesz je otworzyć ponownie do")
    check_axe(page)
    screenshot(page, "zgloszenie-zamkniete")

    reopen = page.get_by_role("button", name="Otwórz ponownie")
    reopen.click()
    dialog = page.get_by_role("dialog", name="Otworzyć zgłoszenie ponownie?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Powód ponownego otwarcia")).to_be_focused()
    check_axe(page)
    dialog.get_by_role("button", name="Tak, otwórz ponownie").click()
    expect(dialog.get_by_role("alert")).to_contain_text(
        "Napisz, dlaczego otwierasz zgłoszenie ponownie."
    )
    check_axe(page)
    screenshot(page, "zgloszenie-wznow")
    dialog.get_by_role("button", name="Anuluj").click()
    expect(dialog).to_be_hidden()
    expect(reopen).to_be_focused()
    expect(page.locator("#facts")).to_contain_text("Rozwiązane")  # nothing was sent

    page.keyboard.press("Enter")
    dialog.get_by_label("Powód ponownego otwarcia").fill("Nadal nie dostałem odpowiedzi.")
    dialog.get_by_role("button", name="Tak, otwórz ponownie").click()
    expect(dialog).to_be_hidden()
    expect(status).to_have_text("Zgłoszenie zostało otwarte ponownie.")
    expect(page.locator("#facts")).to_contain_text("W realizacji")
    expect(closed).to_be_hidden()
    expect(page.get_by_role("button", name="Wyślij wiadomość")).to_be_visible()
    expect(page.locator("#history")).to_contain_text("Otwarto ponownie (Ty) — W realizacji")
    check_axe(page)
    fits_320(page)
    assert console_errors(page) == []


def test_another_customers_ticket_is_not_found(page: Page, customers: dict[str, Customer]) -> None:
    log_in(page, customers["100011"], "/zgloszenia")
    secret = "Opis, którego inny klient nie może zobaczyć."
    ticket = api(page, "POST", "/tickets", {"kind": "complaint", "category": "other",
                                            "description": secret})  # fmt: skip
    page.context.clear_cookies()

    log_in(page, customers["100012"], "/zgloszenia")
    with page.expect_response(re.compile(rf"/api/tickets/{ticket['id']}$")) as answer:
        page.goto(f"/zgloszenie?id={ticket['id']}")
    assert answer.value.status == 404
    missing = page.get_by_role("heading", name="Nie znaleziono zgłoszenia")
    expect(missing).to_be_visible()
    expect(page.locator("#ticket")).to_be_hidden()
    assert secret not in page.content()
    assert ticket["reference"] not in page.inner_text("body")
    check_axe(page)
    screenshot(page, "zgloszenie-nie-znaleziono")
    fits_320(page)
    # Not a ticket's address at all: no call, the same answer.
    page.goto("/zgloszenie?id=..%2Fme")
    expect(missing).to_be_visible()
    assert console_errors(page, ignore=r"status of (401|404)") == []
