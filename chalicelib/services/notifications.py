"""The one way the portal tells a customer something: `notify`.

It reads the account fresh (consistent read: a consent withdrawn a moment ago counts),
decides per channel (domain/notifications.py `decide`: transactional kinds always, notices
only with the channel's consent, nothing to a suppressed address), takes the
notification's natural key with its record in one conditional transaction BEFORE sending
(a second `notify` under the same key sends nothing), sends (e-mail through SES v2 with
the List-Unsubscribe headers on notices, SMS through SNS), then marks the record sent. If
the e-mail cannot be sent, the key and the record are given back and the error raised, so
a retry sends it; an SMS that fails after the e-mail went out is logged (sending both
again would repeat the e-mail).

Also here: the customer's list (`page`), the unsubscribe link (`check_unsubscribe`,
`unsubscribe`) and SES's bounces and complaints (`apply_mail_event`).
"""

from __future__ import annotations

import hmac
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from chalicelib.content.terms import CONSENT_TEXTS
from chalicelib.domain import unsubscribe as tokens
from chalicelib.domain.accounts import Account, Consent
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.notifications import (
    RULES,
    Channel,
    Notification,
    NotificationClass,
    NotificationKind,
    Recipient,
    Skip,
    decide,
)
from chalicelib.logs import logger
from chalicelib.paging import Page
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.settings import get_settings
from chalicelib.storage import accounts
from chalicelib.storage import notifications as store

EPOCH = date(1970, 1, 1)
BAD_LINK = (
    "Link do wypisania się jest nieprawidłowy albo wygasł. Zgody zmienisz po zalogowaniu, "
    "w profilu."
)
CONSENT_LABELS = {"email_notices": "powiadomienia e-mail", "sms_notices": "powiadomienia SMS"}


@dataclass(frozen=True)
class Outcome:
    """What `notify` did: the channels it sent through, why it skipped the others, and
    whether the key had been used already (then nothing was sent)."""

    sent: tuple[Channel, ...] = ()
    skipped: dict[Channel, Skip] = field(default_factory=dict)
    duplicate: bool = False
    notification: Notification | None = None


def recipient_of(account: Account, to: str | None = None) -> Recipient:
    """What the decision needs of an account as it stands (its latest consent decisions)."""
    latest: dict[str, Consent] = {}
    for consent in sorted(account.consents, key=lambda c: c.at):
        latest[consent.kind] = consent
    address = to or account.email
    suppressed = bool(account.suppressed_email) and address.casefold() == account.suppressed_email
    return Recipient(
        email=address,
        phone=account.phone,
        consents=frozenset(kind for kind, c in latest.items() if c.granted),
        email_suppressed=suppressed,
    )


def notify(
    login: str,
    kind: NotificationKind,
    context: dict[str, Any],
    *,
    key: str | None = None,
    to: str | None = None,
    account: Account | None = None,
    deps: Collaborators | None = None,
) -> Outcome:
    """Tell customer `login` about `kind` (templates get `context`) through every channel
    the kind, the customer's consents and addresses allow.

    `key`: the natural key; a second call with the same key (per customer) sends nothing
    and returns `duplicate=True`. A notice needs one (jobs: see docs/notifications.md);
    transactional mail without one is unique per call. `to`: a transactional e-mail to
    another address than the account's (a new address being confirmed). `account`: the
    account as the caller just read it (saves a read; jobs leave it out, so consents are
    read fresh). Raises what the mailer raised when the e-mail could not be sent (nothing
    is then recorded, and the key is free again)."""
    deps = deps or current()
    kind = NotificationKind(kind)
    rule = RULES[kind]
    if rule.klass is NotificationClass.NOTICE and not key:
        raise ValueError(f"a notice ({kind}) needs a natural key")
    if account is None:
        account = accounts.get_account(login)
    if account is None:
        return Outcome(skipped=dict.fromkeys(rule.channels, Skip.NO_ADDRESS))
    recipient = recipient_of(account, to)
    skipped: dict[Channel, Skip] = {}
    channels: list[Channel] = []
    for channel in rule.channels:
        reason = decide(kind, channel, recipient)
        if reason is None:
            channels.append(channel)
        else:
            skipped[channel] = reason
    if not channels:
        return Outcome(skipped=skipped)
    notification = Notification(
        login=login,
        kind=kind,
        key=key or f"{kind.value}:{uuid.uuid4().hex}",
        title=rule.title,
        channels=tuple(channels),
        sent_at=deps.clock.now(),
    )
    retention = timedelta(days=get_settings().notification_retention_days)
    if not store.claim(notification, retention):
        return Outcome(skipped=skipped, duplicate=True, notification=notification)
    sent, message_ids = _send(notification, account, recipient, context, deps)
    try:
        store.mark_sent(notification, sent, message_ids)
    except Exception:  # it went out; the record stays `sending`, the key stays taken
        logger.exception("notification not marked sent", extra={"kind": kind.value})
    return Outcome(sent=sent, skipped=skipped, notification=notification)


def _send(
    notification: Notification,
    account: Account,
    recipient: Recipient,
    context: dict[str, Any],
    deps: Collaborators,
) -> tuple[tuple[Channel, ...], dict[str, str]]:
    kind = notification.kind
    notice = RULES[kind].klass is NotificationClass.NOTICE
    sent: list[Channel] = []
    message_ids: dict[str, str] = {}
    if Channel.EMAIL in notification.channels:
        assert recipient.email is not None
        try:
            if notice:
                token = unsubscribe_token(account, "email_notices", deps, to=recipient.email)
                message_ids[Channel.EMAIL] = deps.mailer.send(
                    kind.value,
                    recipient.email,
                    {**context, "unsubscribe_link": unsubscribe_page(token)},
                    headers=unsubscribe_headers(token),
                )
            else:
                message_ids[Channel.EMAIL] = deps.mailer.send(kind.value, recipient.email, context)
        except Exception:
            store.release(notification)
            raise
        sent.append(Channel.EMAIL)
    if Channel.SMS in notification.channels:
        assert recipient.phone is not None
        try:
            message_ids[Channel.SMS] = deps.sms.send(kind.value, recipient.phone, context)
            sent.append(Channel.SMS)
        except Exception:
            if not sent:
                store.release(notification)
                raise
            logger.exception("notification SMS not sent", extra={"kind": kind.value})
    return tuple(sent), message_ids


def page(login: str, limit: int, cursor: str | None = None) -> Page[Notification]:
    """The customer's notifications, newest first."""
    return store.page(login, limit, cursor)


# --- unsubscribe -------------------------------------------------------------------------


def _today(deps: Collaborators) -> int:
    return (deps.clock.today() - EPOCH).days


def _key(deps: Collaborators) -> bytes:
    return tokens.unsubscribe_key(deps.secrets.password_pepper())


def _holder(key: bytes, account: Account, address: str | None = None) -> str:
    """The holder's mark of `address` (the account's own by default) on this account."""
    return tokens.holder_mark(key, address or account.email, account.created_at.isoformat())


def unsubscribe_token(
    account: Account, consent: str, deps: Collaborators | None = None, *, to: str | None = None
) -> str:
    """A token that withdraws `consent` of the account without logging in, for as long as
    the account's address is the one the link goes `to` (by default its own; the holder's
    mark, domain/unsubscribe.py)."""
    deps = deps or current()
    key = _key(deps)
    return tokens.issue(key, account.login, consent, _today(deps), _holder(key, account, to))


def unsubscribe_page(token: str) -> str:
    """The portal's page that confirms the withdrawal (the token in the fragment, never
    sent to servers by a browser)."""
    return f"{get_settings().public_url}/wypisz#token={token}"


def unsubscribe_headers(token: str) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers: a mail client's one-click POST to the API withdraws
    the consent (the token in the query, which a POST from a mail client keeps)."""
    url = f"{get_settings().public_url}/api/unsubscribe?token={quote(token, safe='')}"
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


@dataclass(frozen=True)
class Unsubscription:
    """What a valid unsubscribe link names, and whether the consent stands (before a
    withdrawal) or stood (after one)."""

    consent: str
    label: str
    granted: bool


def _verified(token: str | None, deps: Collaborators) -> tuple[tokens.UnsubscribeRequest, Account]:
    """The request of a link that is ours, in time, and whose holder is the account as it
    is now (the same address, the same registration); else the bad link's 400."""
    key = _key(deps)
    found = tokens.verify(
        key, token, _today(deps), get_settings().unsubscribe_link_days, frozenset(CONSENT_TEXTS)
    )
    account = accounts.get_account(found.login) if found else None
    if (
        found is None
        or account is None
        or not account.email
        or not hmac.compare_digest(found.holder, _holder(key, account))
    ):
        raise InvalidInput(BAD_LINK)
    return found, account


def _granted(account: Account, consent: str) -> bool:
    return consent in recipient_of(account).consents


def check_unsubscribe(token: str | None, deps: Collaborators | None = None) -> Unsubscription:
    """What the link would withdraw (changes nothing: a link scanner's GET is harmless)."""
    deps = deps or current()
    found, account = _verified(token, deps)
    return Unsubscription(
        found.consent, CONSENT_LABELS[found.consent], _granted(account, found.consent)
    )


def unsubscribe(token: str | None, deps: Collaborators | None = None) -> Unsubscription:
    """Withdraw the consent the link names, recorded like a withdrawal in the profile
    (with the consent text's version and the time; source `unsubscribe`). A consent
    already withdrawn stays as it is."""
    deps = deps or current()
    found, account = _verified(token, deps)
    if _granted(account, found.consent):
        withdrawal = Consent(
            kind=found.consent,
            granted=False,
            text_version=CONSENT_TEXTS[found.consent][0],
            at=deps.clock.now(),
            source="unsubscribe",
        )
        accounts.update_profile(account, new_consents=[withdrawal])
    return Unsubscription(found.consent, CONSENT_LABELS[found.consent], False)


# --- bounces and complaints ----------------------------------------------------------------


def apply_mail_event(message: str, deps: Collaborators | None = None) -> int:
    """Suppress the addresses an SES event (through SNS) reports: a permanent bounce or a
    complaint. Returns the number of accounts suppressed. Transient bounces, deliveries
    and anything else change nothing."""
    deps = deps or current()
    try:
        event = json.loads(message)
    except ValueError:
        logger.warning("mail event not JSON: ignored")
        return 0
    if not isinstance(event, dict):
        return 0
    kind = str(event.get("eventType") or event.get("notificationType") or "")
    if kind == "Bounce":
        bounce = _mapping(event.get("bounce"))
        if bounce.get("bounceType") != "Permanent":
            return 0
        addresses = _addresses(bounce.get("bouncedRecipients"))
        reason = "bounce"
    elif kind == "Complaint":
        addresses = _addresses(_mapping(event.get("complaint")).get("complainedRecipients"))
        reason = "complaint"
    else:
        return 0
    now = deps.clock.now()
    suppressed = 0
    for address in addresses:
        for login in accounts.find_logins_by_email(address):
            if store.suppress(login, address, reason, now):
                suppressed += 1
                logger.warning(
                    "e-mail address suppressed", extra={"login": login, "reason": reason}
                )
    return suppressed


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _addresses(recipients: Any) -> list[str]:
    """The addresses of an SES event's recipient list; anything of another shape is
    skipped (SNS delivers whatever was published to the topic)."""
    if not isinstance(recipients, list):
        return []
    found = (_mapping(r).get("emailAddress") for r in recipients)
    return [address for address in found if isinstance(address, str) and address]
