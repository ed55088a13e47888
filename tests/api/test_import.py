"""The billing import: idempotent upserts by natural key, per-line errors with line numbers,
the report next to the batch, the S3 event path, and a 10,000-line batch."""

from __future__ import annotations

import json

import pytest

from chalicelib import aws, safe_json
from chalicelib.imports.handler import import_batch_event
from chalicelib.imports.parsing import MAX_LINE_DEPTH
from chalicelib.imports.service import run_import
from chalicelib.models.billing import BillingItem, CustomerRecord, ImportMarker, InvoiceRecord
from chalicelib.settings import get_settings
from chalicelib.storage.imports import ImportWriter, send_batch
from chalicelib.storage.records import parse
from tests.factories import customer_line, import_lines, invoice_line
from tests.roundtrips import count_dynamodb_calls


def table_dump() -> list[dict]:
    """Every data item of the billing table (a Scan is fine in a test); the import's own
    bookkeeping (`IMPORT#` markers) left out."""
    ddb = aws.client("dynamodb")
    items, start = [], None
    while True:
        page = ddb.scan(
            TableName=get_settings().billing_table,
            **({"ExclusiveStartKey": start} if start else {}),
        )
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            data = [i for i in items if not i["pk"]["S"].startswith("IMPORT#")]
            return sorted(data, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


BATCH = [
    customer_line("100200"),
    customer_line("100201", kind="business"),
    invoice_line("FV/1", "100200", "123,45"),
    invoice_line("FV/2", "100201", "10.80"),
]


def test_lines_become_items_with_money_in_grosze(aws_env):
    report = import_lines(BATCH)
    assert (report.lines, report.valid, report.created, report.invalid) == (4, 4, 4, 0)
    assert report.by_type == {"customer": 2, "invoice": 2}
    customer = parse(CustomerRecord.get(BillingItem.partition("100201"), CustomerRecord.SORT_KEY))
    assert (customer.name, customer.kind) == ("Klient 100201", "business")
    assert customer.service_address.city == "Ruda Śląska"
    invoice = parse(
        InvoiceRecord.get(BillingItem.partition("100200"), InvoiceRecord.sort_key("FV/1"))
    )
    assert (invoice.gross, invoice.net + invoice.vat) == (12345, 12345)
    assert isinstance(invoice.gross, int)


def test_the_same_batch_twice_changes_nothing_and_sends_nothing(aws_env, outbox):
    import_lines(BATCH, key="imports/a.jsonl")
    before = table_dump()
    again = import_lines(BATCH, key="imports/a.jsonl")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert table_dump() == before
    assert outbox.messages() == []


def test_a_redelivered_event_is_answered_without_rereading_and_a_copy_is_checked_per_line(
    aws_env,
):
    first = import_lines(BATCH, key="imports/a.jsonl")
    assert first.already_imported_at is None
    before = table_dump()
    bucket = get_settings().data_bucket
    with count_dynamodb_calls() as calls:
        redelivered = run_import(bucket, "imports/a.jsonl")  # the same object version again
    assert redelivered.already_imported_at == first.finished_at
    assert (redelivered.lines, redelivered.unchanged, redelivered.created) == (4, 4, 0)
    assert calls == ["GetItem"]  # the marker only: no line read again
    # A deliberate re-upload of the same bytes keeps the ETag but is a new version.
    reuploaded = import_lines(BATCH, key="imports/a.jsonl")
    assert reuploaded.already_imported_at is None
    assert (reuploaded.lines, reuploaded.unchanged, reuploaded.created) == (4, 4, 0)
    report = json.loads(
        aws.client("s3").get_object(Bucket=bucket, Key="imports/a.jsonl.report.json")["Body"].read()
    )
    assert report["started_at"] == reuploaded.started_at  # a new report
    copy = import_lines(BATCH, key="imports/copy.jsonl")  # same lines, another object
    assert copy.already_imported_at is None
    assert (copy.unchanged, copy.created, copy.updated) == (4, 0, 0)
    assert table_dump() == before


def test_without_version_ids_the_etag_tells_a_redelivery(aws_env):
    s3 = aws.client("s3")
    bucket = "ibok-test-unversioned"
    s3.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": get_settings().region}
    )
    body = "\n".join(json.dumps(line) for line in BATCH).encode()
    s3.put_object(Bucket=bucket, Key="imports/a.jsonl", Body=body)
    assert "VersionId" not in s3.get_object(Bucket=bucket, Key="imports/a.jsonl")
    first = run_import(bucket, "imports/a.jsonl")
    again = run_import(bucket, "imports/a.jsonl")
    assert (first.already_imported_at, again.already_imported_at) == (None, first.finished_at)


@pytest.mark.parametrize(
    ("version_id", "sort_key"),
    [("3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", "VERSION#3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY")]
    + [(missing, "ETAG#abc") for missing in (None, "", "null")],  # "null": before versioning
)
def test_the_marker_is_keyed_on_the_version_id_else_the_etag(version_id, sort_key):
    assert ImportMarker.key("imports/a.jsonl", version_id, "abc") == (
        "IMPORT#imports/a.jsonl",
        sort_key,
    )


def test_a_changed_line_is_an_update_and_only_that_item_changes(aws_env):
    import_lines(BATCH)
    before = {(i["pk"]["S"], i["sk"]["S"]): i for i in table_dump()}
    changed = [*BATCH[:3], invoice_line("FV/2", "100201", "21.60")]
    report = import_lines(changed, key="imports/b.jsonl")
    assert (report.updated, report.unchanged, report.created) == (1, 3, 0)
    after = {(i["pk"]["S"], i["sk"]["S"]): i for i in table_dump()}
    differing = [key for key in after if after[key] != before.get(key)]
    assert differing == [("CUSTOMER#100201", InvoiceRecord.sort_key("FV/2"))]


def test_key_order_and_spacing_do_not_make_a_line_changed(aws_env):
    import_lines(BATCH)
    reordered = [json.dumps(dict(reversed(list(line.items()))), indent=None) for line in BATCH]
    report = import_lines(reordered, key="imports/c.jsonl")
    assert report.unchanged == 4


def test_the_last_of_two_lines_with_one_key_wins(aws_env):
    report = import_lines(
        [invoice_line("FV/9", "100200", "1.08"), invoice_line("FV/9", "100200", "2.16")]
    )
    assert report.valid == 2
    stored = InvoiceRecord.get(BillingItem.partition("100200"), InvoiceRecord.sort_key("FV/9"))
    assert parse(stored).gross == 216


def test_bad_lines_are_reported_by_number_and_never_stop_the_batch(aws_env):
    lines = [
        customer_line("100200"),  # 1
        "{not json",  # 2
        "",  # 3: blank lines are skipped
        json.dumps({"type": "receipt"}),  # 4
        json.dumps({k: v for k, v in invoice_line("FV/3", "100200").items() if k != "due_date"}),
        json.dumps(invoice_line("FV/4", "100200", "100.00", net="90.00", vat="9.00")),  # 6
        json.dumps(
            customer_line(
                "100201", service_address={"street": "x", "postal_code": "4170", "city": "y"}
            )
        ),  # 7
        json.dumps(["a", "list"]),  # 8
        json.dumps({**invoice_line("FV/5", "100200", "1.08"), "gross": "12,x"}),  # 9
        invoice_line("FV/6", "100200", "1.08"),  # 10
    ]
    report = import_lines(lines)
    assert (report.lines, report.valid, report.invalid) == (10, 2, 7)
    errors = {e["line"]: e for e in report.errors}
    assert sorted(errors) == [2, 4, 5, 6, 7, 8, 9]
    assert errors[2]["field"] == "_" and "JSON" in errors[2]["message"]
    assert errors[4]["field"] == "type"
    assert errors[5]["field"] == "due_date"
    assert "brutto" in errors[6]["message"]
    assert errors[7]["field"] == "service_address.postal_code"
    assert errors[9]["field"] in ("gross", "net", "vat")
    assert InvoiceRecord.count(BillingItem.partition("100200")) == 1


@pytest.mark.parametrize(
    "deep",
    [
        "[" * 100_000 + "]" * 100_000,  # also over the line limit
        "[" * 20_000 + "]" * 20_000,  # within the line limit: json.loads would recurse
        '{"type": "customer", "name": ' + "{" * 20_000 + "}" * 20_000 + "}",
        "[" * 20_000,  # unclosed
    ],
    ids=["100000-deep", "20000-deep", "deep-field", "unclosed"],
)
def test_a_deeply_nested_line_is_one_rejected_line(aws_env, deep):
    report = import_lines(
        [invoice_line("FV/1", "100200", "1.08"), deep, invoice_line("FV/2", "100200", "2.16")]
    )
    assert (report.lines, report.valid, report.invalid, report.failed) == (3, 2, 1, None)
    assert len(report.errors) == 1 and report.errors[0]["line"] == 2
    assert report.errors[0]["field"] == "_"
    message = report.errors[0]["message"]
    assert message[0].isupper() and message.endswith(".")
    assert "zagnieżdż" in message or "za długa" in message
    assert InvoiceRecord.count(BillingItem.partition("100200")) == 2


def test_nesting_up_to_the_limit_is_parsed_and_strings_do_not_count():
    deep = "[" * MAX_LINE_DEPTH + "]" * MAX_LINE_DEPTH
    assert safe_json.loads(deep, max_depth=MAX_LINE_DEPTH) is not None
    with pytest.raises(safe_json.TooDeep):
        safe_json.loads("[" + deep + "]", max_depth=MAX_LINE_DEPTH)
    # Brackets inside strings (escaped quotes included) are text.
    text = json.dumps({"a": "[[[[" * 100 + '\\"{{{{' * 100})
    assert not safe_json.depth_exceeds(text, 1)
    assert safe_json.depth_exceeds("[" + text + "]", 1)
    assert safe_json.loads(text) == json.loads(text)
    with pytest.raises(json.JSONDecodeError):
        safe_json.loads('"unclosed \\" [[[')


def test_the_depth_scan_is_linear_on_hostile_strings():
    for hostile in ['"' + 'a\\"' * 30_000, '\\"' * 60_000, '"' * 60_000, '["' * 30_000]:
        safe_json.depth_exceeds(hostile, 32)  # finishes; quadratic scans took minutes


def test_the_report_lands_next_to_the_batch(aws_env):
    import_lines([*BATCH, "oops"], key="imports/2026/11/batch-7.jsonl")
    body = (
        aws.client("s3")
        .get_object(
            Bucket=get_settings().data_bucket, Key="imports/2026/11/batch-7.jsonl.report.json"
        )["Body"]
        .read()
    )
    report = json.loads(body)
    assert report["batch"] == "imports/2026/11/batch-7.jsonl"
    assert (report["lines"], report["created"], report["invalid"]) == (5, 4, 1)
    assert report["errors"][0]["line"] == 5
    assert report["started_at"] <= report["finished_at"]


def test_the_s3_event_runs_the_import(app, bucket_events, drain_queues):
    # The upload's event reaches the import queue (EventBridge), whose consumer imports it.
    bucket = get_settings().data_bucket
    body = "\n".join(json.dumps(line) for line in BATCH).encode()
    aws.client("s3").put_object(Bucket=bucket, Key="imports/event.jsonl", Body=body)
    assert drain_queues() == 1
    assert CustomerRecord.count(BillingItem.partition("100201")) == 1
    assert aws.client("s3").head_object(Bucket=bucket, Key="imports/event.jsonl.report.json")


@pytest.mark.parametrize(
    "key", ["imports/readme.txt", "exports/x.jsonl", "imports/x.jsonl.report.json"]
)
def test_other_objects_are_ignored(aws_env, key):
    calls = []
    import_batch_event("bucket", key, run=lambda *args, **_kwargs: calls.append(args))
    assert calls == []


def test_a_10000_line_batch_imports(aws_env, serial_moto):
    lines: list = []
    for n in range(1000):
        number = str(200000 + n)
        lines.append(customer_line(number))
        lines += [invoice_line(f"FV/{n}/{m}", number, "10.80") for m in range(9)]
    report = import_lines(lines, key="imports/big.jsonl")
    assert (report.lines, report.valid, report.created, report.invalid) == (
        10_000,
        10_000,
        10_000,
        0,
    )
    for n in (0, 517, 999):
        assert InvoiceRecord.count(BillingItem.partition(str(200000 + n))) == 9


def test_the_documented_example_batch_imports_cleanly(aws_env):
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "import-format.md").read_text("utf-8")
    example = doc.split("```jsonl\n", 1)[1].split("```", 1)[0].strip().splitlines()
    report = import_lines(example, key="imports/example.jsonl")
    assert report.invalid == 0, report.errors
    assert report.valid == len(example) == 10


def test_a_100_line_import_writes_in_batches(aws_env):
    lines: list = [customer_line("300000")]
    lines += [invoice_line(f"FV/B/{n}", "300000", "10.80") for n in range(99)]
    with count_dynamodb_calls() as calls:
        report = import_lines(lines, key="imports/batched.jsonl")
    assert (report.lines, report.created, report.invalid) == (100, 100, 0)
    assert InvoiceRecord.count(BillingItem.partition("300000")) == 99
    writes = [c for c in calls if c in ("PutItem", "UpdateItem", "BatchWriteItem")]
    assert "BatchWriteItem" in writes
    assert calls.count("BatchWriteItem") <= 10  # 25 items a request: 4 for 100 lines
    assert calls.count("PutItem") <= 1  # only the batch's own marker, never one per line
    assert calls.count("UpdateItem") == 0
    assert len(writes) <= 10, calls


def test_a_batch_that_cannot_be_written_reports_the_failure_and_is_retried_whole(aws_env):
    from pynamodb.exceptions import PutError

    calls = []

    def refused(items):
        calls.append(len(items))
        raise PutError("Failed to batch write items: max_retry_attempts exceeded")

    bucket = get_settings().data_bucket
    with pytest.raises(PutError):
        import_lines(
            BATCH, key="imports/refused.jsonl", writer=ImportWriter(backoff=0, send=refused)
        )
    report = json.loads(
        aws.client("s3")
        .get_object(Bucket=bucket, Key="imports/refused.jsonl.report.json")["Body"]
        .read()
    )
    assert report["failed"] == "PutError"
    assert report["finished_at"]
    retried = run_import(bucket, "imports/refused.jsonl")  # the event's retry: no marker
    assert retried.already_imported_at is None and retried.failed is None
    assert retried.created == len(BATCH)
    assert ImportMarker.count(hash_key="IMPORT#imports/refused.jsonl") == 1


def test_a_refused_batch_write_is_retried_with_backoff(aws_env):
    from pynamodb.exceptions import PutError

    naps = []
    refusals = []

    def flaky(items):
        if len(refusals) < 2:
            refusals.append(1)
            raise PutError("Failed to batch write items: max_retry_attempts exceeded")
        send_batch(items)

    writer = ImportWriter(backoff=0.001, sleep=naps.append, send=flaky)
    report = import_lines(BATCH, writer=writer)
    assert report.created == len(BATCH) and report.failed is None
    assert len(naps) == 2 and naps[1] > naps[0] > 0  # waits grow
    customer = CustomerRecord.get(BillingItem.partition("100200"), CustomerRecord.SORT_KEY)
    assert parse(customer).name == "Klient 100200"
