"""What services call outside themselves besides storage: the clock, the mailer, the SMS
sender, secrets and queues, in one small object with the real ones as defaults (the
Powertools style).

A service takes `deps: Collaborators | None = None` and uses `deps or current()`; a route
or job passes nothing. Tests pass fakes, either directly or, through the HTTP API, with
`using(mailer=FakeMailer())` for the length of a `with` block.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Protocol

from chalicelib import clock
from chalicelib.adapters import mailer, queues, secrets, sms


class Clock(Protocol):
    """The current time (UTC) and today's date in Poland."""

    def now(self) -> datetime: ...

    def today(self) -> date: ...


class Mailer(Protocol):
    """Sends a templated e-mail (with extra headers: a notice's List-Unsubscribe); returns
    its message id."""

    def send(
        self,
        template: str,
        to: str,
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> str: ...


class Sms(Protocol):
    """Sends a templated SMS; returns its message id."""

    def send(self, template: str, phone: str, context: dict[str, Any]) -> str: ...


class Secrets(Protocol):
    """Secrets of the stage."""

    def password_pepper(self) -> bytes: ...

    def bluemedia_credentials(self) -> tuple[str, str]: ...


class Queues(Protocol):
    """Sends a message to a queue by name."""

    def send(self, queue: str, body: str) -> None: ...

    def send_batch(self, queue: str, bodies: list[str]) -> None: ...


@dataclass(frozen=True)
class Collaborators:
    """The collaborators of one call."""

    clock: Clock
    mailer: Mailer
    secrets: Secrets
    queues: Queues
    sms: Sms


DEFAULT = Collaborators(clock=clock, mailer=mailer, secrets=secrets, queues=queues, sms=sms)
_current = DEFAULT


def current() -> Collaborators:
    """The collaborators in use (the real ones unless a test put fakes in)."""
    return _current


@contextmanager
def using(**fakes: Any) -> Iterator[Collaborators]:
    """Use `fakes` (by field name) in place of the current collaborators until the block
    ends."""
    global _current
    previous = _current
    _current = replace(previous, **fakes)
    try:
        yield _current
    finally:
        _current = previous
