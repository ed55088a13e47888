"""Local stage only: the e-mail outbox and minimal pages behind the e-mailed links
(activation, new password, e-mail confirmation and cancellation), so the demo works
without a frontend."""

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

ACTIONS = {
    "aktywacja": ("Aktywacja konta", "/auth/activate", False),
    "nowe-haslo": ("Ustaw nowe hasło", "/auth/password/reset", True),
    "potwierdz-email": ("Potwierdzenie adresu e-mail", "/auth/email/confirm", False),
    "anuluj-zmiane-email": ("Anulowanie zmiany adresu e-mail", "/auth/email/cancel", False),
}

SCRIPT = """
document.addEventListener('DOMContentLoaded', function () {
  var form = document.getElementById('f');
  var out = document.getElementById('out');
  var token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = {token: token};
    var pw = document.getElementById('pw');
    if (pw) {
      body.password = pw.value;
      body.password_confirm = document.getElementById('pw2').value;
    }
    fetch(form.dataset.api, {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
      .then(function (res) {
        var j = res[1];
        out.textContent = j.message || (j.error && (j.error.message + ' ' +
          Object.values(j.error.fields || {}).join(' '))) || res[0];
      });
  });
});
"""


def page(title: str, body: str) -> Response:
    document = (
        "<!DOCTYPE html><html lang='pl'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><script src='/_local/app.js'></script></head>"
        "<body style='font-family:sans-serif;max-width:50em;margin:2em auto'>"
        f"<h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return Response(body=document, status_code=200, headers=PAGE_HEADERS)


def _outbox_dir() -> Path:
    return Path(get_settings().local_outbox_dir or ".local/outbox")


@local_route(bp, "/_local/app.js")
def script() -> Response:
    return Response(body=SCRIPT, headers={"Content-Type": "text/javascript; charset=utf-8"})


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


@local_route(bp, "/_local/{name}")
def action_page(name: str) -> Response:
    if name not in ACTIONS:
        return page("Nie znaleziono", "<p><a href='/_local/outbox'>Skrzynka</a></p>")
    title, api, with_password = ACTIONS[name]
    fields = (
        "<p><label>Nowe hasło <input id='pw' type='password' "
        "autocomplete='new-password'></label></p>"
        "<p><label>Powtórz hasło <input id='pw2' type='password' "
        "autocomplete='new-password'></label></p>"
        if with_password
        else ""
    )
    return page(
        title,
        f"<form id='f' data-api='{api}'>{fields}"
        f"<button type='submit'>{html.escape(title)}</button></form>"
        "<p id='out' role='status'></p><p><a href='/_local/outbox'>Skrzynka nadawcza</a></p>",
    )
