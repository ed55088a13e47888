"""Meters and readings: list, history with consumption, and every submission rule."""

from __future__ import annotations

import base64
import json
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib import clock
from chalicelib.domain.errors import DomainError
from chalicelib.imports.meter_records import ReadingLine
from chalicelib.models.billing import BillingItem
from chalicelib.models.meters import LatestImportedReading, ReadingRecord
from chalicelib.schemas.meters import ReadingSubmission
from chalicelib.services import meters as meter_service
from chalicelib.settings import get_settings
from chalicelib.storage import readings as reading_store
from chalicelib.storage.imports import ImportWriter
from chalicelib.storage.records import parse
from tests.factories import active_account, bearer, customer_line, import_lines, post
from tests.factories import meter_line as meter
from tests.factories import reading_line as reading
from tests.roundtrips import count_dynamodb_calls

CUSTOMER, OTHER = "100200", "100300"


@pytest.fixture
def customer(client, outbox):
    """Today is 2026-11-20. W1 is active with three readings (about 0.33 m³ a day)."""
    clock.travel_to(datetime(2026, 11, 20, 10, tzinfo=UTC))
    active_account(client, outbox, CUSTOMER)
    import_lines(
        [
            meter(
                "W0",
                installed_on="2020-01-01",
                status="removed",
                removed_on="2025-01-01",
                certified_until="2026-01-01",
            ),
            meter("W1", certified_until="2026-12-31", location="piwnica"),
            meter("G1", kind="garden", status="faulty", certified_until="2025-06-01"),
            meter("N1", installed_on="2026-11-01", certified_until="2031-01-01"),
            reading("W0", "2025-01-01", "812,250"),
            reading("W1", "2026-05-31", "100"),
            reading("W1", "2026-08-31", "130.000"),
            reading("W1", "2026-10-31", "150,000", source="collector"),
            customer_line(OTHER),
            meter("X9", customer=OTHER),
        ],
        key="imports/meters.jsonl",
    )
    return bearer(client, CUSTOMER)


def submit(client, headers, serial="W1", **body):
    return post(client, f"/meters/{serial}/readings", body, headers)


def test_meters_active_first_with_certification_flags(client, customer):
    items = client.http.get("/meters", headers=customer).json_body["items"]
    by_serial = {m["serial"]: m for m in items}
    assert [m["status"] for m in items][:2] == ["active", "active"]
    assert items[-1]["status"] != "active"
    w1 = by_serial["W1"]
    assert w1["certification"] == {
        "valid_until": "2026-12-31",
        "state": "expiring",
        "days_left": 41,
    }
    assert w1["attention"] is True
    assert w1["last_reading"] == {"date": "2026-10-31", "value": "150.000", "source": "collector"}
    assert by_serial["N1"]["attention"] is False
    assert by_serial["N1"]["certification"]["state"] == "valid"
    assert by_serial["G1"]["certification"]["state"] == "expired"
    assert by_serial["G1"]["accepts_readings"] is False
    assert "X9" not in by_serial


def test_certification_expiring_within_90_days_valid_from_91_and_expired_flagged(client, customer):
    today = date(2026, 11, 20)

    def certified(days: int) -> str:
        return (today + timedelta(days=days)).isoformat()

    import_lines(
        [
            meter("C90", certified_until=certified(90)),
            meter("C91", certified_until=certified(91)),
            meter("C0", certified_until=certified(0)),
            meter("CX", certified_until=certified(-1)),
            meter("C90F", status="faulty", certified_until=certified(90)),
        ],
        key="imports/certification.jsonl",
    )
    items = client.http.get("/meters", headers=customer).json_body["items"]
    by_serial = {m["serial"]: m for m in items}
    seen = {
        serial: (m["certification"]["state"], m["certification"]["days_left"], m["attention"])
        for serial, m in by_serial.items()
        if serial.startswith("C")
    }
    assert seen == {
        "C90": ("expiring", 90, True),
        "C91": ("valid", 91, False),
        "C0": ("expiring", 0, True),
        "CX": ("expired", -1, True),  # an active meter past its certification
        "C90F": ("expiring", 90, False),  # not active: nothing for the customer to do
    }
    assert by_serial["C90"]["certification"]["valid_until"] == "2027-02-18"
    assert by_serial["CX"]["accepts_readings"] is True


def test_history_newest_first_with_consumption_between_readings(client, customer):
    body = client.http.get("/meters/W1/readings", headers=customer).json_body
    assert [r["date"] for r in body["items"]] == ["2026-10-31", "2026-08-31", "2026-05-31"]
    newest = body["items"][0]
    assert (newest["consumption"], newest["days"], newest["daily_average"]) == (
        "20.000",
        61,
        "0.327",
    )
    first = body["items"][-1]  # since installation on 2025-01-01 at 0
    assert (first["consumption"], first["days"]) == ("100.000", 515)


def test_history_is_paged_like_every_list(client, customer):
    """`limit` and `next_cursor` as on /invoices; each page keeps the use since the reading
    before it, which may be on the previous page."""
    first = client.http.get("/meters/W1/readings?limit=2", headers=customer).json_body
    assert [r["date"] for r in first["items"]] == ["2026-10-31", "2026-08-31"]
    assert first["next_cursor"]
    assert first["meter"]["serial"] == "W1"
    cursor = first["next_cursor"]
    rest = client.http.get(
        f"/meters/W1/readings?limit=2&cursor={cursor}", headers=customer
    ).json_body
    assert [r["date"] for r in rest["items"]] == ["2026-05-31"]
    assert (rest["items"][0]["consumption"], rest["items"][0]["days"]) == ("100.000", 515)
    assert rest["next_cursor"] is None
    whole = client.http.get("/meters/W1/readings", headers=customer).json_body
    assert whole["items"] == first["items"] + rest["items"] and whole["next_cursor"] is None
    for bad in ("limit=0", "limit=101", "cursor=junk", "limit=x"):
        answer = client.http.get(f"/meters/W1/readings?{bad}", headers=customer)
        assert answer.status_code == 400, bad
        assert answer.json_body["error"]["fields"], bad


def test_history_pages_of_a_long_history_cover_every_reading_once(client, customer):
    days = [date(2026, 1, 1) + timedelta(days=d) for d in range(45)]
    import_lines(
        [reading("N2", d.isoformat(), str(i), source="billing") for i, d in enumerate(days)]
        + [meter("N2", installed_on="2025-12-01")],
        key="imports/long.jsonl",
    )
    seen, cursor, pages = [], "", 0
    while True:
        query = f"?limit=20&cursor={cursor}" if cursor else ""
        page = client.http.get(f"/meters/N2/readings{query}", headers=customer).json_body
        seen += [r["date"] for r in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == 3
    assert seen == sorted((d.isoformat() for d in days), reverse=True)
    default = client.http.get("/meters/N2/readings", headers=customer).json_body
    assert len(default["items"]) == 20  # the default limit, as every list


def test_a_reading_is_accepted_with_a_comma(client, customer):
    answer = submit(client, customer, value="151,5")
    assert answer.status_code == 201, answer.body
    assert answer.json_body["reading"] == {
        "date": "2026-11-20",
        "value": "151.500",
        "source": "customer",
        "consumption": "1.500",
        "days": 20,
        "daily_average": "0.075",
        "confirmed_unusual": False,
    }
    assert answer.json_body["replaced"] is False
    history = client.http.get("/meters/W1/readings", headers=customer).json_body["items"]
    assert history[0]["source"] == "customer"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": "149,999"}, "value"),  # below the previous reading
        ({"value": "151", "date": "2026-11-21"}, "date"),  # tomorrow
        ({"value": "151", "date": "2026-10-30"}, "date"),  # before the last reading
        ({"value": "151,1234"}, "value"),  # four decimals
        ({"value": 151}, "value"),  # a number, not text
        ({"value": "-1"}, "value"),
        (
            {"value": "151", "photo": {"content_type": "image/gif", "size": 10}},
            "photo.content_type",
        ),
        ({"value": "151", "photo": {"content_type": "image/png", "size": 10485761}}, "photo.size"),
        ({"value": "151", "photo": {"content_type": "image/heic", "size": 0}}, "photo.size"),
        (
            {"value": "151", "photo": {"content_type": "image/webp", "size": 10}},
            "photo.content_type",
        ),
        (
            {"value": "151", "photo": {"content_type": "application/pdf", "size": 10}},
            "photo.content_type",
        ),
    ],
)
def test_bad_readings_are_400_with_the_field(client, customer, body, field):
    answer = submit(client, customer, **body)
    assert answer.status_code == 400, answer.body
    assert field in answer.json_body["error"]["fields"]


def test_unusual_use_needs_confirmation(client, customer):
    answer = submit(client, customer, value="200")  # 50 m³ in 20 days: 2.5 m³ a day
    assert answer.status_code == 409
    assert answer.json_body["error"]["code"] == "reading_unusual"
    assert "Zużycie 2,500\u00a0m³ na dobę" in answer.json_body["error"]["message"]
    confirmed = submit(client, customer, value="200", confirm=True)
    assert confirmed.status_code == 201
    assert confirmed.json_body["reading"]["confirmed_unusual"] is True


@pytest.fixture
def unusual_multiple(monkeypatch):
    """Set READING_UNUSUAL_MULTIPLE for one test."""

    def set_multiple(value: int) -> None:
        monkeypatch.setenv("READING_UNUSUAL_MULTIPLE", str(value))
        get_settings.cache_clear()

    yield set_multiple
    monkeypatch.delenv("READING_UNUSUAL_MULTIPLE", raising=False)
    get_settings.cache_clear()


def test_the_plausibility_multiple_is_configurable(client, customer, unusual_multiple):
    # 2.5 m³ a day against the meter's 50 m³ in 153 days (0.327 a day): 7.65 times as much.
    unusual_multiple(7)
    refused = submit(client, customer, value="200")
    assert refused.status_code == 409
    assert refused.json_body["error"]["code"] == "reading_unusual"
    unusual_multiple(8)
    accepted = submit(client, customer, value="200")
    assert accepted.status_code == 201, accepted.body
    assert accepted.json_body["reading"]["confirmed_unusual"] is False


def test_absolute_cap_applies_without_history(client, customer):
    # N1 was installed on 11-01 at 0: 120 m³ in 19 days is over 5 m³ a day.
    answer = submit(client, customer, serial="N1", value="120")
    assert answer.status_code == 409
    assert answer.json_body["error"]["code"] == "reading_unusual"
    assert submit(client, customer, serial="N1", value="3,2").status_code == 201


def test_second_reading_of_the_day_replaces_the_first_until_exported(client, customer):
    assert submit(client, customer, value="152").status_code == 201
    again = submit(client, customer, value="151,2")  # a typo corrected downwards
    assert again.status_code == 201, again.body
    assert again.json_body["replaced"] is True
    todays = [
        r
        for r in client.http.get("/meters/W1/readings", headers=customer).json_body["items"]
        if r["date"] == "2026-11-20"
    ]
    assert [(r["value"], r["source"]) for r in todays] == [("151.200", "customer")]

    item = ReadingRecord.get(
        BillingItem.partition(CUSTOMER), ReadingRecord.sort_key("W1", "2026-11-20", "customer")
    )
    exported = clock.now().isoformat()  # what the export writes (storage parses it)
    item.update(
        actions=[ReadingRecord.export_state.remove(), ReadingRecord.exported_at.set(exported)]
    )
    late = submit(client, customer, value="151,3")
    assert late.status_code == 409
    assert late.json_body["error"]["code"] == "reading_exported"


def test_inactive_meter_refuses_readings(client, customer):
    for serial in ("G1", "W0"):
        answer = submit(client, customer, serial=serial, value="999")
        assert answer.status_code == 409
        assert answer.json_body["error"]["code"] == "meter_inactive"


def test_window_says_when_it_opens(client, customer, monkeypatch):
    monkeypatch.setenv("READING_WINDOW", "20-31")
    get_settings.cache_clear()
    try:
        assert submit(client, customer, value="151").status_code == 201  # the 20th: open
        clock.travel_to(datetime(2026, 12, 5, 10, tzinfo=UTC))
        closed = submit(client, bearer(client, CUSTOMER), value="152")
        assert closed.status_code == 409
        assert closed.json_body["error"]["code"] == "reading_window_closed"
        assert "20.12.2026" in closed.json_body["error"]["message"]
    finally:
        monkeypatch.delenv("READING_WINDOW")
        get_settings.cache_clear()


def test_two_concurrent_submissions_exactly_one_wins(customer, serial_moto, monkeypatch):
    barrier = threading.Barrier(2, timeout=10)
    original = reading_store.save_customer_reading

    def save_together(*args, **kwargs):
        barrier.wait()  # both have read the same state before either writes
        return original(*args, **kwargs)

    monkeypatch.setattr(reading_store, "save_customer_reading", save_together)
    outcomes: dict[str, object] = {}

    def run(value: str) -> None:
        try:
            body = ReadingSubmission(value=value)
            outcomes[value] = meter_service.submit_reading(CUSTOMER, "W1", body, CUSTOMER)
        except DomainError as exc:
            outcomes[value] = exc

    threads = [threading.Thread(target=run, args=(v,)) for v in ("151", "160")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [o for o in outcomes.values() if isinstance(o, DomainError)]
    winners = [v for v, o in outcomes.items() if not isinstance(o, DomainError)]
    assert len(winners) == 1 and len(errors) == 1
    assert errors[0].status == 409 and errors[0].code == "concurrent_change"
    stored = ReadingRecord.get(
        BillingItem.partition(CUSTOMER), ReadingRecord.sort_key("W1", "2026-11-20", "customer")
    )
    assert parse(stored).value == int(winners[0]) * 1000


@pytest.mark.parametrize(
    ("content_type", "size", "extension"),
    [
        ("image/jpeg", 2_000_000, "jpg"),
        ("image/png", 1, "png"),
        ("image/heic", 3_500_000, "heic"),
        ("image/jpeg", 10_485_760, "jpg"),  # exactly 10 MB: the limit itself
    ],
)
def test_photo_upload_is_a_presigned_post_limited_in_type_and_size(
    client, customer, content_type, size, extension
):
    answer = submit(
        client, customer, value="151", photo={"content_type": content_type, "size": size}
    )
    assert answer.status_code == 201, answer.body
    upload = answer.json_body["photo_upload"]
    fields = upload["fields"]
    assert fields["key"].startswith(f"reading-photos/{CUSTOMER}/W1/2026-11-20-")
    assert fields["key"].endswith(f".{extension}")
    assert fields["Content-Type"] == content_type
    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, size] in conditions
    assert {"Content-Type": content_type} in conditions
    stored = ReadingRecord.get(
        BillingItem.partition(CUSTOMER), ReadingRecord.sort_key("W1", "2026-11-20", "customer")
    )
    assert parse(stored).photo_key == fields["key"]


def test_another_customers_meter_is_404(client, customer):
    assert client.http.get("/meters/X9/readings", headers=customer).status_code == 404
    assert submit(client, customer, serial="X9", value="1").status_code == 404
    assert client.http.get("/meters/..%2F/readings", headers=customer).status_code == 404


def stored_customer_reading(day: str = "2026-11-20") -> ReadingRecord | None:
    try:
        return ReadingRecord.get(
            BillingItem.partition(CUSTOMER), ReadingRecord.sort_key("W1", day, "customer")
        )
    except ReadingRecord.DoesNotExist:
        return None


@pytest.mark.parametrize(
    ("billing", "body", "after"),
    [
        (("2026-11-15", "160"), {"value": "155"}, "161"),  # a higher billing reading
        (("2026-11-15", "150,5"), {"value": "151", "date": "2026-11-10"}, "151"),  # a later one
    ],
)
def test_a_billing_reading_imported_between_read_and_write_is_never_undercut(
    client, customer, monkeypatch, billing, body, after
):
    original = reading_store.save_customer_reading

    def import_then_save(*args, **kwargs):
        # The customer's history has been read (last: 150 on 10-31); billing lands now.
        day, value = billing
        report = import_lines([reading("W1", day, value)], key="imports/meanwhile.jsonl")
        assert report.created == 1
        return original(*args, **kwargs)

    monkeypatch.setattr(reading_store, "save_customer_reading", import_then_save)
    answer = submit(client, customer, **body)
    assert answer.status_code == 409, answer.body
    assert answer.json_body["error"]["code"] == "concurrent_change"
    assert stored_customer_reading(body.get("date", "2026-11-20")) is None
    monkeypatch.setattr(reading_store, "save_customer_reading", original)
    # Sent again, the same reading meets the imported one in the history: a 400 on it.
    again = submit(client, customer, **body)
    assert again.status_code == 400
    assert set(again.json_body["error"]["fields"]) == {"date" if "date" in body else "value"}
    assert submit(client, customer, value=after).status_code == 201


def latest_imported() -> tuple[str, str, int] | None:
    try:
        mark = LatestImportedReading.get(
            BillingItem.partition(CUSTOMER), LatestImportedReading.sort_key("W1")
        )
    except LatestImportedReading.DoesNotExist:
        return None
    return mark.latest_on, mark.latest_source, int(mark.latest_litres)


def test_the_latest_imported_reading_moves_only_when_readings_change(client, customer):
    assert latest_imported() == ("2026-10-31", "collector", 150_000)
    lines = [
        reading("W1", "2026-05-31", "100"),
        reading("W1", "2026-10-31", "150", "100200", "collector"),
    ]
    with count_dynamodb_calls() as calls:
        report = import_lines(lines, key="imports/again.jsonl")
    assert report.unchanged == 2
    assert "BatchWriteItem" not in calls and calls.count("BatchGetItem") == 1, calls
    # An older reading changes nothing; a same-day estimate comes after the collector's.
    import_lines([reading("W1", "2026-09-30", "140")], key="imports/older.jsonl")
    assert latest_imported() == ("2026-10-31", "collector", 150_000)
    import_lines([reading("W1", "2026-10-31", "151", source="estimate")], key="imports/est.jsonl")
    assert latest_imported() == ("2026-10-31", "estimate", 151_000)


def test_a_corrected_latest_reading_lowers_the_guard(client, customer):
    import_lines([reading("W1", "2026-11-15", "190")], key="imports/wrong.jsonl")
    import_lines([reading("W1", "2026-11-15", "152")], key="imports/corrected.jsonl")
    assert latest_imported() == ("2026-11-15", "billing", 152_000)
    answer = submit(client, customer, value="153")  # below the wrong 190, above the fix
    assert answer.status_code == 201, answer.body


def test_the_mark_and_the_stored_hashes_are_read_strongly_consistent(client, customer):
    # A mark a correction has just lowered must not come back high from a stale replica.
    requests = []

    def record(params, **_):
        requests.append(params)

    event = "provide-client-params.dynamodb.BatchGetItem"
    ddb = BillingItem._get_connection().connection.client  # what the import reads through
    ddb.meta.events.register(event, record)
    try:
        import_lines([reading("W1", "2026-11-15", "152")], key="imports/fix.jsonl")
    finally:
        ddb.meta.events.unregister(event, record)
    tables = [table for params in requests for table in params["RequestItems"].values()]
    assert tables and all(table.get("ConsistentRead") for table in tables), requests
    assert len(requests) == 2  # the lines' hashes, then the mark the changed reading moves


def test_chunks_of_one_batch_sharing_a_meter_are_written_one_after_another(
    client, customer, serial_moto
):
    running, overlaps = [], []
    lock = threading.Lock()

    class SlowWriter(ImportWriter):
        def write_chunk(self, chunk):
            meters = {line.meter for _, _, line in chunk.values() if isinstance(line, ReadingLine)}
            with lock:
                overlaps.extend(meters & other for other in running if meters & other)
                running.append(meters)
            try:
                time.sleep(0.05)  # wide enough for a second chunk to start
                return super().write_chunk(chunk)
            finally:
                with lock:
                    running.remove(meters)

    lines = [meter(f"Z{n:03d}") for n in range(300)]  # three chunks
    lines[99] = reading("W1", "2026-11-15", "160")  # the end of the first chunk
    lines[100] = reading("W1", "2026-11-10", "155")  # the start of the second
    lines[200] = reading("N1", "2026-11-10", "5")  # the third may go beside either
    report = import_lines(lines, key="imports/shared.jsonl", writer=SlowWriter())
    assert report.created == 300
    assert overlaps == []
    assert latest_imported() == ("2026-11-15", "billing", 160_000)


def test_a_readings_only_chunk_is_100_lines_and_its_marks_go_before_its_readings(aws_env):
    serials = [f"R{n:03d}" for n in range(100)]
    import_lines(
        [meter(s) for s in serials] + [reading(s, "2026-09-30", "10") for s in serials],
        key="imports/meters.jsonl",
    )
    reads, writes = [], []

    def on_read(params, **_):
        (keys,) = [table["Keys"] for table in params["RequestItems"].values()]
        reads.append({key["sk"]["S"].rsplit("#", 3)[-1] == "I" for key in keys} | {len(keys)})

    def on_write(params, **_):
        (requests,) = params["RequestItems"].values()
        kinds = {r["PutRequest"]["Item"]["cls"]["S"] for r in requests}
        with lock:
            writes.append(("start", kinds))

    def on_written(**_):
        with lock:
            writes.append(("end", None))

    lock = threading.Lock()
    ddb = BillingItem._get_connection().connection.client
    handlers = [
        ("provide-client-params.dynamodb.BatchGetItem", on_read),
        ("provide-client-params.dynamodb.BatchWriteItem", on_write),
        ("after-call.dynamodb.BatchWriteItem", on_written),
    ]
    for event, handler in handlers:
        ddb.meta.events.register(event, handler)
    try:
        october = [reading(s, "2026-10-31", "11") for s in serials]
        report = import_lines(october, key="imports/october.jsonl")
        again = import_lines(october, key="imports/october-again.jsonl")
    finally:
        for event, handler in handlers:
            ddb.meta.events.unregister(event, handler)
    assert (report.created, again.unchanged) == (100, 100)
    # One request reads the 100 lines' hashes, one the 100 marks; unchanged: the hashes only.
    assert reads == [{False, 100}, {True, 100}, {False, 100}], reads
    starts = [kinds for event, kinds in writes if event == "start"]
    assert starts == [{"meter_imported"}] * 4 + [{"reading"}] * 4, starts
    first_reading = writes.index(("start", {"reading"}))
    assert writes[:first_reading].count(("end", None)) == 4  # every mark written before
    mark = LatestImportedReading.get(
        BillingItem.partition(CUSTOMER), LatestImportedReading.sort_key("R042")
    )
    assert (mark.latest_on, int(mark.latest_litres)) == ("2026-10-31", 11_000)
