"""The portal's dashboard, first load after logging in: the bytes the browser transfers
(HTML, CSS, JS, favicon, API; headers included) and the number of API calls, with the
targets of issue 11 (under 150 KB, one API call). Chromium (Debian's, through Playwright)
against a local stack started the way the browser tests start it; the ready demo account.

Static files are served `no-store`, so nothing the login page fetched is reused: this is
the first load. The local portal does not compress; gzip (as CloudFront serves text) is
shown beside it.

    python -m bench.bench_portal
"""

from __future__ import annotations

import gzip
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import APIResponse, Response, sync_playwright

from scripts import demo_data
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP
from tests.e2e.test_local_stack import Stack

from .stack import report

TARGET_BYTES = 150 * 1024
TARGET_API_CALLS = 1


def _kind(url: str) -> str:
    path = url.split("?", 1)[0]
    if "/api/" in path:
        return "API"
    for suffix, kind in ((".css", "CSS"), (".js", "JS"), (".svg", "favicon"), (".ico", "favicon")):
        if path.endswith(suffix):
            return kind
    return "HTML"


def _measure(response: Response) -> dict[str, Any]:
    sizes = response.request.sizes()
    body = response.body() if response.status != 204 else b""
    headers = sizes["responseHeadersSize"] + sizes["requestHeadersSize"]
    return {
        "url": response.url,
        "kind": _kind(response.url),
        "bytes": headers + len(body) + sizes["requestBodySize"],
        "gzip": headers + len(gzip.compress(body, 9)) + sizes["requestBodySize"],
    }


def first_dashboard_load(portal: str) -> list[dict[str, Any]]:
    """Log in with the demo account, then load the dashboard once; every response of that
    load, measured."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=portal, viewport=DESKTOP, locale="pl-PL")
        page = context.new_page()
        page.goto("/logowanie")
        page.wait_for_load_state("networkidle")
        page.get_by_label("Numer klienta").fill(demo_data.DEMO_LOGIN)
        page.get_by_label("Hasło").fill(demo_data.DEMO_PASSWORD)
        responses: list[Response] = []
        logged_in: list[Response] = []

        def keep(response: Response) -> None:
            # Everything after the login's answer is the dashboard's first load.
            if logged_in:
                responses.append(response)
            elif response.url.endswith("/api/auth/login"):
                logged_in.append(response)

        page.on("response", lambda response: keep(response))
        page.get_by_role("button", name="Zaloguj się").click()
        page.wait_for_url(f"{portal}/")
        page.get_by_role("heading", name="Saldo").wait_for()
        page.wait_for_load_state("networkidle")
        measured = [_measure(response) for response in responses]
        # Headless Chromium does not ask for the favicon; a browser with tabs does, once.
        if not any(m["kind"] == "favicon" for m in measured):
            measured.append(_fetched(page.request.get("/favicon.svg")))
        browser.close()
    return measured


def _fetched(item: APIResponse) -> dict[str, Any]:
    """A file fetched outside the page (the favicon): its body and headers as sent."""
    body = item.body()
    headers = sum(len(k) + len(v) + 4 for k, v in item.headers.items())
    return {
        "url": item.url,
        "kind": _kind(item.url),
        "bytes": headers + len(body),
        "gzip": headers + len(gzip.compress(body, 9)),
    }


def main() -> int:
    """Start the stack, measure, print; 1 if a target is missed."""
    with tempfile.TemporaryDirectory(prefix="ibok-bench-portal-") as folder:
        stack = Stack(Path(folder) / "outbox")
        try:
            stack.wait_healthy()
            measured = first_dashboard_load(stack.portal)
        finally:
            stack.stop()
    total = sum(m["bytes"] for m in measured)
    zipped = sum(m["gzip"] for m in measured)
    api_calls = [m["url"].split("/api", 1)[1] for m in measured if m["kind"] == "API"]
    rows: dict[str, Any] = {}
    for kind in ("HTML", "CSS", "JS", "favicon", "API"):
        of_kind = [m for m in measured if m["kind"] == kind]
        rows[f"{kind} ({len(of_kind)} files)"] = (
            f"{sum(m['bytes'] for m in of_kind) / 1024:.1f} KB "
            f"(gzip {sum(m['gzip'] for m in of_kind) / 1024:.1f} KB)"
        )
    rows["total transferred"] = (
        f"{total / 1024:.1f} KB (gzip {zipped / 1024:.1f} KB); target < {TARGET_BYTES // 1024} KB"
    )
    rows["API calls after login"] = f"{len(api_calls)} {api_calls}; target {TARGET_API_CALLS}"
    report("Portal: first load of the dashboard after login", rows)
    return 0 if total < TARGET_BYTES and len(api_calls) == TARGET_API_CALLS else 1


if __name__ == "__main__":
    sys.exit(main())
