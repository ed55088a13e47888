"""What the portal tells customers, through which channel, and when it may.

Every notification has a kind (`NotificationKind`); a kind is either transactional (what
the customer asked for or must know about the account: always sent) or a notice (news the
customer opted in to: sent through a channel only with that channel's consent). A
suppressed e-mail address (it bounced, or its owner marked our mail as spam) gets nothing,
transactional mail included, as SES asks of senders, until the customer changes it.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class NotificationClass(StrEnum):
    """Whether a kind needs the customer's consent."""

    TRANSACTIONAL = "transactional"  # always sent (to an address not suppressed)
    NOTICE = "notice"  # only with the channel's consent; carries an unsubscribe link


class Channel(StrEnum):
    """How a notification reaches the customer."""

    EMAIL = "email"
    SMS = "sms"


class NotificationKind(StrEnum):
    """Every kind of notification; the value names its templates (`templates/email/<kind>.*`,
    `templates/sms/<kind>.txt`)."""

    # Transactional.
    ACTIVATION = "activation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind's name, not a password
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a kind's name, not a password
    EMAIL_CHANGE_CONFIRM = "email_change_confirm"
    EMAIL_CHANGE_NOTICE = "email_change_notice"
    PAYMENT_RECEIPT = "payment_receipt"
    TICKET_UPDATE = "ticket_update"
    TERMINATION_NOTICE = "termination_notice"
    # Notices.
    INVOICE_REMINDER = "invoice_reminder"
    NEW_INVOICE = "new_invoice"
    READING_WINDOW = "reading_window"
    ANNOUNCEMENT = "announcement"


# The consent each channel needs, per channel (the account's consent kinds:
# content/terms.py CONSENT_TEXTS).
CONSENT_OF_CHANNEL = {Channel.EMAIL: "email_notices", Channel.SMS: "sms_notices"}


@dataclass(frozen=True)
class KindRule:
    """How one kind is sent: its class, the channels it may use, its title in the list."""

    klass: NotificationClass
    channels: tuple[Channel, ...]
    title: str  # the e-mail's subject and the line in the customer's list

    def consent(self, channel: Channel) -> str | None:
        """The consent `channel` needs for this kind (None: transactional)."""
        if self.klass is NotificationClass.TRANSACTIONAL:
            return None
        return CONSENT_OF_CHANNEL[channel]


_T = NotificationClass.TRANSACTIONAL
_N = NotificationClass.NOTICE
_EMAIL = (Channel.EMAIL,)
_BOTH = (Channel.EMAIL, Channel.SMS)

RULES: dict[NotificationKind, KindRule] = {
    NotificationKind.ACTIVATION: KindRule(_T, _EMAIL, "Aktywuj konto w IBOK"),
    NotificationKind.PASSWORD_RESET: KindRule(_T, _EMAIL, "Ustaw nowe hasło do IBOK"),
    NotificationKind.PASSWORD_CHANGED: KindRule(_T, _EMAIL, "Hasło do IBOK zostało zmienione"),
    NotificationKind.EMAIL_CHANGE_CONFIRM: KindRule(
        _T, _EMAIL, "Potwierdź nowy adres e-mail w IBOK"
    ),
    NotificationKind.EMAIL_CHANGE_NOTICE: KindRule(_T, _EMAIL, "Zmiana adresu e-mail w IBOK"),
    NotificationKind.PAYMENT_RECEIPT: KindRule(_T, _EMAIL, "Potwierdzenie płatności online w IBOK"),
    NotificationKind.TICKET_UPDATE: KindRule(
        _T, _EMAIL, "Nowa informacja w sprawie Twojego zgłoszenia w IBOK"
    ),
    NotificationKind.TERMINATION_NOTICE: KindRule(
        _T, _EMAIL, "Dostęp do IBOK zakończy się za 14 dni"
    ),
    NotificationKind.INVOICE_REMINDER: KindRule(_N, _BOTH, "Przypomnienie o terminie płatności"),
    NotificationKind.NEW_INVOICE: KindRule(_N, _BOTH, "Nowa faktura w IBOK"),
    NotificationKind.READING_WINDOW: KindRule(_N, _BOTH, "Czas podać odczyt wodomierza"),
    NotificationKind.ANNOUNCEMENT: KindRule(_N, _BOTH, "Komunikat wodociągów"),
}


class Skip(StrEnum):
    """Why a channel was not used for a notification."""

    NO_CONSENT = "no_consent"
    SUPPRESSED = "suppressed"
    NO_ADDRESS = "no_address"  # no e-mail address, or no phone number for SMS
    NOT_A_CHANNEL = "not_a_channel"  # the kind is never sent this way


@dataclass(frozen=True)
class Recipient:
    """What the decision needs of the customer, read fresh at send time."""

    email: str | None
    phone: str | None
    consents: frozenset[str]  # the consent kinds granted now
    email_suppressed: bool


def decide(kind: NotificationKind, channel: Channel, recipient: Recipient) -> Skip | None:
    """None if `kind` may go to `recipient` through `channel` now, else why not.

    >>> r = Recipient("a@b.pl", None, frozenset(), email_suppressed=False)
    >>> decide(NotificationKind.ACTIVATION, Channel.EMAIL, r) is None
    True
    >>> decide(NotificationKind.NEW_INVOICE, Channel.EMAIL, r)
    <Skip.NO_CONSENT: 'no_consent'>
    """
    rule = RULES[kind]
    if channel not in rule.channels:
        return Skip.NOT_A_CHANNEL
    if channel is Channel.EMAIL:
        if not recipient.email:
            return Skip.NO_ADDRESS
        if recipient.email_suppressed:
            return Skip.SUPPRESSED
    elif not recipient.phone:
        return Skip.NO_ADDRESS
    consent = rule.consent(channel)
    if consent is not None and consent not in recipient.consents:
        return Skip.NO_CONSENT
    return None


def key_hash(key: str) -> str:
    """The stored form of a natural key (fixed length, no personal data in the sort key)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Notification:
    """One notification as recorded for the customer's list."""

    login: str
    kind: NotificationKind
    key: str  # the natural key it was sent under (kind + subject)
    title: str
    channels: tuple[Channel, ...]
    sent_at: datetime
    state: str = "sending"  # sending → sent; a failed send leaves no record
    message_ids: dict[str, str] = field(default_factory=dict)


# --- SMS text ------------------------------------------------------------------------

# The GSM 03.38 default alphabet and its extension table (each extension character costs
# two septets). Polish letters are not in it: one of them makes the message UCS-2, where a
# segment holds 70 characters instead of 160.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
GSM7_SEGMENT = 160
UCS2_SEGMENT = 70
POLISH = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def gsm7_length(text: str) -> int | None:
    """The septets `text` takes in GSM-7, or None if it cannot be written in GSM-7."""
    total = 0
    for char in text:
        if char in GSM7_BASIC:
            total += 1
        elif char in GSM7_EXTENSION:
            total += 2
        else:
            return None
    return total


def sms_text(text: str) -> str:
    """The SMS body for a Polish `text`: kept as written when it fits one segment (GSM-7 up
    to 160 septets, or UCS-2 up to 70 characters with Polish letters); otherwise Polish
    letters are transliterated ("ą" → "a", "ł" → "l"…) so the message is GSM-7 and fits
    one 160-septet segment where UCS-2 would need several; other characters outside GSM-7
    (typographic quotes and dashes) are replaced by their plain forms. A text longer than
    160 septets even so goes transliterated too: 153 septets per GSM-7 segment against 67
    characters per UCS-2 one.

    >>> sms_text("Nowa faktura")
    'Nowa faktura'
    >>> sms_text("Awaria wodociągu")
    'Awaria wodociągu'
    >>> sms_text("ą" * 71) == "a" * 71
    True
    """
    text = " ".join(text.split())
    if gsm7_length(text) is not None or len(text) <= UCS2_SEGMENT:
        return text
    plain = _plain(text.translate(POLISH))
    return plain if gsm7_length(plain) is not None else text


_PLAIN = str.maketrans({"„": '"', "”": '"', "“": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


def _plain(text: str) -> str:
    text = text.translate(_PLAIN).replace("…", "...")
    # Letters with accents GSM-7 lacks (e.g. "č") lose them; the rest stays.
    return "".join(
        c
        if c in GSM7_BASIC or c in GSM7_EXTENSION
        else unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode() or c
        for c in text
    )
