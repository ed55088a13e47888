"""The issue-12 journey across both sides of the portal, in Chromium, with customer 100015:

1. the customer files a complaint about one of their invoices, with a photo;
2. a staff member logs in to the back office with password and TOTP, finds it at the top of
   the queue (the nearest deadline), opens it, replies and resolves it;
3. the customer sees the reply and the status in the portal, and the e-mails in the outbox;
and a failure notice for the customer's street, published by the staff, on the customer's
dashboard until it is withdrawn. axe on every page on the way."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pyotp
from playwright.sync_api import Browser, Page, expect

from scripts import demo_data
from tests.browser.conftest import (
    check_axe,
    console_errors,
    new_page,
    outbox_messages,
    register_customer,
    screenshot,
    staff_account,
)
from tests.browser.test_ticket_pages import PHOTO, file, wait_for
from tests.e2e.test_local_stack import Stack

CUSTOMER = "100015"
EMAIL = f"podroz{CUSTOMER}@example.pl"
PASSWORD = "Podroz-Reklamacja-2026!"
REPLY = "Sprawdziliśmy odczyt: błąd w fakturze. Wystawimy korektę w ciągu 7 dni."


def customer_log_in(page: Page, target: str) -> None:
    page.goto(f"/logowanie?next={target}")
    page.get_by_label("Numer klienta").fill(CUSTOMER)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(re.compile(re.escape(target.split("?")[0]) + r"(\?.*)?$"))


def test_a_complaint_from_filing_to_the_staffs_answer(
    page: Page, browser: Browser, stack: Stack
) -> None:
    register_customer(stack, CUSTOMER, EMAIL, PASSWORD)
    invoice = [
        line["number"]
        for line in demo_data.batch_lines()
        if line["type"] == "invoice" and line["customer_number"] == CUSTOMER
    ][-1]

    # 1. The customer files a complaint about the invoice, with a photo of the meter.
    customer_log_in(page, "/zgloszenia/nowe")
    expect(page.locator("#kind-complaint")).to_be_checked()
    page.get_by_label("Temat reklamacji").select_option("invoice")
    chooser = page.get_by_label("Faktura, której dotyczy reklamacja")
    choice = chooser.locator("option").filter(has_text=invoice)
    chooser.select_option(value=choice.get_attribute("value"))
    page.get_by_label("Opis").fill("Faktura liczy 40 m³, a wodomierz pokazuje 12 m³ zużycia.")
    page.get_by_label("Załączniki (nieobowiązkowe)").set_input_files(
        [file("wodomierz.png", "image/png", PHOTO)]
    )
    check_axe(page)
    with page.expect_response(re.compile(r"/api/tickets$")) as filed:
        page.get_by_role("button", name="Wyślij zgłoszenie").click()
    assert filed.value.status == 201
    ticket = filed.value.json()
    reference = ticket["reference"]
    page.wait_for_url(re.compile(r"/zgloszenie\?id="))
    expect(page.get_by_role("status").first).to_contain_text(f"Reklamacja {reference}")
    expect(page.locator("#facts")).to_contain_text(invoice)

    def photo_checked() -> bool:
        answer = page.request.get(f"/api/tickets/{ticket['id']}")
        return [a["state"] for a in answer.json()["attachments"]] == ["ready"]

    wait_for(photo_checked, "the photo's check")
    check_axe(page)

    # 2. Staff: password, then the code of their authenticator app; the queue; the answer.
    account = staff_account(stack, f"podroz-{int(time.time() * 1000) % 10_000_000}")
    staff = new_page(browser, stack)  # another person, another browser
    try:
        staff.goto("/obsluga/")
        staff.wait_for_url(re.compile(r"/obsluga/logowanie\?next="))
        staff.get_by_label("Login pracownika").fill(account.login)
        staff.get_by_label("Hasło").fill(account.password)
        staff.get_by_role("button", name="Dalej").click()
        staff.get_by_label("Kod (6 cyfr)").fill(pyotp.TOTP(account.secret).now())
        staff.get_by_role("button", name="Zaloguj się").click()
        staff.wait_for_url(re.compile(r"/obsluga/(\?.*)?$"))
        staff.get_by_label("Rodzaj").select_option("complaint")
        staff.get_by_role("button", name="Pokaż").click()
        row = staff.locator("#queue").get_by_role("row").filter(has_text=reference)
        expect(row).to_contain_text(CUSTOMER)
        check_axe(staff)
        row.get_by_role("link", name=reference).click()
        staff.wait_for_url(re.compile(r"/obsluga/zgloszenie\?id="))
        expect(staff.get_by_role("heading", level=1)).to_have_text(f"Reklamacja {reference}")
        expect(
            staff.locator("#attachments").get_by_role("link", name=re.compile("wodomierz"))
        ).to_be_visible()
        check_axe(staff)
        staff.get_by_label("Treść odpowiedzi").fill(REPLY)
        staff.get_by_label("Zmień status razem z odpowiedzią").select_option("resolved")
        staff.get_by_role("button", name="Wyślij odpowiedź").click()
        expect(staff.get_by_role("status")).to_have_text("Odpowiedź wysłana, status: rozwiązane.")
        expect(staff.locator(".message.from-staff", has_text=REPLY)).to_be_visible()
        check_axe(staff)
        screenshot(staff, "podroz-obsluga-odpowiedz")
        assert console_errors(staff) == []

        # A failure notice for the customer's street (the back office's page for it is
        # tested in test_staff_pages.py; here its API, with the staff's session).
        street = next(
            line["service_address"]["street"]
            for line in demo_data.batch_lines()
            if line["type"] == "customer" and line["customer_number"] == CUSTOMER
        )
        csrf = {"X-IBOK-CSRF": "1"}
        notice = staff.request.post(
            "/api/staff/announcements",
            headers=csrf,
            data={
                "kind": "failure",
                "title": "Awaria wodociągu w Twojej okolicy",
                "text": "Usuwamy awarię; woda może być mętna do wieczora.",
                "streets": [street],
                "starts_at": datetime.now(UTC).isoformat(),
                "ends_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
            },
        )
        assert notice.status == 201, notice.text()
        notice_id = notice.json()["id"]
        published = staff.request.post(
            f"/api/staff/announcements/{notice_id}/publish", headers=csrf, data={}
        )
        assert published.ok, published.text()
        try:
            page.goto("/")
            news = page.get_by_role("region", name="Komunikaty")
            expect(news).to_contain_text("Awaria wodociągu w Twojej okolicy")
            expect(news).to_contain_text("Awaria")
            check_axe(page)
            screenshot(page, "podroz-pulpit-komunikat")
        finally:  # the stack is shared: the next tests' dashboards see no notice
            withdrawn = staff.request.post(
                f"/api/staff/announcements/{notice_id}/withdraw", headers=csrf, data={}
            )
            assert withdrawn.ok, withdrawn.text()
        page.reload()
        expect(page.get_by_role("heading", name="Saldo")).to_be_visible()
        expect(page.get_by_role("region", name="Komunikaty")).to_be_hidden()
    finally:
        staff.context.close()

    # 3. The customer sees the answer in the portal and has it by e-mail.
    page.goto(f"/zgloszenie?id={ticket['id']}")
    conversation = page.get_by_role("region", name="Rozmowa")
    expect(conversation).to_contain_text("Biuro Obsługi Klienta")
    expect(conversation).to_contain_text(REPLY)
    expect(page.locator("#facts")).to_contain_text("Rozwiązane")
    check_axe(page)
    screenshot(page, "podroz-klient-odpowiedz")

    def answers() -> list[dict]:
        return [m for m in outbox_messages(stack) if m["to"] == EMAIL and REPLY in m["text"]]

    wait_for(lambda: bool(answers()), "the reply e-mail")
    answered = answers()[0]
    assert answered["subject"] == "Nowa informacja w sprawie Twojego zgłoszenia w IBOK"
    assert reference in answered["text"]
    link = f"{stack.portal}/zgloszenie?id={ticket['id']}"
    assert link in answered["text"]
    page.context.clear_cookies()  # from the e-mail, logged out: through the login, back to it
    page.goto(link)
    page.wait_for_url(re.compile(r"/logowanie\?next="))
    page.get_by_label("Numer klienta").fill(CUSTOMER)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.get_by_role("region", name="Rozmowa")).to_contain_text(REPLY)
    assert console_errors(page) == []
