"""Local stage only: the e-mail outbox (the links in its messages open the portal, which
`make run` serves: scripts/local_portal.py), and the plain page frame the fake gateway
(local_gateway.py) uses."""

from __future__ import annotations

import html
from pathlib import Path

from chalice import Blueprint, Response

from chalicelib.adapters.mailer import read_outbox
from chalicelib.http.local_only import local_route
from chalicelib.settings import get_settings

bp = Blueprint(__name__)

PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


def page(title: str, body: str) -> Response:
    """A plain local page: `title` escaped, `body` as given, in a `<main>` landmark (the
    journey test runs axe on the outbox and the fake gateway too)."""
    document = (
        "<!DOCTYPE html><html lang='pl'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head>"
        "<body style='font-family:sans-serif;max-width:50em;margin:2em auto'>"
        f"<main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    return Response(body=document, status_code=200, headers=PAGE_HEADERS)


def _outbox_dir() -> Path:
    return Path(get_settings().local_outbox_dir or ".local/outbox")


@local_route(bp, "/_local/outbox")
def outbox() -> Response:
    rows = "".join(
        f"<tr><td>{html.escape(m['sent_at'][:19])}</td><td>{html.escape(m['to'])}</td>"
        f"<td><a href='/_local/outbox/{html.escape(m['id'])}'>"
        f"{html.escape(m['subject'])}</a></td></tr>"
        for m in read_outbox(_outbox_dir())
    )
    return page(
        "Skrzynka nadawcza (lokalnie)",
        "<table border='1' cellpadding='4'><tr><th>Wysłano (UTC)</th><th>Do</th><th>Temat</th></tr>"
        f"{rows}</table>",
    )


@local_route(bp, "/_local/outbox/{message_id}")
def outbox_message(message_id: str) -> Response:
    for message in read_outbox(_outbox_dir()):
        if message["id"] == message_id:
            return Response(body=message["html"], headers=PAGE_HEADERS)
    return page("Nie znaleziono wiadomości", "<p><a href='/_local/outbox'>Wróć</a></p>")
