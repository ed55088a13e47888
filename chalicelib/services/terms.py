"""Terms of service versions: staff publish one with its effective date (audited); from
that moment a customer who has not accepted it is held back by the terms gate
(chalicelib/http/endpoint.py) until they accept it (services/profile.py `accept_terms`).

The gate costs no round trip of its own. The version the customer accepted rides on the
session item, which every request's session write returns anyway (storage/accounts.py
`touch_session`). The versions published are read from a per-container copy at most
TERMS_COPY_SECONDS old (60; 0 on the local stage); a stale copy is read again on a reader
thread beside the session write (`copy_reader`), so the request still waits for two round
trips: the session and its data. Which version is in effect is worked out from the copy at
each request, so a version published ahead takes effect on its date without any read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from chalicelib.content.terms import current_terms
from chalicelib.domain.audit import AuditAction
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.terms import TermsVersion, in_effect
from chalicelib.services import audit
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.services.container_copy import ContainerCopy
from chalicelib.settings import get_settings
from chalicelib.storage import terms as store

WARSAW = ZoneInfo("Europe/Warsaw")
NOW_GRACE_SECONDS = 60
NOT_IN_THE_PAST = "Data wejścia w życie nie może być wcześniejsza niż teraz."
OUT_OF_RANGE = "Podaj rzeczywistą datę i godzinę."
AFTER_THE_LAST = "Nowa wersja musi wejść w życie później niż wersja {version} ({moment})."


def shipped() -> TermsVersion:
    """The version the code ships with (chalicelib/content), in effect until staff publish
    another: from midnight in Warsaw of its date."""
    terms = current_terms()
    day = datetime.fromisoformat(terms.effective_from).date()
    start = datetime.combine(day, time(), WARSAW).astimezone(UTC)
    return TermsVersion(
        version=terms.version, title=terms.title, text=terms.text, effective_from=start
    )


def every_version() -> list[TermsVersion]:
    """The shipped version and every published one, oldest effective date first (one Query)."""
    return [shipped(), *store.published()]


def in_effect_now(versions: list[TermsVersion], deps: Collaborators | None = None) -> TermsVersion:
    """Of `versions`, the one in effect now (the shipped one before any other)."""
    now = (deps or current()).clock.now()
    return in_effect(versions, now) or versions[0]


def current_version(deps: Collaborators | None = None) -> TermsVersion:
    """The version in effect now, read afresh (registration, acceptance, GET /terms)."""
    return in_effect_now(every_version(), deps)


def staff_list() -> list[TermsVersion]:
    """Every version, newest effective date first (for the staff)."""
    return list(reversed(every_version()))


@dataclass(frozen=True)
class NewVersion:
    """What staff publish: a label, a title, the text (Markdown) and when it takes effect."""

    version: str
    title: str
    text: str
    effective_from: datetime


def publish(actor: str, new: NewVersion, deps: Collaborators | None = None) -> TermsVersion:
    """Publish a version taking effect at `new.effective_from` (now or later, and after
    every version before it); audited `terms.published`. Conflict if the label is taken."""
    deps = deps or current()
    now = deps.clock.now().astimezone(UTC).replace(microsecond=0)
    try:  # a moment at the calendar's edge may have no UTC or Warsaw equivalent
        requested = new.effective_from.astimezone(UTC).replace(microsecond=0)
        requested.astimezone(WARSAW)  # how it is shown (GET /terms, the next publication)
    except OverflowError as exc:
        raise InvalidInput(fields={"effective_from": OUT_OF_RANGE}) from exc
    if (now - requested).total_seconds() > NOW_GRACE_SECONDS:  # "now" typed on a form
        raise InvalidInput(fields={"effective_from": NOT_IN_THE_PAST})
    effective = max(requested, now)
    last = every_version()[-1]
    if effective <= last.effective_from:
        moment = last.effective_from.astimezone(WARSAW).strftime("%d.%m.%Y %H:%M")
        message = AFTER_THE_LAST.format(version=last.version, moment=moment)
        raise InvalidInput(fields={"effective_from": message})
    version = TermsVersion(
        version=new.version,
        title=new.title,
        text=new.text,
        effective_from=effective,
        published_at=now,
        published_by=actor,
    )
    store.publish(version)
    audit.record(
        actor,
        AuditAction.TERMS_PUBLISHED,
        f"terms:{version.version}",
        after=version.audit_state(),
        deps=deps,
    )
    forget_copy()  # this container sees it at once; others within TERMS_COPY_SECONDS
    return version


# --- the per-container copy the gate reads ---------------------------------------------


_copy: ContainerCopy[list[TermsVersion]] = ContainerCopy(
    "terms", lambda _now: every_version(), lambda: get_settings().terms_copy_seconds
)


def copy_reader(deps: Collaborators | None = None) -> Callable[[], TermsVersion]:
    """Start getting the version in effect, and return the call that hands it over. While
    this container's copy of the versions is younger than TERMS_COPY_SECONDS that is the
    copy, with no call at all; otherwise the one Query runs on a reader thread beside
    whatever the caller does meanwhile (the session's write), adding no round trip to its
    wait."""
    deps = deps or current()
    versions = _copy.start(deps.clock.now())
    return lambda: in_effect_now(versions(), deps)


def forget_copy() -> None:
    """Drop this container's copy (after a publication; tests start from an empty table)."""
    _copy.forget()
