"""`make run` end to end: the local stack as a process on free ports, README's demo
walk-through against it, unknown routes, and a clean stop that frees the ports."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests

from scripts import demo_data

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 120

# `make test` spreads tests over processes one by one; this keeps this file's tests in one
# process, so that they share the module's stack (`--dist loadgroup`).
pytestmark = pytest.mark.xdist_group("local-stack")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class Stack:
    """One `python -m scripts.local_stack` process."""

    def __init__(self, outbox: Path, settings: dict[str, str] | None = None) -> None:
        self.port, self.moto_port, self.portal_port = _free_port(), _free_port(), _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.portal = f"http://127.0.0.1:{self.portal_port}"
        self.outbox = outbox
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AWS_", "STAGE", "BCRYPT", "LOCAL_OUTBOX"))
        }
        env.update(
            PORT=str(self.port),
            MOTO_PORT=str(self.moto_port),
            PORTAL_PORT=str(self.portal_port),
            LOCAL_OUTBOX_DIR=str(outbox),
        )
        env.update(settings or {})  # a setting of the stage's, changed for these tests
        self.log = outbox.parent / f"stack-{self.port}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scripts.local_stack"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            try:
                if requests.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        pytest.fail(f"no /health within {START_TIMEOUT}s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                return self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                pytest.fail("the stack did not stop on SIGINT")
        return self.process.returncode

    def outbox_page(self, ready: Callable[[str], bool], timeout: float = 15.0) -> str:
        """The outbox page once `ready` holds for it (queued e-mails go out a moment after
        the answer), or as it is when `timeout` ends."""
        deadline = time.monotonic() + timeout
        while True:
            page = requests.get(f"{self.url}/_local/outbox", timeout=5).text
            if ready(page) or time.monotonic() > deadline:
                return page
            time.sleep(0.2)

    def post(self, path: str, body: dict[str, Any], **headers: str) -> requests.Response:
        return requests.post(f"{self.url}{path}", json=body, headers=headers, timeout=10)


def _running(folder: Path) -> Iterator[Stack]:
    running = Stack(folder / "outbox")
    try:
        running.wait_healthy()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One stack for the tests whose changes no other test here reads (a start takes tens
    of seconds): the walk-through registers 100002 and adds a reading, the rest only read."""
    yield from _running(tmp_path_factory.mktemp("stack"))


@pytest.fixture
def fresh_stack(tmp_path: Path) -> Iterator[Stack]:
    """A stack of its own, for a test whose changes would show in another's assertions."""
    yield from _running(tmp_path)


def test_demo_walk_through(stack: Stack) -> None:
    facts = demo_data.facts()
    printed = stack.output()
    assert f"login {facts.demo_login}, hasło {facts.demo_password}" in printed
    assert f"faktura {facts.invoice_number}, brutto {facts.invoice_gross}" in printed

    # The ready demo account logs in.
    login = {"login": facts.demo_login, "password": facts.demo_password, "session": "bearer"}
    answer = stack.post("/auth/login", login)
    assert answer.status_code == 200, answer.text
    me = requests.get(
        f"{stack.url}/me", headers={"Authorization": f"Bearer {answer.json()['token']}"}, timeout=5
    )
    assert me.status_code == 200
    assert me.json()["customer_number"] == facts.demo_login

    # The demo customer's self-service data came in through the import.
    demo = {"Authorization": f"Bearer {answer.json()['token']}"}

    def read(path: str) -> Any:
        got = requests.get(f"{stack.url}{path}", headers=demo, timeout=5)
        assert got.status_code == 200, (path, got.text)
        return got.json()

    invoices = read("/invoices?limit=100")["items"]
    assert len(invoices) == 12
    assert {i["status"] for i in invoices} >= {"paid", "partially_paid", "unpaid"}
    pdf = requests.get(read(f"/invoices/{invoices[0]['id']}/pdf")["url"], timeout=5)
    assert pdf.content.startswith(b"%PDF")
    assert read("/balance")["state"] == "owed"
    meters = read("/meters")["items"]
    active = next(m for m in meters if m["status"] == "active" and m["kind"] == "main")
    assert active["attention"] is True  # certification ends within 90 days
    last = active["last_reading"]["value"]
    whole, fraction = last.split(".")
    submitted = requests.post(
        f"{stack.url}/meters/{active['id']}/readings",
        json={"value": f"{int(whole) + 3},{fraction}"},
        headers=demo,
        timeout=5,
    )
    assert submitted.status_code == 201, submitted.text
    assert len(read("/consumption")["periods"]) == 12
    assert read("/contracts")["items"][0]["annexes"]

    # Register the new customer with the printed facts, activate from the outbox, log in.
    terms = requests.get(f"{stack.url}/terms", timeout=5).json()["version"]
    password = "Moje-Nowe-Haslo-2026"
    answer = stack.post(
        "/auth/register",
        {
            "customer_number": facts.new_customer,
            "invoice_number": facts.invoice_number,
            "invoice_gross": facts.invoice_gross,
            "email": "anna@example.pl",
            "password": password,
            "password_confirm": password,
            "accept_terms": terms,
            "consents": {"email_notices": True},
        },
    )
    assert answer.status_code == 201, answer.text
    page = requests.get(f"{stack.url}/_local/outbox", timeout=5).text
    assert "anna@example.pl" in page
    message_path = re.search(r"href='(/_local/outbox/[^']+)'", page).group(1)
    message = requests.get(f"{stack.url}{message_path}", timeout=5).text
    # The e-mailed link opens the portal's page (PUBLIC_URL is the portal).
    link = re.search(r"(http://127\.0\.0\.1:\d+/aktywacja)#token=([\w-]+)", message)
    assert link.group(1) == f"{stack.portal}/aktywacja"
    assert stack.post("/auth/activate", {"token": link.group(2)}).status_code == 200
    answer = stack.post(
        "/auth/login", {"login": facts.new_customer, "password": password, "session": "bearer"}
    )
    assert answer.status_code == 200, answer.text


def test_unknown_route_is_404_in_error_shape(stack: Stack) -> None:
    answer = requests.get(f"{stack.url}/no/such/route", timeout=5)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_stops_on_sigint_frees_ports_and_starts_again(tmp_path: Path) -> None:
    first = Stack(tmp_path / "outbox")
    first.wait_healthy()
    assert first.post("/auth/password/forgot", {"login": "100001"}).status_code == 202
    # The reset e-mail is sent by the queue's consumer, a moment after the answer.
    assert demo_data.DEMO_EMAIL in first.outbox_page(lambda page: demo_data.DEMO_EMAIL in page)
    assert first.stop() == 0
    assert _port_is_free(first.port)
    assert _port_is_free(first.moto_port)

    again = Stack(tmp_path / "outbox")
    try:
        again.wait_healthy()
        # A fresh start: the demo account exists again and the outbox was emptied.
        login = {"login": "100001", "password": demo_data.DEMO_PASSWORD, "session": "bearer"}
        assert again.post("/auth/login", login).status_code == 200
        outbox = requests.get(f"{again.url}/_local/outbox", timeout=5).text
        assert demo_data.DEMO_EMAIL not in outbox
    finally:
        assert again.stop() == 0


def through_the_gateway(stack: Stack, order: dict, status: str) -> dict:
    """The browser posts the signed form to the fake gateway, which shows the order with
    "Zapłać" and "Odrzuć"; the choice sends a signed ITN to the API and the browser back.
    Returns what the return page tells the customer."""
    fields = [(f["name"], f["value"]) for f in order["gateway"]["fields"]]
    shown = requests.post(order["gateway"]["url"], data=fields, timeout=5)
    assert shown.status_code == 200 and "Zapłać" in shown.text and "Odrzuć" in shown.text
    assert order["order_id"] in shown.text
    decision = {
        "OrderID": order["order_id"],
        "Amount": order["amount"],
        "Currency": "PLN",
        "Status": status,
    }
    back = requests.post(
        f"{stack.url}/_local/bluemedia/decide", data=decision, allow_redirects=False, timeout=10
    )
    assert back.status_code == 303
    query = back.headers["Location"].split("?", 1)[1]
    return requests.get(f"{stack.url}/payments/return/bluemedia?{query}", timeout=5).json()


def test_payment_through_the_local_fake_gateway_and_its_booking(fresh_stack: Stack, tmp_path: Path):
    # Paying the overdue amount and booking it settle invoices the walk-through counts.
    stack = fresh_stack
    login = {"login": "100001", "password": demo_data.DEMO_PASSWORD, "session": "bearer"}
    token = stack.post("/auth/login", login).json()["token"]
    demo = {"Authorization": f"Bearer {token}"}
    owed_before = requests.get(f"{stack.url}/balance", headers=demo, timeout=5).json()
    started = stack.post("/payments", {"overdue": True}, **demo)
    assert started.status_code == 201, started.text
    order = started.json()
    assert order["amount"] == owed_before["overdue"]

    # "Zapłać": the gateway sends a signed ITN to the API, then the browser back.
    shown = through_the_gateway(stack, order, "SUCCESS")
    assert shown["status"] == "paid"
    detail = requests.get(f"{stack.url}/payments/{order['order_id']}", headers=demo, timeout=5)
    assert detail.json()["status"] == "paid"
    balance = requests.get(f"{stack.url}/balance", headers=demo, timeout=5).json()
    assert balance["overdue"] == "0.00"
    page = requests.get(f"{stack.url}/_local/outbox", timeout=5).text
    assert "Potwierdzenie płatności online" in page

    # The billing system books it: the order shows as booked and counts once.
    amount = order["amount"]
    batch = tmp_path / "booking.jsonl"
    batch.write_text(
        json.dumps(
            {
                "type": "payment",
                "id": "WB/ONLINE/1",
                "customer_number": "100001",
                "paid_on": date.today().isoformat(),
                "amount": amount,
                "method": "online",
                "online_order": order["order_id"],
            }
        ),
        encoding="utf-8",
    )
    env = {**os.environ, "PORT": str(stack.port), "MOTO_PORT": str(stack.moto_port)}
    imported = subprocess.run(
        [sys.executable, "-m", "scripts.import_batch", str(batch)],
        cwd=ROOT,
        env={k: v for k, v in env.items() if not k.startswith(("AWS_", "STAGE"))},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    history = requests.get(f"{stack.url}/payments", headers=demo, timeout=5).json()["items"]
    statuses = {p["id"]: p["status"] for p in history}
    assert statuses[order["order_id"]] == "booked"
    after = requests.get(f"{stack.url}/balance", headers=demo, timeout=5).json()
    assert after["balance"] == balance["balance"]

    # "Odrzuć": the gateway reports a failure; nothing is paid and no receipt goes out.
    receipts = requests.get(f"{stack.url}/_local/outbox", timeout=5).text.count(
        "Potwierdzenie płatności online"
    )
    rejected = stack.post("/payments", {"amount": "20,00"}, **demo).json()
    shown = through_the_gateway(stack, rejected, "FAILURE")
    assert shown["status"] == "failed" and "nie powiodła" in shown["message"]
    detail = requests.get(f"{stack.url}/payments/{rejected['order_id']}", headers=demo, timeout=5)
    assert detail.json()["status"] == "failed"
    final = requests.get(f"{stack.url}/balance", headers=demo, timeout=5).json()
    assert final["balance"] == after["balance"]
    page = requests.get(f"{stack.url}/_local/outbox", timeout=5).text
    assert page.count("Potwierdzenie płatności online") == receipts
