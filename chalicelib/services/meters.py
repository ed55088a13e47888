"""Meters, their reading history, and customer reading submission."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from chalicelib.adapters import uploads
from chalicelib.domain import readings as rules
from chalicelib.domain.errors import NotFound
from chalicelib.domain.meters import (
    MeterHistory,
    MeterView,
    PhotoUpload,
    ReadingPage,
    ReadingUse,
    Submitted,
    certification,
    use_since,
)
from chalicelib.domain.readings import ExportState, MeterStatus
from chalicelib.domain.records import Meter, Reading
from chalicelib.paging import paginate
from chalicelib.schemas.fields import is_key
from chalicelib.schemas.ledger import PageQuery
from chalicelib.schemas.meters import ReadingSubmission
from chalicelib.services.collaborators import Collaborators, current
from chalicelib.settings import get_settings
from chalicelib.storage import meters as meter_store
from chalicelib.storage import readings as reading_store

NO_METER = "Nie ma takiego wodomierza."
PHOTO_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/heic": "heic"}
PHOTO_LINK_SECONDS = 300


def _ordered(readings: list[Reading]) -> list[Reading]:
    return sorted(readings, key=lambda r: rules.reading_order(r.date.isoformat(), r.source))


def _view(meter: Meter, readings: list[Reading], today: date) -> MeterView:
    """`readings`: the meter's, in reading order."""
    return MeterView(
        meter=meter,
        certification=certification(meter.certified_until, today),
        last_reading=readings[-1] if readings else None,
    )


def list_meters(customer_number: str, deps: Collaborators | None = None) -> list[MeterView]:
    """The customer's meters, active first, with certification and last reading (one
    Query)."""
    meters, readings = meter_store.meters_and_readings(customer_number)
    return meter_views(meters, readings, (deps or current()).clock.today())


def meter_views(meters: list[Meter], readings: list[Reading], today: date) -> list[MeterView]:
    """The meters, active first, each with its certification on `today` and last reading."""
    by_meter: dict[str, list[Reading]] = {}
    for reading in readings:
        by_meter.setdefault(reading.meter, []).append(reading)
    ordered = sorted(
        meters, key=lambda m: (m.status != MeterStatus.ACTIVE, m.installed_on, m.serial)
    )
    return [_view(m, _ordered(by_meter.get(m.serial, [])), today) for m in ordered]


def _load_meter(customer_number: str, serial: str) -> MeterHistory:
    """The meter with its readings in reading order."""
    if not is_key(serial):
        raise NotFound(NO_METER)
    history = meter_store.meter_history(customer_number, serial)
    if history is None:
        raise NotFound(NO_METER)
    return MeterHistory(history.meter, _ordered(history.readings), history.version)


def _uses(meter: Meter, readings: list[Reading]) -> list[ReadingUse]:
    """Each reading with the use since the previous one of an earlier day, newest first."""
    uses = []
    previous_on, previous_litres = meter.installed_on, meter.initial_value
    for reading in readings:
        use = use_since(reading, previous_on, previous_litres)
        uses.append(use)
        if use.days:
            previous_on, previous_litres = reading.date, reading.value
    return uses[::-1]


def reading_history(
    customer_number: str,
    serial: str,
    query: PageQuery | None = None,
    deps: Collaborators | None = None,
) -> ReadingPage:
    """One page of a meter's readings, newest first, with the use between readings (one
    Query: the use needs the reading before, so the page is cut after computing it)."""
    query = query or PageQuery()
    history = _load_meter(customer_number, serial)
    page = paginate(
        _uses(history.meter, history.readings),
        # unique: the reading's sort key
        lambda u: f"{u.reading.date.isoformat()}|{u.reading.source}",
        query.cursor,
        query.limit,
    )
    return ReadingPage(
        meter=_view(history.meter, history.readings, (deps or current()).clock.today()),
        items=page.items,
        next_cursor=page.next_cursor,
    )


def _photo_upload(
    customer_number: str,
    serial: str,
    read_on: date,
    content_type: str,
    size: int,
    deps: Collaborators,
) -> tuple[str, PhotoUpload]:
    key = (
        f"reading-photos/{customer_number}/{serial}/{read_on.isoformat()}-"
        f"{secrets.token_urlsafe(8)}.{PHOTO_EXTENSIONS[content_type]}"
    )
    url, fields = uploads.presigned_post(key, content_type, size, PHOTO_LINK_SECONDS)
    expires = deps.clock.now() + timedelta(seconds=PHOTO_LINK_SECONDS)
    return key, PhotoUpload(url=url, fields=fields, expires_at=expires)


def submit_reading(
    customer_number: str,
    serial: str,
    body: ReadingSubmission,
    login: str,
    deps: Collaborators | None = None,
) -> Submitted:
    """Check and store a customer's reading (see domain/readings.py for the rules)."""
    deps = deps or current()
    settings = get_settings()
    now = deps.clock.now()
    current_day = deps.clock.today()
    rules.check_window(rules.Window.parse(settings.reading_window), current_day)
    loaded = _load_meter(customer_number, serial)
    meter = loaded.meter
    read_on = body.date or current_day
    history = [
        rules.PastReading(
            read_on=r.date,
            litres=r.value,
            source=r.source,
            exported=r.source == "customer" and r.export_state != ExportState.PENDING,
        )
        for r in loaded.readings
    ]
    accepted = rules.check(
        active=meter.status == MeterStatus.ACTIVE,
        installed_on=meter.installed_on,
        initial_litres=meter.initial_value,
        history=history,
        read_on=read_on,
        litres=body.value,
        today=current_day,
        limits=rules.Limits(settings.reading_unusual_multiple, settings.reading_max_daily_litres),
        confirmed=body.confirm,
    )
    photo_key, upload = None, None
    if body.photo is not None:
        photo_key, upload = _photo_upload(
            customer_number, serial, read_on, body.photo.content_type, body.photo.size, deps
        )
    reading = Reading(
        customer_number=customer_number,
        meter=serial,
        date=read_on,
        value=accepted.litres,
        source="customer",
        submitted_at=now,
        submitted_by=login,
        confirmed_unusual=accepted.unusual,
        photo_key=photo_key,
    )
    reading_store.save_customer_reading(reading, loaded.version, accepted.replaces_today)
    previous = accepted.previous
    use = use_since(reading, previous.read_on, previous.litres) if previous else ReadingUse(reading)
    return Submitted(use=use, replaced=accepted.replaces_today, photo_upload=upload)
