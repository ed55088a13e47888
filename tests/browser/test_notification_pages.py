"""The notification pages: the list of what was sent (/powiadomienia), the unsubscribe
landing page (/wypisz) and the profile's notice of a suppressed address. Customers 100016
(suppressed) and 100017 (list, unsubscribe)."""

from __future__ import annotations

import json
import re
from datetime import date

import boto3
import pytest
import requests
from playwright.sync_api import Page, expect
from pynamodb.attributes import UTCDateTimeAttribute

from chalicelib.domain import unsubscribe
from tests.browser.conftest import check_axe, register_customer
from tests.e2e.test_local_stack import Stack

PASSWORD = "Powiadomienia-2026!"
SUPPRESSED = "100016"
LISTED = "100017"


def email_of(number: str) -> str:
    return f"powiadomienia{number}@example.pl"


@pytest.fixture(scope="module")
def customers(stack: Stack) -> tuple[str, str]:
    for number in (SUPPRESSED, LISTED):
        register_customer(
            stack, number, email_of(number), PASSWORD, consents={"email_notices": True}
        )
    return SUPPRESSED, LISTED


def moto(stack: Stack, service: str):
    return boto3.client(
        service,
        endpoint_url=f"http://127.0.0.1:{stack.moto_port}",
        region_name="eu-central-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def log_in(page: Page, login: str, next_page: str) -> None:
    page.goto(f"/logowanie?next={next_page}")
    page.get_by_label("Numer klienta").fill(login)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(re.compile(re.escape(next_page) + "$"))


def test_the_list_shows_what_was_sent_newest_first(page: Page, customers) -> None:
    log_in(page, LISTED, "/powiadomienia")
    expect(page.get_by_role("heading", name="Powiadomienia", level=1)).to_be_visible()
    rows = page.locator("#rows tr")
    expect(rows.first).to_contain_text("Aktywuj konto w IBOK")  # the activation e-mail
    expect(rows.first).to_contain_text("e-mail")
    expect(page.locator("#empty")).to_be_hidden()
    check_axe(page)


def test_the_list_pages_and_has_an_empty_state(page: Page, customers) -> None:
    first = {
        "items": [
            {
                "kind": "new_invoice",
                "category": "notice",
                "title": "Nowa faktura w IBOK",
                "channels": ["email", "sms"],
                "sent_at": "2026-11-20T10:00:00+00:00",
                "state": "sent",
            }
        ],
        "next_cursor": "next",
    }
    second = {"items": [{**first["items"][0], "title": "Starsza"}], "next_cursor": None}

    def answer(route):
        body = second if "cursor=next" in route.request.url else first
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route("**/api/notifications?*", answer)
    log_in(page, LISTED, "/powiadomienia")
    more = page.get_by_role("button", name="Pokaż więcej")
    expect(page.locator("#rows tr")).to_have_count(1)
    expect(page.locator("#rows")).to_contain_text("e-mail, SMS")
    more.click()
    expect(page.locator("#rows tr")).to_have_count(2)
    expect(more).to_be_hidden()
    check_axe(page)

    page.unroute("**/api/notifications?*")
    empty = {"items": [], "next_cursor": None}
    page.route(
        "**/api/notifications?*",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(empty)
        ),
    )
    page.reload()
    expect(page.get_by_text("Nie wysłaliśmy jeszcze żadnego powiadomienia.")).to_be_visible()
    check_axe(page)


def token_for(stack: Stack, login: str) -> str:
    pepper = moto(stack, "ssm").get_parameter(
        Name="/ibok/local/password-pepper", WithDecryption=True
    )["Parameter"]["Value"]
    key = unsubscribe.unsubscribe_key(pepper.encode("utf-8"))
    account = moto(stack, "dynamodb").get_item(
        TableName="ibok-local-accounts",
        Key={"pk": {"S": f"ACCOUNT#{login}"}, "sk": {"S": "ACCOUNT"}},
    )["Item"]
    registered = UTCDateTimeAttribute().deserialize(account["created_at"]["S"]).isoformat()
    holder = unsubscribe.holder_mark(key, account["email"]["S"], registered)
    today = (date.today() - date(1970, 1, 1)).days
    return unsubscribe.issue(key, login, "email_notices", today, holder)


def consent_of(stack: Stack, login: str) -> bool:
    session = requests.post(
        f"{stack.url}/auth/login",
        json={"login": login, "password": PASSWORD, "session": "bearer"},
        timeout=10,
    ).json()
    me = requests.get(
        f"{stack.url}/me", headers={"Authorization": f"Bearer {session['token']}"}, timeout=10
    ).json()
    return me["consents"]["email_notices"]["granted"]


def test_the_unsubscribe_page_confirms_the_withdrawal(page: Page, stack: Stack, customers) -> None:
    assert consent_of(stack, LISTED) is True
    page.goto(f"/wypisz#token={token_for(stack, LISTED)}")
    expect(page.get_by_role("heading", name="Wypisanie z powiadomień", level=1)).to_be_visible()
    check_axe(page)
    page.get_by_role("button", name="Wypisz mnie").click()
    done = page.get_by_role("heading", name="Wypisano z powiadomień")
    expect(done).to_be_focused()
    expect(page.locator("#done")).to_contain_text("powiadomienia e-mail jest wycofana")
    check_axe(page)
    assert consent_of(stack, LISTED) is False


def test_a_forged_unsubscribe_link_says_so(page: Page, stack: Stack, customers) -> None:
    forged = token_for(stack, SUPPRESSED).replace(SUPPRESSED, LISTED)
    page.goto(f"/wypisz#token={forged}")
    page.get_by_role("button", name="Wypisz mnie").click()
    expect(page.get_by_role("heading", name="Nie udało się wypisać")).to_be_focused()
    expect(page.locator("#failed")).to_contain_text("nieprawidłowy albo wygasł")
    check_axe(page)


def test_the_profile_tells_of_a_suppressed_address(page: Page, stack: Stack, customers) -> None:
    # What the mail_events handler does on SES's bounce (tests/api/test_notifications.py):
    # the account's address is marked suppressed.
    moto(stack, "dynamodb").update_item(
        TableName="ibok-local-accounts",
        Key={"pk": {"S": f"ACCOUNT#{SUPPRESSED}"}, "sk": {"S": "ACCOUNT"}},
        UpdateExpression="SET suppressed_email = :e, suppressed_reason = :r",
        ExpressionAttributeValues={":e": {"S": email_of(SUPPRESSED)}, ":r": {"S": "bounce"}},
    )
    log_in(page, SUPPRESSED, "/profil")
    notice = page.locator("#email-suppressed")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("nie wysyłamy na niego nic")
    expect(page.get_by_role("link", name="Powiadomienia wysłane do Ciebie")).to_be_visible()
    check_axe(page)
