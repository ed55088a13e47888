"""E-mail through SES v2, rendered from Jinja2 templates (Polish, text and HTML), sent
through the stage's configuration set (whose event destination publishes bounces and
complaints to the mail-events topic: services/notifications.py `apply_mail_event`).

On the local stage every message is also written to the local outbox folder, which
`/_local/outbox` and `scripts/outbox.py` show (SMS too: adapters/sms.py).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from email.utils import formataddr
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalicelib import aws, clock
from chalicelib.domain.formatting import money_pl, volume_pl
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from jinja2 import Environment

SUBJECTS = {
    "activation": "Aktywuj konto w IBOK",
    "password_reset": "Ustaw nowe hasło do IBOK",
    "password_changed": "Hasło do IBOK zostało zmienione",
    "email_change_confirm": "Potwierdź nowy adres e-mail w IBOK",
    "email_change_notice": "Zmiana adresu e-mail w IBOK",
    "payment_receipt": "Potwierdzenie płatności online w IBOK",
    "ticket_update": "Nowa informacja w sprawie Twojego zgłoszenia w IBOK",
    "complaint_digest": "Reklamacje po terminie i z bliskim terminem",
    "certification_digest": "Legalizacje wodomierzy do wymiany",
    "termination_notice": "Zamknięcie konta w IBOK",
    "invoice_reminder": "Przypomnienie o terminie płatności",
    "new_invoice": "Nowa faktura w IBOK",
    "reading_window": "Czas podać odczyt wodomierza",
    "announcement": "Komunikat wodociągów",
}


@dataclass(frozen=True)
class OutgoingEmail:
    """A rendered message ready to send."""

    to: str
    subject: str
    text: str
    html: str
    template: str
    headers: dict[str, str] = field(default_factory=dict)
    channel: str = "email"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # Jinja2 is imported on the first e-mail, not at cold start: most requests send none.
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("chalicelib", "templates/email"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Amounts (grosze) and volumes (litres) reach templates as integers; these show them.
    env.filters["money"] = money_pl
    env.filters["volume"] = volume_pl
    return env


def render(
    template: str, to: str, context: dict[str, Any], headers: dict[str, str] | None = None
) -> OutgoingEmail:
    """Render `template` (.txt and .html) for `to` with `context`."""
    env = _environment()
    full = {"subject": SUBJECTS[template], "unsubscribe_link": None, **context}
    return OutgoingEmail(
        to=to,
        subject=SUBJECTS[template],
        text=env.get_template(f"{template}.txt").render(full),
        html=env.get_template(f"{template}.html").render(full),
        template=template,
        headers=dict(headers or {}),
    )


def send(
    template: str, to: str, context: dict[str, Any], headers: dict[str, str] | None = None
) -> str:
    """Render and send one message (with extra `headers`, e.g. List-Unsubscribe) through
    the configuration set; return the SES message id."""
    message = render(template, to, context, headers)
    settings = get_settings()
    content: dict[str, Any] = {
        "Subject": {"Data": message.subject, "Charset": "UTF-8"},
        "Body": {
            "Text": {"Data": message.text, "Charset": "UTF-8"},
            "Html": {"Data": message.html, "Charset": "UTF-8"},
        },
    }
    if message.headers:
        content["Headers"] = [{"Name": k, "Value": v} for k, v in message.headers.items()]
    response = aws.client("sesv2").send_email(
        FromEmailAddress=formataddr((settings.mail_sender_name, settings.mail_sender)),
        Destination={"ToAddresses": [message.to]},
        Content={"Simple": content},
        ConfigurationSetName=settings.mail_configuration_set,
    )
    message_id = response["MessageId"]
    if settings.local_outbox_dir:
        write_outbox(Path(settings.local_outbox_dir), message_id, asdict(message))
    return message_id


def write_outbox(folder: Path, message_id: str, message: dict[str, Any]) -> None:
    """Keep a copy of a sent message (e-mail or SMS) in the local outbox folder."""
    folder.mkdir(parents=True, exist_ok=True)
    sent_at = clock.now()
    record = {"id": message_id, "sent_at": sent_at.isoformat(), **message}
    name = f"{sent_at.strftime('%Y%m%dT%H%M%S%f')}-{message_id[:12]}.json"
    (folder / name).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def read_outbox(folder: Path) -> list[dict[str, Any]]:
    """Messages in the local outbox, newest first."""
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.json"), reverse=True)
    return [json.loads(f.read_text(encoding="utf-8")) for f in files]
