"""The consent matrix (kind x channel x consent x suppressed x address), the SMS text rule
(GSM-7 where possible) and unsubscribe tokens."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.content.terms import CONSENT_TEXTS
from chalicelib.domain import unsubscribe
from chalicelib.domain.notifications import (
    CONSENT_OF_CHANNEL,
    GSM7_SEGMENT,
    RULES,
    UCS2_SEGMENT,
    Channel,
    NotificationClass,
    NotificationKind,
    Recipient,
    Skip,
    decide,
    gsm7_length,
    sms_text,
)

TRANSACTIONAL = {
    "activation",
    "password_reset",
    "password_changed",
    "email_change_confirm",
    "email_change_notice",
    "payment_receipt",
    "ticket_update",
    "termination_notice",
}
NOTICES = {"invoice_reminder", "new_invoice", "reading_window", "announcement"}


def test_every_kind_has_its_class():
    assert {k.value for k in NotificationKind} == TRANSACTIONAL | NOTICES
    for kind in NotificationKind:
        expected = (
            NotificationClass.TRANSACTIONAL if kind in TRANSACTIONAL else NotificationClass.NOTICE
        )
        assert RULES[kind].klass is expected


def test_the_consents_are_the_accounts():
    assert set(CONSENT_OF_CHANNEL.values()) == set(CONSENT_TEXTS)


CASES = list(
    itertools.product(
        NotificationKind,
        Channel,
        [
            frozenset(),
            frozenset({"email_notices"}),
            frozenset({"sms_notices"}),
            frozenset(CONSENT_TEXTS),
        ],
        [False, True],  # suppressed
        [False, True],  # has a phone
    )
)


@pytest.mark.parametrize(("kind", "channel", "consents", "suppressed", "phone"), CASES)
def test_the_consent_matrix(kind, channel, consents, suppressed, phone):
    recipient = Recipient("jan@example.pl", "+48601234567" if phone else None, consents, suppressed)
    rule = RULES[kind]
    got = decide(kind, channel, recipient)
    if channel not in rule.channels:
        expected = Skip.NOT_A_CHANNEL
    elif channel is Channel.EMAIL and suppressed:
        expected = Skip.SUPPRESSED  # nothing to a suppressed address, transactional included
    elif channel is Channel.SMS and not phone:
        expected = Skip.NO_ADDRESS
    elif rule.klass is NotificationClass.NOTICE and CONSENT_OF_CHANNEL[channel] not in consents:
        expected = Skip.NO_CONSENT
    else:
        expected = None
    assert got == expected
    if kind.value in TRANSACTIONAL and channel is Channel.EMAIL and not suppressed:
        assert got is None  # always sent, whatever the consents


def test_no_email_address_is_no_email():
    recipient = Recipient(None, None, frozenset(CONSENT_TEXTS), False)
    assert decide(NotificationKind.ACTIVATION, Channel.EMAIL, recipient) == Skip.NO_ADDRESS


# --- SMS text ---------------------------------------------------------------------------


def test_gsm7_text_is_kept():
    text = "Nowa faktura FV/2026/11/0001 (123,45 zl), termin 30.11.2026. IBOK: https://x.pl/f"
    assert sms_text(text) == text
    assert gsm7_length("€") == 2 and gsm7_length("ą") is None


def test_a_short_polish_text_keeps_its_letters():
    text = "Awaria wodociągu na ul. Łąkowej."
    assert sms_text(text) == text  # one UCS-2 segment holds it


def test_a_longer_polish_text_is_transliterated_into_gsm7():
    text = (
        "Przypomnienie: faktura FV/2026/11/0001 (123,45\u00a0zł) – termin płatności "
        "30.11.2026. Zapłać w IBOK: https://ibok.wodociagi.example/faktury"
    )
    got = sms_text(text)
    assert gsm7_length(got) is not None and gsm7_length(got) <= GSM7_SEGMENT
    assert "zl) - termin platnosci" in got


@given(st.text(alphabet="aąbcćeęlłnńoóśzźżAĄŁŻ .,", min_size=1, max_size=300))
def test_sms_text_is_gsm7_or_one_ucs2_segment(text):
    got = sms_text(text)
    assert gsm7_length(got) is not None or len(got) <= UCS2_SEGMENT


# --- unsubscribe tokens ---------------------------------------------------------------------

KEY = unsubscribe.unsubscribe_key(b"pepper")
CONSENTS = frozenset(CONSENT_TEXTS)
HOLDER = unsubscribe.holder_mark(KEY, "Jan@Example.pl", "2026-11-20T10:00:00+00:00")


def test_a_token_names_its_customer_and_consent():
    token = unsubscribe.issue(KEY, "100016", "sms_notices", 20000, HOLDER)
    found = unsubscribe.verify(KEY, token, 20000, 90, CONSENTS)
    assert (found.login, found.consent, found.holder) == ("100016", "sms_notices", HOLDER)


def test_the_holders_mark_tells_the_address_and_the_registration():
    same = unsubscribe.holder_mark(KEY, "jan@example.pl", "2026-11-20T10:00:00+00:00")
    assert same == HOLDER  # the address as compared: case-folded
    assert unsubscribe.holder_mark(KEY, "nowy@example.pl", "2026-11-20T10:00:00+00:00") != HOLDER
    assert unsubscribe.holder_mark(KEY, "jan@example.pl", "2026-12-06T10:00:00+00:00") != HOLDER
    other_key = unsubscribe.unsubscribe_key(b"another pepper")
    assert unsubscribe.holder_mark(other_key, "jan@example.pl", "2026-11-20T10:00:00+00:00") != (
        HOLDER
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.replace("100016", "100017"),
        lambda t: t.replace("email_notices", "sms_notices"),
        lambda t: t.replace(".20000.", ".20001."),
        lambda t: t.replace(HOLDER, unsubscribe.holder_mark(KEY, "x@example.pl", "")),
        lambda t: t.replace("a", "ą", 1) if "a" in t else "ą" + t,  # not ASCII: no 500
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: t + ".x",
        lambda _t: "",
    ],
)
def test_a_changed_token_is_refused(change):
    token = unsubscribe.issue(KEY, "100016", "email_notices", 20000, HOLDER)
    assert unsubscribe.verify(KEY, change(token), 20001, 90, CONSENTS) is None


def test_a_token_expires_and_needs_the_key():
    token = unsubscribe.issue(KEY, "100016", "email_notices", 20000, HOLDER)
    assert unsubscribe.verify(KEY, token, 20089, 90, CONSENTS) is not None
    assert unsubscribe.verify(KEY, token, 20090, 90, CONSENTS) is None
    assert unsubscribe.verify(KEY, token, 19999, 90, CONSENTS) is None  # from the future
    other = unsubscribe.unsubscribe_key(b"another pepper")
    assert unsubscribe.verify(other, token, 20001, 90, CONSENTS) is None
    bogus = unsubscribe.issue(KEY, "100016", "marketing", 20000, HOLDER)
    assert unsubscribe.verify(KEY, bogus, 20001, 90, CONSENTS) is None
