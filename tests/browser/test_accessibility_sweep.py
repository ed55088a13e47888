"""Every page of the portal, found by listing `frontend/**/*.html` (a new page cannot be
left out), opened as it first appears — logged in as the demo customer 100001 (read only)
where the page is for customers, as an admin of the back office where it is a staff page
(`staffLayout()`) — and checked at 1280 px, 320 px and 1280 px at 200 %
zoom: axe-core WCAG 2.1 AA with 0 violations, no horizontal scroll, `lang="pl"`, one h1,
no console error (a CSP violation is one) and no request leaving 127.0.0.1."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from scripts import demo_data
from tests.browser.conftest import check_axe, console_errors, staff_account
from tests.e2e.test_local_stack import ROOT, Stack

FRONTEND = ROOT / "frontend"
SCRIPT = re.compile(r'<script type="module" src="(/js/pages/[\w-]+\.js)"></script>')
# Widths in CSS pixels: the desktop; the narrowest phone (WCAG 1.4.10 reflow); and the
# desktop at 200 % zoom, which Chromium lays out exactly as a 640 px wide viewport.
WIDTHS = {"1280 px": 1280, "320 px": 320, "1280 px at 200 %": 640}


def page_path(html: Path) -> str:
    """The address a page is served at: `x.html` → `/x`, `x/index.html` → `/x/`."""
    relative = html.relative_to(FRONTEND).as_posix().removesuffix(".html")
    return "/" + relative.removesuffix("index")


def _module(html: Path) -> str:
    found = SCRIPT.search(html.read_text(encoding="utf-8"))
    assert found, f"{html.name}: no page module (<script type=module src=/js/pages/…>)"
    return (FRONTEND / found.group(1).lstrip("/")).read_text(encoding="utf-8")


def for_customers(html: Path) -> bool:
    """A page for a logged-in customer: its module lays it out with `customerLayout()`."""
    return "customerLayout()" in _module(html)


def for_staff(html: Path) -> bool:
    """A back-office page: its module lays it out with `staffLayout()`."""
    return "staffLayout()" in _module(html)


PAGES = sorted(FRONTEND.rglob("*.html"))


def test_the_sweep_finds_every_page() -> None:
    paths = [page_path(html) for html in PAGES]
    assert {"/", "/logowanie", "/rejestracja", "/profil", "/platnosc/powrot"} <= set(paths)
    assert len(paths) == len(set(paths)) >= 16


@pytest.fixture(scope="module")
def logged_in_state(browser: Browser, stack: Stack) -> dict:
    """The cookies of one login as the demo customer, for every customer page."""
    context = browser.new_context(base_url=stack.portal, locale="pl-PL")
    page = context.new_page()
    page.goto("/logowanie")
    page.get_by_label("Numer klienta").fill(demo_data.DEMO_LOGIN)
    page.get_by_label("Hasło").fill(demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(f"{stack.portal}/")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture(scope="module")
def staff_state(browser: Browser, stack: Stack) -> dict:
    """The cookies of one back-office login (password and TOTP code) as an admin of its own,
    for every staff page."""
    import pyotp

    admin = staff_account(stack, "przeglad-dostepnosci", "admin")
    context = browser.new_context(base_url=stack.portal, locale="pl-PL")
    page = context.new_page()
    page.goto("/obsluga/logowanie")
    page.get_by_label("Login pracownika").fill(admin.login)
    page.get_by_label("Hasło").fill(admin.password)
    page.get_by_role("button", name="Dalej").click()
    page.get_by_label("Kod (6 cyfr)").fill(pyotp.TOTP(admin.secret).now())
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(f"{stack.portal}/obsluga/")
    state = context.storage_state()
    context.close()
    return state


def _open(browser: Browser, stack: Stack, state: dict | None) -> tuple[Page, list[str]]:
    """A page in a fresh context (logged in when `state` holds cookies), recording its
    console errors as the `page` fixture does, and every URL the page asks for."""
    context = browser.new_context(
        base_url=stack.portal,
        viewport={"width": 1280, "height": 800},
        locale="pl-PL",
        storage_state=state,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: _keep_error(errors, message))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors  # type: ignore[attr-defined]
    asked: list[str] = []
    context.on("request", lambda request: asked.append(request.url))
    return page, asked


def _keep_error(errors: list[str], message: ConsoleMessage) -> None:
    if message.type == "error":
        errors.append(message.text)


def _elsewhere(urls: list[str]) -> list[str]:
    """The URLs that leave this machine (the portal, the API's pages and moto are all on
    127.0.0.1; `data:` and `blob:` never leave the browser)."""
    return [
        url
        for url in urls
        if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != "127.0.0.1"
    ]


@pytest.mark.parametrize("html", PAGES, ids=[page_path(html) for html in PAGES])
def test_every_page_at_every_width(
    request: pytest.FixtureRequest, browser: Browser, stack: Stack, html: Path
) -> None:
    path = page_path(html)
    state = None
    if for_customers(html):
        state = request.getfixturevalue("logged_in_state")
    elif for_staff(html):
        state = request.getfixturevalue("staff_state")
    page, asked = _open(browser, stack, state)
    try:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        # Opened as it is (a customer or staff page logged in, not sent to a login page).
        assert urlsplit(page.url).path == path, page.url
        expect(page.locator("main#main")).to_be_visible()
        assert page.evaluate("document.documentElement.lang") == "pl"
        expect(page.locator("h1")).to_have_count(1)
        for name, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 800 if width > 320 else 640})
            page.wait_for_timeout(100)  # a chart redraws at the new width
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{path} at {name}: {scroll} px wide"
            expect(page.locator("h1")).to_be_in_viewport()
            check_axe(page)
        assert console_errors(page, ignore=r"^$") == [], path
        assert asked and _elsewhere(asked) == [], asked
    finally:
        page.context.close()
