"""The issue-13 journey in Chromium, with customers 100021 and 100022 (both registered with
the e-mail notice consent, both with an invoice due in three days):

1. 100021 withdraws the e-mail notice consent in the profile;
2. the operator runs `make job NAME=invoice-reminders` (`python -m scripts.job` against
   the stack): 100022 gets the reminder, 100021 gets none;
3. 100021 pays the invoice online: the receipt (transactional) still arrives, and the
   list of notifications shows it;
4. 100021 resigns from the account and withdraws the resignation.
axe on every page on the way."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    check_axe,
    console_errors,
    outbox_messages,
    register_customer,
    screenshot,
)
from tests.e2e.test_local_stack import ROOT, Stack
from tests.factories import invoice_line

QUIET, TOLD = "100021", "100022"
PASSWORD = "Powiadomienia-Podroz-2026!"
WARSAW = ZoneInfo("Europe/Warsaw")
REMINDER = "Przypomnienie o terminie płatności"
RECEIPT = "Potwierdzenie płatności online w IBOK"


def email(number: str) -> str:
    return f"podroz{number}@example.pl"


def run_script(stack: Stack, *args: str) -> str:
    """Run an operator command (`python -m scripts.…`) against the test stack's ports."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STAGE"))},
        "PORT": str(stack.port),
        "MOTO_PORT": str(stack.moto_port),
    }
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def mails(stack: Stack, number: str, subject: str) -> list[dict]:
    return [
        m
        for m in outbox_messages(stack)
        if m["to"] == email(number)
        and m["subject"] == subject
        and m.get("channel", "email") == "email"
    ]


def wait_for(check, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout}s")
        time.sleep(0.25)


@pytest.fixture(scope="module")
def invoices(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Both customers registered with the e-mail notice consent, and a new unpaid invoice
    each, due in three days, imported through the stack's bucket (`make import`)."""
    due = datetime.now(WARSAW).date() + timedelta(days=3)
    issued = datetime.now(WARSAW).date() - timedelta(days=11)
    numbers = {}
    lines = []
    for number in (QUIET, TOLD):
        register_customer(
            stack, number, email(number), PASSWORD,
            consents={"email_notices": True, "sms_notices": False},
        )  # fmt: skip
        invoice = f"FV/PODROZ/{number}"
        numbers[number] = invoice
        lines.append(
            invoice_line(
                invoice, number, "108.00", issue_date=issued.isoformat(), due_date=due.isoformat()
            )
        )
    batch = tmp_path_factory.mktemp("import") / "podroz.jsonl"
    batch.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    run_script(stack, "scripts.import_batch", str(batch))
    return numbers


def log_in(page: Page, number: str, target: str) -> None:
    page.goto(f"/logowanie?next={target}")
    page.get_by_label("Numer klienta").fill(number)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(re.compile(re.escape(target) + r"$"))


def test_a_withdrawn_consent_stops_notices_not_receipts(
    page: Page, stack: Stack, invoices: dict[str, str]
) -> None:
    # 1. The consent withdrawn in the profile.
    log_in(page, QUIET, "/profil")
    consents = page.get_by_role("region", name="Zgody", exact=True)
    mail_notices = consents.get_by_label("Powiadomienia e-mail")
    expect(mail_notices).to_be_checked()
    mail_notices.uncheck()
    consents.get_by_role("button", name="Zapisz zgody").click()
    expect(consents.get_by_role("status")).to_have_text(
        "Zapisano. Powiadomienia e-mail: zgoda wycofana."
    )
    check_axe(page)

    # 2. The reminder job, as the operator runs it.
    printed = run_script(stack, "scripts.job", "invoice-reminders")
    assert "invoice-reminders" in printed
    wait_for(lambda: bool(mails(stack, TOLD, REMINDER)), "the reminder to 100022")
    (told,) = mails(stack, TOLD, REMINDER)
    assert invoices[TOLD] in told["text"]
    assert mails(stack, QUIET, REMINDER) == []
    run_script(stack, "scripts.job", "invoice-reminders")  # again: nothing twice (below)

    # 3. A receipt is transactional: it arrives without the consent.
    page.goto("/zaplac")
    page.get_by_label("Wybrane faktury").check()
    for box in page.locator("input[type=checkbox][name=invoice]").all():
        if box.is_checked():
            box.uncheck()
    page.get_by_label(invoices[QUIET]).check()
    page.get_by_role("button", name="Przejdź do płatności").click()
    page.wait_for_url(re.compile(r"/_local/bluemedia/payment$"))
    page.get_by_role("button", name="Zapłać", exact=True).click()
    page.wait_for_url(re.compile(r"/platnosc/powrot\?"))
    expect(page.get_by_role("status")).to_have_text(re.compile("^Płatność otrzymana"))
    wait_for(lambda: bool(mails(stack, QUIET, RECEIPT)), "the receipt to 100021")
    # By now the queue has long had the second run's work: still one reminder, and none
    # without the consent.
    assert len(mails(stack, TOLD, REMINDER)) == 1
    assert mails(stack, QUIET, REMINDER) == []

    page.goto("/powiadomienia")
    listed = page.get_by_role("main")
    expect(listed).to_contain_text(RECEIPT)
    expect(listed).not_to_contain_text(REMINDER)
    check_axe(page)
    screenshot(page, "podroz-powiadomienia")

    # 4. Resignation, and its withdrawal.
    page.goto("/profil")
    resignation = page.get_by_role("region", name="Rezygnacja z konta", exact=True)
    resignation.get_by_role("button", name="Zrezygnuj z konta").click()
    dialog = page.get_by_role("dialog", name="Zrezygnować z konta?")
    dialog.get_by_label("Obecne hasło").fill(PASSWORD)
    check_axe(page)
    dialog.get_by_role("button", name="Tak, rezygnuję z konta").click()
    closing = (datetime.now(WARSAW).date() + timedelta(days=14)).strftime("%d.%m.%Y")
    expect(page.get_by_role("heading", name=f"Konto zostanie zamknięte {closing}")).to_be_visible()
    check_axe(page)
    page.get_by_role("button", name="Wycofaj rezygnację").click()
    page.get_by_role("dialog", name="Wycofać rezygnację?").get_by_role(
        "button", name="Tak, wycofaj rezygnację"
    ).click()
    expect(resignation.get_by_role("button", name="Zrezygnuj z konta")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Konto zostanie zamknięte"))).to_be_hidden()
    check_axe(page)
    assert console_errors(page, ignore=r"status of (401|400)") == []
