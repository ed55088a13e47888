"""SMS through SNS (a direct publish to a phone number), with the stage's sender id and
message type; the text is rendered from `templates/sms/<kind>.txt` and made GSM-7 where
that keeps it in fewer segments (domain/notifications.py `sms_text`).

On the local stage every SMS is also written to the local outbox folder beside the
e-mails (moto keeps published SMS too: the `sns` / `SMS` models of the moto server's
`/moto-api/data.json`).
"""

from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalicelib import aws
from chalicelib.adapters.mailer import write_outbox
from chalicelib.domain.formatting import money_pl
from chalicelib.domain.notifications import sms_text
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from jinja2 import Environment


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("chalicelib", "templates/sms"),
        autoescape=False,  # noqa: S701 - plain text to a phone, never HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = money_pl
    return env


def render(template: str, context: dict[str, Any]) -> str:
    """The SMS text of `template` with `context`."""
    return sms_text(_environment().get_template(f"{template}.txt").render(context))


def send(template: str, phone: str, context: dict[str, Any]) -> str:
    """Render and send one SMS; return the SNS message id."""
    text = render(template, context)
    settings = get_settings()
    response = aws.client("sns").publish(
        PhoneNumber=phone,
        Message=text,
        MessageAttributes={
            "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": settings.sms_sender_id},
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": settings.sms_type},
        },
    )
    message_id = response["MessageId"]
    if settings.local_outbox_dir:
        record = {
            "to": phone,
            "subject": f"SMS: {text[:40]}",
            "text": text,
            "html": f"<pre>{html.escape(text)}</pre>",
            "template": template,
            "headers": {},
            "channel": "sms",
        }
        write_outbox(Path(settings.local_outbox_dir), message_id, record)
    return message_id
