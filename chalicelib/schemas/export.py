"""The body of `GET /me/export`: all of the customer's personal data, in sections the
portal's /moje-dane page shows and the customer downloads as a JSON file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from chalicelib.money import format_grosze
from chalicelib.schemas.base import Schema
from chalicelib.schemas.me import AddressOut, ConsentDecision, LoginAttempt
from chalicelib.volume import format_m3

if TYPE_CHECKING:
    from chalicelib.domain.tickets import Thread
    from chalicelib.services.personal_data import PersonalData


def _iso(moment: object) -> str | None:
    return moment.isoformat() if moment is not None else None  # type: ignore[attr-defined]


class ExportedAccount(Schema):
    """The portal account (never a password hash, token or secret) and what the billing
    system knows of its customer."""

    login: str
    email: str
    pending_email: str | None = Field(description="Nowy e-mail czekający na potwierdzenie.")
    pending_email_until: str | None = Field(description="Do kiedy można potwierdzić nowy e-mail.")
    phone: str | None
    status: str
    created_at: str
    activated_at: str | None
    password_changed_at: str | None
    name: str | None
    service_address: AddressOut | None
    correspondence_address: AddressOut | None
    billing_email: str | None = Field(description="E-mail podany w systemie rozliczeniowym.")
    billing_phone: str | None


class EmailSuppression(Schema):
    """The address e-mail is no longer sent to, since SES reported it bouncing or
    complaining."""

    address: str
    reason: str | None = Field(description="bounce (odrzucony) lub complaint (skarga).")
    at: str | None


class ExportedSession(Schema):
    """A live login session (never its token or the token's hash)."""

    created_at: str
    last_seen: str
    ip: str | None
    user_agent: str | None


class ExportedAttachment(Schema):
    """A file attached to a ticket: its name, type and size (never its content)."""

    name: str
    content_type: str
    size: int = Field(description="Rozmiar w bajtach.")
    state: str
    created_at: str


class TermsAccepted(Schema):
    """One acceptance of a terms version."""

    version: str
    at: str


class ExportedMessage(Schema):
    """A message on a ticket, as the customer sees it."""

    author_role: str
    body: str
    at: str


class ExportedEvent(Schema):
    """Something that happened to a ticket, as the customer sees it."""

    action: str
    at: str
    from_status: str | None
    to_status: str | None


class ExportedTicket(Schema):
    """A complaint or report with its messages (never the staff's internal notes)."""

    id: str
    reference: str
    kind: str
    category: str
    status: str
    description: str
    created_at: str
    closed_at: str | None
    invoice: str | None
    meter: str | None
    location: AddressOut | None
    phone: str | None
    attachments: list[ExportedAttachment]
    messages: list[ExportedMessage]
    events: list[ExportedEvent]

    @classmethod
    def from_result(cls, thread: Thread) -> ExportedTicket:
        """One ticket with what the customer may see of it."""
        t = thread.ticket
        return cls(
            id=t.id,
            reference=t.reference,
            kind=str(t.kind),
            category=t.category,
            status=str(t.status),
            description=t.description,
            created_at=t.created_at.isoformat(),
            closed_at=_iso(t.closed_at),
            invoice=t.invoice,
            meter=t.meter,
            location=AddressOut.from_result(t.location),  # type: ignore[arg-type]
            phone=t.phone,
            attachments=[
                ExportedAttachment(
                    name=a.name,
                    content_type=a.content_type,
                    size=a.size,
                    state=str(a.state),
                    created_at=a.created_at.isoformat(),
                )
                for a in sorted(thread.attachments, key=lambda a: a.created_at)
            ],
            messages=[
                ExportedMessage(author_role=m.author_role, body=m.body, at=m.at.isoformat())
                for m in sorted(thread.messages, key=lambda m: m.at)
            ],
            events=[
                ExportedEvent(
                    action=e.action,
                    at=e.at.isoformat(),
                    from_status=e.from_status,
                    to_status=e.to_status,
                )
                for e in sorted(thread.events, key=lambda e: e.at)
            ],
        )


class SubmittedReading(Schema):
    """A meter reading the customer submitted."""

    meter: str
    date: str
    value_m3: str
    submitted_at: str | None
    photo: bool = Field(description="Czy do odczytu dołączono zdjęcie wodomierza.")
    exported_at: str | None = Field(description="Kiedy przekazano go do systemu rozliczeń.")


class StartedPayment(Schema):
    """An online payment the customer started."""

    order_id: str
    amount: str
    currency: str
    description: str
    status: str
    created_at: str
    paid_at: str | None
    invoices: list[str]
    provider_email: str | None = Field(description="E-mail przekazany operatorowi płatności.")


class PersonalDataExport(Schema):
    """All of the customer's personal data kept by the portal."""

    exported_at: str
    account: ExportedAccount
    terms: list[TermsAccepted] = Field(description="Każda akceptacja regulaminu, od najstarszej.")
    consents: list[ConsentDecision] = Field(description="Każda decyzja o zgodach, od najstarszej.")
    email_suppression: EmailSuppression | None = Field(
        description="Adres, na który nie wysyłamy już e-maili, i dlaczego."
    )
    sessions: list[ExportedSession] = Field(description="Aktywne sesje, od najnowszej.")
    login_history: list[LoginAttempt]
    notifications: list[dict]
    tickets: list[ExportedTicket]
    readings: list[SubmittedReading]
    payments: list[StartedPayment]

    @classmethod
    def from_result(cls, data: PersonalData) -> PersonalDataExport:
        """Shape the export."""
        a, c = data.account, data.customer
        return cls(
            exported_at=data.exported_at.isoformat(),
            account=ExportedAccount(
                login=a.login,
                email=a.email,
                pending_email=a.pending_email,
                pending_email_until=_iso(data.pending_email_until),
                phone=a.phone,
                status=str(a.status),
                created_at=a.created_at.isoformat(),
                activated_at=_iso(a.activated_at),
                password_changed_at=_iso(a.password_changed_at),
                name=c.name if c else None,
                service_address=AddressOut.from_result(c.service_address) if c else None,
                correspondence_address=AddressOut.from_result(c.correspondence_address)
                if c
                else None,
                billing_email=c.email if c else None,
                billing_phone=c.phone if c else None,
            ),
            terms=[TermsAccepted(version=t.version, at=t.at.isoformat()) for t in data.terms],
            consents=[
                ConsentDecision.from_result(x) for x in sorted(a.consents, key=lambda x: x.at)
            ],
            email_suppression=EmailSuppression(
                address=a.suppressed_email,
                reason=a.suppressed_reason,
                at=_iso(a.suppressed_at),
            )
            if a.suppressed_email
            else None,
            sessions=[
                ExportedSession(
                    created_at=s.created_at.isoformat(),
                    last_seen=s.last_seen.isoformat(),
                    ip=s.ip,
                    user_agent=s.user_agent,
                )
                for s in data.sessions
            ],
            login_history=[
                LoginAttempt(at=e.at.isoformat(), ip=e.ip, user_agent=e.user_agent, result=e.result)
                for e in data.login_history
            ],
            notifications=data.notifications,
            tickets=[ExportedTicket.from_result(t) for t in data.tickets],
            readings=[
                SubmittedReading(
                    meter=r.meter,
                    date=r.date.isoformat(),
                    value_m3=format_m3(r.value),
                    submitted_at=_iso(r.submitted_at),
                    photo=r.photo_key is not None,
                    exported_at=_iso(r.exported_at),
                )
                for r in sorted(data.readings, key=lambda r: (r.date, r.meter))
            ],
            payments=[
                StartedPayment(
                    order_id=o.order_id,
                    amount=format_grosze(o.amount),
                    currency=o.currency,
                    description=o.description,
                    status=o.status,
                    created_at=o.created_at.isoformat(),
                    paid_at=_iso(o.paid_at),
                    invoices=[p.invoice for p in o.parts],
                    provider_email=o.email,
                )
                for o in sorted(data.payments, key=lambda o: o.created_at)
            ],
        )
