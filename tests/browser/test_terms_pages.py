"""The terms gate, the personal-data page and the back office's terms page in Chromium,
as customer 100020 only (registered here, once for this module): /moje-dane shows every
section and downloads the same data as a JSON file; after staff publish a terms version
effective now, the customer's next call of the service answers 403 `terms_not_accepted`,
js/api.js sends them to /regulamin, which asks them to accept and brings them back; an
admin publishes a version on /obsluga/regulaminy. axe on every state.

The stack is shared by every browser test, and a terms version in effect holds back every
customer who has not accepted it. A version is therefore its test's alone for as long as
that test runs: browser tests run one at a time (one xdist group, one worker), the local
stage reads the versions afresh on each request (TERMS_COPY_SECONDS=0 in
.chalice/config.json), and each test deletes its version from the stack's DynamoDB
afterwards (no API unpublishes a version: a real one never goes away), so the shipped
version is in effect again for every test after it. That deletion runs however the test
ends. The export test runs first: after the gate test 100020 has accepted a version that
no longer exists, which would hold it back."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pyotp
import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    check_axe,
    console_errors,
    register_customer,
    screenshot,
    staff_account,
)
from tests.browser.test_staff_pages import fits_320, staff_page
from tests.e2e.test_local_stack import Stack

NUMBER = "100020"
EMAIL = "regulamin100020@example.pl"
PASSWORD = "Regulamin-Test-2026!"
ADMIN_LOGIN = "regulamin-admin"
TEST_VERSION = "test-bramka"


@dataclass(frozen=True)
class Customer:
    number: str
    email: str


@pytest.fixture(scope="module")
def customer(stack: Stack) -> Customer:
    register_customer(stack, NUMBER, EMAIL, PASSWORD, phone="+48601000020",
                      consents={"email_notices": True})  # fmt: skip
    return Customer(NUMBER, EMAIL)


def admin_headers(stack: Stack) -> dict[str, str]:
    """An admin session on the stack's API (`make staff-account ROLE=admin`, then the
    password and the TOTP code, whose answer carries the session's new token)."""
    account = staff_account(stack, ADMIN_LOGIN, "admin")
    login = stack.post(
        "/auth/login", {"login": account.login, "password": account.password, "session": "bearer"}
    )
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    second = stack.post("/auth/login/totp", {"code": pyotp.TOTP(account.secret).now()}, **headers)
    assert second.status_code == 200, second.text
    return {"Authorization": f"Bearer {second.json()['token']}"}


def _delete_version(stack: Stack, version: str) -> None:
    boto3.resource(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{stack.moto_port}",
        region_name="eu-central-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    ).Table("ibok-local-service").delete_item(Key={"pk": "TERMS", "sk": f"VERSION#{version}"})


@pytest.fixture
def new_terms(stack: Stack) -> Iterator[str]:
    """A terms version effective now, published by an admin through the API; deleted
    afterwards, so that no other test's customer is held back (module docstring)."""
    body = {
        "version": TEST_VERSION,
        "title": "Regulamin IBOK (wersja testowa)",
        "text": "# Regulamin IBOK\n\n## §1. Zmiany\n\nNowa wersja regulaminu do testu bramki.",
        "effective_from": datetime.now(UTC).isoformat(),
    }
    try:
        answer = requests.post(
            f"{stack.url}/staff/terms", json=body, headers=admin_headers(stack), timeout=10
        )
        assert answer.status_code == 201, answer.text
        yield TEST_VERSION
    finally:
        _delete_version(stack, TEST_VERSION)
        assert requests.get(f"{stack.url}/terms", timeout=10).json()["version"] != TEST_VERSION


def log_in(page: Page, customer: Customer, target: str) -> None:
    page.goto(f"/logowanie?next={target}")
    page.get_by_label("Numer klienta").fill(customer.number)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()


def test_my_data_page_shows_every_section_and_downloads_them(
    page: Page, customer: Customer
) -> None:
    log_in(page, customer, "/moje-dane")
    page.wait_for_url(re.compile(r"/moje-dane$"))
    expect(page.get_by_role("heading", name="Moje dane", level=1)).to_be_visible()
    for name in (
        "Konto",
        "Akceptacje regulaminu",
        "Zgody",
        "Aktywne sesje",
        "Historia logowań",
        "Powiadomienia",
        "Zgłoszenia i reklamacje",
        "Podane odczyty wodomierzy",
        "Płatności online",
    ):
        expect(page.get_by_role("heading", name=name, level=2)).to_be_visible()
    expect(page.locator("#account")).to_contain_text(EMAIL)
    expect(page.get_by_role("region", name="Decyzje o zgodach, od najstarszej")).to_contain_text(
        "Wyrażona"
    )
    expect(page.get_by_role("region", name="Próby logowania, od najnowszej")).to_contain_text(
        "Udane"
    )
    # This very session, with the browser it came from.
    expect(page.get_by_role("region", name="Aktywne sesje, od najnowszej")).to_contain_text(
        "Mozilla"
    )
    sent = page.get_by_role("region", name="Wysłane powiadomienia, od najnowszego")
    expect(sent).to_contain_text("Aktywuj konto w IBOK")  # the activation e-mail
    expect(sent).to_contain_text("e-mail")
    check_axe(page)
    screenshot(page, "moje-dane")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Pobierz moje dane (plik JSON)").click()
    download = download_info.value
    assert re.fullmatch(
        rf"ibok-moje-dane-{NUMBER}-\d{{4}}-\d\d-\d\d\.json", download.suggested_filename
    )
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["account"]["login"] == NUMBER
    assert "password_hash" not in json.dumps(data)
    assert data["sessions"] and data["email_suppression"] is None
    assert console_errors(page) == []


def test_a_new_terms_version_is_asked_for_and_then_lets_the_customer_through(
    page: Page, customer: Customer, new_terms: str
) -> None:
    log_in(page, customer, "/faktury")
    # The invoices page's first call answers 403 terms_not_accepted: off to the terms page.
    page.wait_for_url(re.compile(r"/regulamin\?next=%2Ffaktury$"))
    expect(page.locator(".notice")).to_contain_text("obowiązuje nowa wersja regulaminu")
    expect(page.get_by_role("heading", name=re.compile("^§1\\. Zmiany"))).to_be_visible()
    check_axe(page)
    screenshot(page, "regulamin-do-akceptacji")
    page.get_by_role("button", name="Akceptuję regulamin").click()
    expect(page.get_by_role("alert")).to_contain_text("Zaznacz, że akceptujesz regulamin.")
    check_axe(page)
    page.get_by_label(f"Przeczytałem(-am) i akceptuję regulamin w wersji {new_terms}.").check()
    page.get_by_role("button", name="Akceptuję regulamin").click()
    expect(page.locator("#status")).to_have_text(
        f"Dziękujemy. Zaakceptowano regulamin w wersji {new_terms}."
    )
    expect(page.locator("#accepted-version")).to_contain_text(new_terms)
    check_axe(page)
    screenshot(page, "regulamin-zaakceptowany")
    page.get_by_role("link", name="Przejdź dalej").click()
    page.wait_for_url(re.compile(r"/faktury$"))
    expect(page.get_by_role("heading", name="Faktury", level=1)).to_be_visible()
    assert console_errors(page, ignore=r"status of (401|403)") == []


PAGE_VERSION = "test-strona"


def test_an_admin_publishes_a_version_on_the_back_office_page(
    page: Page, stack: Stack, browser
) -> None:
    """/obsluga/regulaminy: the versions with their state, a preview of the text, a date in
    the past refused on its field, publication behind a confirmation, a taken label
    refused; a staff member who is not an admin gets the refusal and no form. The version
    takes effect at once, so it is deleted afterwards (module docstring)."""
    staff_page(page, stack, "regulaminy", start="/obsluga/regulaminy")
    expect(page.get_by_role("alert")).to_contain_text("publikują tylko administratorzy")
    expect(page.get_by_role("heading", name="Nowa wersja regulaminu")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Menu obsługi")
    expect(nav.get_by_role("link", name="Regulaminy")).to_have_count(0)
    check_axe(page)

    context = browser.new_context(base_url=stack.portal, viewport={"width": 1280, "height": 800})
    try:
        admin = context.new_page()
        errors: list[str] = []
        admin.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        staff_page(admin, stack, "regulaminy-admin", role="admin", start="/obsluga/regulaminy")
        nav = admin.get_by_role("navigation", name="Menu obsługi")
        expect(nav.get_by_role("link", name="Regulaminy")).to_have_attribute("aria-current", "page")
        shipped = requests.get(f"{stack.url}/terms", timeout=10).json()["version"]
        versions = admin.get_by_role("region", name="Lista wersji regulaminu")

        def row_of(version: str):
            cell = admin.get_by_role("cell", name=version, exact=True)
            return versions.get_by_role("row").filter(has=cell)

        expect(row_of(shipped)).to_contain_text("obowiązuje")
        expect(admin.locator("#in-effect")).to_have_text(f"Teraz obowiązuje wersja {shipped}.")
        check_axe(admin)
        fits_320(admin)

        admin.get_by_label("Oznaczenie wersji").fill(PAGE_VERSION)
        admin.get_by_label("Tytuł").fill("Regulamin IBOK (strona obsługi)")
        admin.get_by_label("Treść").fill(
            "# Regulamin IBOK\n\n## §1. Zmiana\n\nWersja opublikowana na stronie obsługi.\n\n"
            "- punkt pierwszy\n- punkt drugi"
        )
        admin.get_by_text("Podgląd treści").click()
        preview = admin.locator("#preview")
        expect(preview.get_by_role("heading", name="§1. Zmiana", level=4)).to_be_visible()
        expect(preview.get_by_role("listitem")).to_have_count(2)
        # No moment given, then one in the past: refused on the field, nothing published.
        admin.get_by_role("button", name="Opublikuj wersję").click()
        expect(admin.get_by_role("alert")).to_contain_text("Podaj, od kiedy wersja obowiązuje")
        admin.get_by_label("Obowiązuje od").fill("2020-01-01T10:00")
        admin.get_by_role("button", name="Opublikuj wersję").click()
        dialog = admin.get_by_role("dialog", name=f"Opublikować regulamin w wersji {PAGE_VERSION}?")
        expect(dialog).to_contain_text("nie można zmienić ani usunąć")
        check_axe(admin)
        dialog.get_by_role("button", name="Opublikuj").click()
        expect(admin.get_by_role("alert")).to_contain_text(
            "Data wejścia w życie nie może być wcześniejsza niż teraz."
        )
        check_axe(admin)
        # At once: a confirmation, then the list shows it in effect.
        admin.get_by_label("Od razu po publikacji").check()
        expect(admin.get_by_label("Obowiązuje od")).to_be_hidden()
        admin.get_by_role("button", name="Opublikuj wersję").click()
        dialog.get_by_role("button", name="Opublikuj").click()
        expect(admin.get_by_role("status")).to_contain_text(
            f"Opublikowano regulamin w wersji {PAGE_VERSION}"
        )
        expect(row_of(PAGE_VERSION)).to_contain_text("obowiązuje")
        expect(row_of(PAGE_VERSION)).to_contain_text("regulaminy-admin")
        expect(row_of(shipped)).to_contain_text("archiwalna")
        assert requests.get(f"{stack.url}/terms", timeout=10).json()["version"] == PAGE_VERSION
        check_axe(admin)
        screenshot(admin, "obsluga-regulaminy")
        # The same label again: refused, and the form keeps what was typed.
        admin.get_by_label("Oznaczenie wersji").fill(PAGE_VERSION)
        admin.get_by_label("Tytuł").fill("Drugi raz")
        admin.get_by_label("Treść").fill("Ta sama nazwa wersji po raz drugi, do odrzucenia.")
        admin.get_by_label("Od razu po publikacji").check()
        admin.get_by_role("button", name="Opublikuj wersję").click()
        dialog.get_by_role("button", name="Opublikuj").click()
        expect(admin.get_by_role("alert")).to_contain_text(
            "Wersja regulaminu o tej nazwie już istnieje."
        )
        expect(admin.get_by_label("Tytuł")).to_have_value("Drugi raz")
        check_axe(admin)
        # The browser's notes on the login redirect (401) and the refusals shown (400, 409).
        assert [e for e in errors if not re.search(r"status of (401|400|409)", e)] == []
    finally:
        context.close()
        _delete_version(stack, PAGE_VERSION)
    assert requests.get(f"{stack.url}/terms", timeout=10).json()["version"] == shipped
