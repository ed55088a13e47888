"""Browser tests: Playwright (Python) driving Debian's Chromium against one local stack
(`python -m scripts.local_stack` on free ports, demo data included) for the whole session.

Fixtures: `stack` (the running stack: `.portal`, `.url`, `.outbox`), `browser`, `page`
(a fresh context per test, so no cookie leaks between tests; opened at the portal's
origin). Helpers: `check_axe(page)`, `screenshot(page, name)`, `outbox_link(stack, to,
page_name)`, `console_errors(page)`, `staff_account(stack, login, role)` (a back-office
account with its TOTP secret).

Every test here is in the xdist group "browser" (`make test` runs `--dist loadgroup`), so
they share one worker and one stack. None is ever skipped: without Chromium they fail and
say how to install it.

The demo customers (scripts/demo_data.py, 100001–100024) each belong to one module, so no
test sees another's changes: 100001 the demo account (read only), 100002 the portal
journey, 100003–04 login and account pages, 100005–06 money pages, 100007–08 meters,
100009–10 profile, 100011–12 ticket pages, 100013–14 staff pages, 100015 the ticket
journey, 100016–17 notification pages, 100018–19 resignation, 100020 terms, 100021–22 the
notification journey; 100023–24 are free.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from playwright.sync_api import Browser, Page, sync_playwright

from chalicelib.adapters.mailer import read_outbox
from tests.e2e.test_local_stack import ROOT, Stack

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
ARTEFACTS = ROOT / "artefacts" / "screenshots"
WIDTHS = (360, 1280)
DESKTOP = {"width": 1280, "height": 800}
# WCAG 2.1 A and AA (and axe's best practices, which cover landmarks and headings).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep every browser test on one xdist worker, with the one stack."""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One local stack (API, moto, portal) for every browser test."""
    # Every module registers its own customers, all from 127.0.0.1: more registrations in
    # an hour than one address gets in production (REGISTER_MAX_PER_SOURCE, 20).
    running = Stack(
        tmp_path_factory.mktemp("browser-stack") / "outbox",
        settings={"REGISTER_MAX_PER_SOURCE": "200"},
    )
    try:
        running.wait_healthy()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; never a browser Playwright would download."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Brak Chromium ({CHROMIUM}). `make test` instaluje go sam (apt-get install -y "
            "chromium); bez uprawnień roota: sudo apt-get install -y chromium, albo ustaw "
            "CHROMIUM=<ścieżka do chromium>."
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def new_page(browser: Browser, stack: Stack) -> Page:
    """A page in a fresh context (no cookies, no storage) at the portal's origin, desktop
    size; console errors (a CSP violation among them) are collected for `console_errors`.
    Close it with `page.context.close()`."""
    context = browser.new_context(base_url=stack.portal, viewport=DESKTOP, locale="pl-PL")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda message: _keep_error(errors, message))
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.console_errors = errors  # type: ignore[attr-defined]
    return opened


@pytest.fixture
def page(browser: Browser, stack: Stack) -> Iterator[Page]:
    """A fresh page (`new_page`) for the test."""
    opened = new_page(browser, stack)
    yield opened
    opened.context.close()


def _keep_error(errors: list[str], message: Any) -> None:
    if message.type == "error":
        errors.append(message.text)


def console_errors(page: Page, ignore: str = r"status of 401") -> list[str]:
    """The page's console errors, leaving out the browser's note on an expected 401."""
    return [e for e in page.console_errors if not re.search(ignore, e)]  # type: ignore[attr-defined]


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    - {' '.join(node['target'])}: {node['html'][:160]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


def check_axe(page: Page, context: str | None = None) -> None:
    """axe-core (WCAG 2.1 A/AA) on the page as it is now: no violation, or fail listing
    each one with its elements. `context`: a CSS selector to check only part of the page.
    Injected through the DevTools protocol, so the page's CSP stays as strict as deployed."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
    result = page.evaluate(
        "([context, options]) => axe.run(context || document, options)", [context, options]
    )
    violations = result["violations"]
    assert not violations, f"axe on {page.url}:\n{_describe(violations)}"


def screenshot(page: Page, name: str) -> list[Path]:
    """Full-page screenshots at 360 px and 1280 px wide into artefacts/screenshots/
    (git-ignored); the page keeps its size afterwards."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or DESKTOP
    taken = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        path = ARTEFACTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        taken.append(path)
    page.set_viewport_size(size)
    return taken


def outbox_messages(stack: Stack) -> list[dict[str, Any]]:
    """The e-mails the stack sent, newest first (what `make outbox` shows)."""
    return read_outbox(stack.outbox)


def outbox_link(stack: Stack, to: str, page_name: str, timeout: float = 15.0) -> str:
    """The newest link to `page_name` (`<portal>/<page>#token=…`) e-mailed to `to`,
    waiting for it (some e-mails go out through a queue, a moment after the answer)."""
    pattern = re.compile(rf"{re.escape(stack.portal)}/{re.escape(page_name)}#token=[\w-]+")
    deadline = time.monotonic() + timeout
    while True:
        for message in outbox_messages(stack):
            found = pattern.search(message["text"]) if message["to"] == to else None
            if found:
                return found.group(0)
        if time.monotonic() > deadline:
            sent = json.dumps([(m["to"], m["subject"]) for m in outbox_messages(stack)])
            pytest.fail(f"no link to {page_name} for {to} within {timeout}s; sent: {sent}")
        time.sleep(0.2)


def register_customer(
    stack: Stack,
    number: str,
    email: str,
    password: str,
    *,
    phone: str | None = None,
    consents: dict[str, bool] | None = None,
) -> None:
    """Register demo customer `number` over the stack's API, with the facts of its newest
    invoice and the current terms, and activate the account from the e-mailed link (what a
    test needs before it starts in the browser)."""
    from scripts import demo_data

    invoice = [
        line
        for line in demo_data.batch_lines()
        if line["type"] == "invoice" and line["customer_number"] == number
    ][-1]
    terms = requests.get(f"{stack.url}/terms", timeout=10).json()["version"]
    body: dict[str, Any] = {
        "customer_number": number,
        "invoice_number": invoice["number"],
        "invoice_gross": invoice["gross"],
        "email": email,
        "password": password,
        "password_confirm": password,
        "accept_terms": terms,
        "consents": consents or {},
    }
    if phone:
        body["phone"] = phone
    answer = stack.post("/auth/register", body)
    assert answer.status_code == 201, answer.text
    token = outbox_link(stack, email, "aktywacja").split("#token=", 1)[1]
    activated = stack.post("/auth/activate", {"token": token})
    assert activated.status_code == 200, activated.text


@dataclass(frozen=True)
class StaffAccount:
    """A staff account on the test stack: its login, password and TOTP secret."""

    login: str
    password: str
    secret: str
    role: str


STAFF_PASSWORD = "Obsluga-Haslo-Wodne-2026"


def staff_account(stack: Stack, login: str, role: str = "staff") -> StaffAccount:
    """Create a staff account on the stack as an operator would (`make staff-account`,
    i.e. `python -m scripts.staff_account` against the stack's ports) and read its TOTP
    secret from the provisioning URI it prints. Give each test its own login: a TOTP code
    is accepted once per account."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STAGE"))},
        "PORT": str(stack.port),
        "MOTO_PORT": str(stack.moto_port),
        "IBOK_PASSWORD": STAFF_PASSWORD,
    }
    done = subprocess.run(
        [sys.executable, "-m", "scripts.staff_account", "--login", login, "--email",
         f"{login}@wodociagi.example", "--role", role],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    uri = next(line for line in done.stdout.splitlines() if line.startswith("otpauth://"))
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    return StaffAccount(login, STAFF_PASSWORD, secret, role)
