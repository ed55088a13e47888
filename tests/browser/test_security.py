"""The portal as an attacker sees it, in Chromium: the login page's `next=` return never
leaves the portal (whatever the browser's URL parser makes of it), and the one-time token
of an e-mailed link leaves the address bar (and so the history) as soon as it is read."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from scripts import demo_data

# What a `next=` may hold after URL decoding: each of these is elsewhere to a browser
# (tabs and newlines are dropped from URLs, a backslash is a slash, `javascript:`).
HOSTILE_NEXT = [
    "//evil.example/",
    "/\\evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r\n/evil.example/",
    "\t//evil.example/",
    "/\t\\evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    " /\t/evil.example/",
]


def safe_next(page: Page, raw: str) -> str:
    return page.evaluate("(raw) => import('/js/api.js').then((m) => m.safeNext(raw))", raw)


def lands_at(page: Page, raw: str) -> str:
    """Where the browser would go with `safeNext(raw)`, resolved as location.assign does."""
    return page.evaluate(
        "(raw) => import('/js/api.js').then((m) => new URL(m.safeNext(raw), location.href).href)",
        raw,
    )


@pytest.mark.parametrize("raw", HOSTILE_NEXT, ids=repr)
def test_safe_next_stays_on_the_portal(page: Page, stack, raw: str) -> None:
    page.goto("/logowanie")
    assert lands_at(page, raw).startswith(f"{stack.portal}/"), safe_next(page, raw)


def test_safe_next_keeps_a_page_of_the_portal(page: Page) -> None:
    page.goto("/logowanie")
    assert safe_next(page, "/faktury?status=unpaid#lista") == "/faktury?status=unpaid#lista"
    assert safe_next(page, "/?widok=konto") == "/?widok=konto"
    assert safe_next(page, "") == "/"


def test_login_with_a_tab_in_next_stays_on_the_portal(page: Page, stack) -> None:
    page.route(lambda url: urlsplit(url).hostname == "evil.example", lambda r: r.abort())
    page.goto("/logowanie?next=/%09/evil.example/")
    page.get_by_label("Numer klienta").fill(demo_data.DEMO_LOGIN)
    page.get_by_label("Hasło").fill(demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(f"{stack.portal}/")


@pytest.mark.parametrize(
    "name", ["aktywacja", "nowe-haslo", "potwierdz-email", "anuluj-zmiane-email"]
)
def test_the_token_leaves_the_address_bar_but_is_still_sent(page: Page, name: str) -> None:
    token = "t" * 43
    page.goto(f"/{name}#token={token}")
    expect(page).to_have_url(re.compile(rf"/{name}$"))
    if name == "nowe-haslo":
        page.get_by_label("Nowe hasło", exact=True).fill("Bardzo-Dlugie-Haslo-2024!")
        page.get_by_label("Powtórz nowe hasło").fill("Bardzo-Dlugie-Haslo-2024!")
    with page.expect_request(lambda r: r.method == "POST" and "/api/" in r.url) as sent:
        page.locator("#link-form button[type=submit]").click()
    assert sent.value.post_data_json["token"] == token
