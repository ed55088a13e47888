"""Meters, their reading history, and customer reading submission."""

from __future__ import annotations

import json
import secrets
from datetime import date, timedelta

from chalicelib import aws, clock
from chalicelib.domain import readings as rules
from chalicelib.domain.errors import NotFound
from chalicelib.domain.readings import ExportState, MeterStatus
from chalicelib.models.billing import BillingItem
from chalicelib.models.meters import METER_PREFIX, MeterRecord, MeterState, ReadingRecord
from chalicelib.paging import paginate
from chalicelib.schemas.fields import is_key
from chalicelib.schemas.ledger import PageQuery
from chalicelib.schemas.meters import (
    Certification,
    LastReading,
    MeterList,
    MeterOut,
    PhotoUpload,
    ReadingHistory,
    ReadingOut,
    ReadingSubmission,
    SubmittedReading,
)
from chalicelib.settings import get_settings
from chalicelib.storage.billing import of_type, query_prefix
from chalicelib.storage.readings import save_customer_reading
from chalicelib.volume import format_m3

NO_METER = "Nie ma takiego wodomierza."
ATTENTION_DAYS = 90
PHOTO_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/heic": "heic"}
PHOTO_LINK_SECONDS = 300


def _certification(meter: MeterRecord, now: date) -> Certification:
    if not meter.certified_until:
        return Certification(valid_until=None, state="unknown", days_left=None)
    until = date.fromisoformat(meter.certified_until)
    left = (until - now).days
    state = "expired" if left < 0 else "expiring" if left <= ATTENTION_DAYS else "valid"
    return Certification(valid_until=until, state=state, days_left=left)


def _ordered(readings: list[ReadingRecord]) -> list[ReadingRecord]:
    return sorted(readings, key=lambda r: rules.reading_order(r.read_on, r.source))


def _meter_out(meter: MeterRecord, readings: list[ReadingRecord], now: date) -> MeterOut:
    certification = _certification(meter, now)
    last = _ordered(readings)[-1] if readings else None
    return MeterOut(
        id=meter.serial,
        serial=meter.serial,
        kind=meter.meter_kind,
        location=meter.location,
        status=meter.status,
        installed_on=date.fromisoformat(meter.installed_on),
        removed_on=date.fromisoformat(meter.removed_on) if meter.removed_on else None,
        seal=meter.seal,
        certification=certification,
        attention=meter.status == MeterStatus.ACTIVE
        and certification.state in ("expiring", "expired"),
        last_reading=LastReading(
            date=date.fromisoformat(last.read_on),
            value=format_m3(int(last.litres)),
            source=last.source,
        )
        if last
        else None,
        accepts_readings=meter.status == MeterStatus.ACTIVE,
    )


def list_meters(customer_number: str) -> MeterList:
    """The customer's meters with certification and last reading (one Query)."""
    items = query_prefix(customer_number, METER_PREFIX)
    readings: dict[str, list[ReadingRecord]] = {}
    for reading in of_type(items, ReadingRecord):
        readings.setdefault(reading.serial, []).append(reading)
    now = clock.today()
    meters = sorted(
        of_type(items, MeterRecord),
        key=lambda m: (m.status != MeterStatus.ACTIVE, m.installed_on, m.serial),
    )
    return MeterList(items=[_meter_out(m, readings.get(m.serial, []), now) for m in meters])


def _load_meter(
    customer_number: str, serial: str
) -> tuple[MeterRecord, list[ReadingRecord], MeterState | None]:
    if not is_key(serial):
        raise NotFound(NO_METER)
    items = query_prefix(customer_number, MeterRecord.prefix(serial))
    meters = of_type(items, MeterRecord)
    if not meters:
        raise NotFound(NO_METER)
    states = of_type(items, MeterState)
    return meters[0], _ordered(of_type(items, ReadingRecord)), states[0] if states else None


def _readings_out(meter: MeterRecord, readings: list[ReadingRecord]) -> list[ReadingOut]:
    out = []
    previous_date = date.fromisoformat(meter.installed_on)
    previous_litres = int(meter.initial_litres or 0)
    for reading in readings:
        read_on, litres = date.fromisoformat(reading.read_on), int(reading.litres)
        days = (read_on - previous_date).days
        used = litres - previous_litres
        out.append(
            ReadingOut(
                date=read_on,
                value=format_m3(litres),
                source=reading.source,
                consumption=format_m3(used) if days > 0 else None,
                days=days if days > 0 else None,
                daily_average=format_m3(used // days) if days > 0 else None,
                confirmed_unusual=bool(reading.confirmed_unusual),
            )
        )
        if days > 0:
            previous_date, previous_litres = read_on, litres
    return out[::-1]


def reading_history(
    customer_number: str, serial: str, query: PageQuery | None = None
) -> ReadingHistory:
    """One page of a meter's readings, newest first, with the use between readings (one
    Query: the use needs the reading before, so the page is cut after computing it)."""
    query = query or PageQuery()
    meter, readings, _ = _load_meter(customer_number, serial)
    page = paginate(
        _readings_out(meter, readings),
        lambda r: f"{r.date.isoformat()}|{r.source}",  # unique: the reading's sort key
        query.cursor,
        query.limit,
    )
    return ReadingHistory(
        meter=_meter_out(meter, readings, clock.today()),
        items=page.items,
        next_cursor=page.next_cursor,
    )


def _photo_upload(
    customer_number: str, serial: str, read_on: date, content_type: str, size: int
) -> tuple[str, PhotoUpload]:
    settings = get_settings()
    key = (
        f"reading-photos/{customer_number}/{serial}/{read_on.isoformat()}-"
        f"{secrets.token_urlsafe(8)}.{PHOTO_EXTENSIONS[content_type]}"
    )
    post = aws.client("s3").generate_presigned_post(
        Bucket=settings.data_bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[
            {"Content-Type": content_type},
            ["content-length-range", 1, size],
        ],
        ExpiresIn=PHOTO_LINK_SECONDS,
    )
    expires = (clock.now() + timedelta(seconds=PHOTO_LINK_SECONDS)).isoformat()
    return key, PhotoUpload(url=post["url"], fields=post["fields"], expires_at=expires)


def submit_reading(
    customer_number: str, serial: str, body: ReadingSubmission, login: str
) -> SubmittedReading:
    """Check and store a customer's reading (see domain/readings.py for the rules)."""
    settings = get_settings()
    now = clock.now()
    current_day = clock.today()
    rules.check_window(rules.Window.parse(settings.reading_window), current_day)
    meter, readings, state = _load_meter(customer_number, serial)
    read_on = body.date or current_day
    history = [
        rules.PastReading(
            read_on=date.fromisoformat(r.read_on),
            litres=int(r.litres),
            source=r.source,
            exported=r.source == "customer" and r.export_state != ExportState.PENDING,
        )
        for r in readings
    ]
    accepted = rules.check(
        active=meter.status == MeterStatus.ACTIVE,
        installed_on=date.fromisoformat(meter.installed_on),
        initial_litres=int(meter.initial_litres or 0),
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
            customer_number, serial, read_on, body.photo.content_type, body.photo.size
        )
    pk = BillingItem.partition(customer_number)
    sk = ReadingRecord.sort_key(serial, read_on.isoformat(), "customer")
    submitted_at = now.isoformat()
    order = f"{submitted_at}#{pk}#{sk}"
    body = {
        "customer_number": customer_number,
        "meter": serial,
        "date": read_on.isoformat(),
        "value": accepted.litres,
        "source": "customer",
        "submitted_at": submitted_at,
        "submitted_by": login,
        "confirmed_unusual": accepted.unusual,
        "photo_key": photo_key,
    }
    reading = ReadingRecord(
        pk,
        sk,
        body=json.dumps({k: v for k, v in body.items() if v is not None}, ensure_ascii=False),
        export_state=ExportState.PENDING,
        export_order=order,
        submission_month=f"READINGS#{submitted_at[:7]}",
        submission_order=order,
    )
    save_customer_reading(
        reading, serial, int(state.version) if state else None, accepted.replaces_today
    )
    previous = accepted.previous
    days = (read_on - previous.read_on).days if previous else None
    used = accepted.litres - previous.litres if previous else None
    return SubmittedReading(
        reading=ReadingOut(
            date=read_on,
            value=format_m3(accepted.litres),
            source="customer",
            consumption=format_m3(used) if used is not None and days else None,
            days=days or None,
            daily_average=format_m3(used // days) if used is not None and days else None,
            confirmed_unusual=accepted.unusual,
        ),
        replaced=accepted.replaces_today,
        photo_upload=upload,
    )
