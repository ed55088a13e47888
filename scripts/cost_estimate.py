"""Monthly AWS charges of one IBOK deployment in eu-central-1 for 10,000 and 100,000 customers.

    python -m scripts.cost_estimate                  # print the table
    python -m scripts.cost_estimate --write          # replace it in docs/deploy.md
    python -m scripts.cost_estimate --from-bench F   # refresh cost_measured.json from `make bench`

Three inputs, each stated where it is kept:
- what the code does per request (DynamoDB calls, p50 durations): `cost_measured.json`, taken
  from the benchmarks' printout and, for requests no benchmark prints, checked by
  tests/api/test_cost_inputs.py;
- public list prices (USD, eu-central-1, no free tier, no discounts): `PRICES`;
- how customers use the portal: `USAGE`.
Money is Decimal throughout.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Annotated, Any, get_type_hints

ROOT = Path(__file__).resolve().parents[1]
MEASURED = Path(__file__).with_name("cost_measured.json")
CHALICE_CONFIG = ROOT / ".chalice" / "config.json"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
START, END = "<!-- cost-table:start -->", "<!-- cost-table:end -->"
SIZES = (10_000, 100_000)
GOAL_PLN = Decimal("0.01")  # AWS charges per customer per month at 100,000 customers
MILLION = Decimal(1_000_000)
GB = Decimal(1024**3)
KB = Decimal(1024)


@dataclass(frozen=True)
class Prices:
    """List prices in USD for eu-central-1 (Frankfurt) as read from the AWS pricing pages
    (2025); first tiers only, no free tier, no savings plans. Check before relying on them."""

    usd_pln: Annotated[Decimal, "zł per USD (rounded up; NBP mid rate 2025: 3.6-4.0)"] = Decimal(
        "4.00"
    )
    lambda_requests: Annotated[Decimal, "Lambda, per million requests"] = Decimal("0.20")
    lambda_gb_second: Annotated[Decimal, "Lambda x86_64, per GB-second"] = Decimal("0.0000166667")
    apigw_rest: Annotated[Decimal, "API Gateway REST API, per million (first 333 M)"] = Decimal(
        "3.70"
    )
    dynamodb_wru: Annotated[Decimal, "DynamoDB on-demand, per million WRU"] = Decimal("0.7625")
    dynamodb_rru: Annotated[Decimal, "DynamoDB on-demand, per million RRU"] = Decimal("0.1525")
    dynamodb_storage: Annotated[Decimal, "DynamoDB Standard, per GB-month"] = Decimal("0.306")
    dynamodb_pitr: Annotated[Decimal, "DynamoDB PITR, per GB-month"] = Decimal("0.2448")
    s3_storage: Annotated[Decimal, "S3 Standard, per GB-month"] = Decimal("0.0245")
    s3_put: Annotated[Decimal, "S3 PUT, per 1,000"] = Decimal("0.0054")
    s3_get: Annotated[Decimal, "S3 GET, per 1,000"] = Decimal("0.00043")
    s3_transfer_out: Annotated[Decimal, "S3 to the internet, per GB (PDF downloads)"] = Decimal(
        "0.09"
    )
    ses: Annotated[Decimal, "SES, per 1,000 e-mails"] = Decimal("0.10")
    sqs: Annotated[Decimal, "SQS standard, per million requests"] = Decimal("0.40")
    logs_ingest: Annotated[Decimal, "CloudWatch Logs ingestion, per GB"] = Decimal("0.63")
    logs_storage: Annotated[Decimal, "CloudWatch Logs storage, per GB-month"] = Decimal("0.0324")
    alarm: Annotated[Decimal, "CloudWatch standard alarm, per month"] = Decimal("0.10")
    custom_metric: Annotated[Decimal, "CloudWatch custom metric, per month"] = Decimal("0.30")
    dashboard: Annotated[Decimal, "CloudWatch dashboard, per month"] = Decimal("3.00")
    xray: Annotated[Decimal, "X-Ray, per million traces recorded"] = Decimal("5.00")
    waf_acl: Annotated[Decimal, "WAF web ACL, per month"] = Decimal("5.00")
    waf_rule: Annotated[Decimal, "WAF rule or managed rule group, per month"] = Decimal("1.00")
    waf_requests: Annotated[Decimal, "WAF, per million requests"] = Decimal("0.60")
    cloudfront_requests: Annotated[Decimal, "CloudFront HTTPS, Europe, per 10,000"] = Decimal(
        "0.012"
    )
    cloudfront_transfer: Annotated[Decimal, "CloudFront to the internet, Europe, per GB"] = Decimal(
        "0.085"
    )
    kms: Annotated[Decimal, "KMS, per 10,000 requests (aws/ssm key: no key fee)"] = Decimal("0.03")
    route53_zone: Annotated[Decimal, "Route 53 hosted zone, per month"] = Decimal("0.50")
    sms_poland: Annotated[Decimal, "SMS to a Polish number, per message part"] = Decimal("0.04")


@dataclass(frozen=True)
class Usage:
    """How one customer with a portal account uses IBOK in a month (assumptions), and the
    sizes and counts of the deployment."""

    logins: Annotated[Decimal, "logins per customer per month"] = Decimal("2")
    reads_per_login: Annotated[Decimal, "page views per login, each one API read"] = Decimal("6")
    logouts_per_login: Annotated[Decimal, "logouts per login (the rest expire)"] = Decimal("0.5")
    pdf_downloads: Annotated[Decimal, "PDF downloads per customer per month"] = Decimal("1")
    payments: Annotated[Decimal, "online payments (start, ITN, status read, receipt)"] = Decimal(
        "0.3"
    )
    readings: Annotated[Decimal, "meter readings submitted per customer per month"] = Decimal("0.3")
    resets: Annotated[Decimal, "password reset requests per customer per month"] = Decimal("0.02")
    invoice_emails: Annotated[Decimal, "new-invoice e-mails per customer per month"] = Decimal("1")
    other_emails: Annotated[Decimal, "other e-mails (activation, changes, notices)"] = Decimal(
        "0.05"
    )
    sms: Annotated[Decimal, "SMS per customer per month (pass-through line only)"] = Decimal("1")
    invoices: Annotated[Decimal, "invoice PDFs per customer per month"] = Decimal("1")
    pdf_kb: Annotated[Decimal, "KB per invoice PDF"] = Decimal("60")
    pdf_retention_months: Annotated[Decimal, "months PDFs are kept (steady state)"] = Decimal("60")
    import_lines: Annotated[Decimal, "import lines per customer per month"] = Decimal("4")
    import_line_bytes: Annotated[Decimal, "bytes per import line"] = Decimal("300")
    import_batches: Annotated[Decimal, "import batches per month (one a day)"] = Decimal("30")
    import_retention_months: Annotated[Decimal, "months batches and reports stay in S3"] = Decimal(
        "3"
    )
    dynamodb_kb: Annotated[Decimal, "KB in DynamoDB per customer (5 years, indexes)"] = Decimal(
        "100"
    )
    write_allowance: Annotated[Decimal, "WRU multiplier for GSI entries, items > 1 KB"] = Decimal(
        "1.5"
    )
    query_rru: Annotated[Decimal, "RRU per Query (up to 8 KB, strongly consistent)"] = Decimal("2")
    static_requests_per_login: Annotated[Decimal, "static files fetched per login"] = Decimal("12")
    static_kb_per_login: Annotated[Decimal, "KB of static files per login"] = Decimal("250")
    api_response_kb: Annotated[Decimal, "KB per API response"] = Decimal("4")
    log_bytes_per_request: Annotated[Decimal, "log bytes per request (Lambda + app + API)"] = (
        Decimal("1200")
    )
    log_retention_months: Annotated[Decimal, "months logs are kept (90 days)"] = Decimal("3")
    cold_start_share: Annotated[Decimal, "share of API requests that start a container"] = Decimal(
        "0.05"
    )
    busy_hours_a_day: Annotated[Decimal, "hours a day the traffic falls in (X-Ray)"] = Decimal("12")
    xray_rate: Annotated[Decimal, "X-Ray sampling beyond 1 request a second"] = Decimal("0.05")
    secrets_per_request: Annotated[Decimal, "SSM decrypts per login/payment/ITN (no cache)"] = (
        Decimal("2")
    )
    alarms: Annotated[int, "alarms: 5xx, errors + throttles of 4 functions, 3 DLQs, 2 more"] = 14
    custom_metrics: Annotated[int, "custom metrics: SecurityEvents x 7 kinds, rejected ITN"] = 8
    queues_with_pollers: Annotated[int, "queues Lambda long-polls (reset mail, import)"] = 2
    waf_rules: Annotated[int, "WAF rules: AWS managed common rules, rate rule on /auth/*"] = 2
    exports_a_month: Annotated[int, "readings export runs per month"] = 30


USAGE = Usage()
PRICES = Prices()

# A line is "variable" (grows with customers) or "fixed" (paid whatever the size), and
# optional when the deployment works without it (dashboard, X-Ray, custom domain).
VARIABLE, FIXED = "variable", "fixed"


@dataclass(frozen=True)
class Line:
    """One component's monthly charge."""

    component: str
    kind: str
    usd: Decimal
    basis: str
    optional: bool = False

    @property
    def label(self) -> str:
        """The kind as the table shows it."""
        return f"{self.kind}, optional" if self.optional else self.kind


@dataclass(frozen=True)
class Measured:
    """Per-request figures from cost_measured.json."""

    reads: dict[str, dict[str, Any]]
    requests: dict[str, dict[str, Any]]
    reset_mail_ms: Decimal
    import_seconds_per_100k: Decimal
    cold_start_ms: Decimal

    def read_ms(self) -> Decimal:
        """The mean p50 of the customer reads the benchmarks time."""
        timed = [Decimal(str(r["p50_ms"])) for r in self.reads.values() if "p50_ms" in r]
        return sum(timed, Decimal(0)) / len(timed)

    def ms(self, request: str) -> Decimal:
        """The request's p50, or a read's where no benchmark times it."""
        value = self.requests[request].get("p50_ms")
        return Decimal(str(value)) if value is not None else self.read_ms()


def load_measured(path: Path = MEASURED) -> Measured:
    """Read the measured figures."""
    data = json.loads(path.read_text("utf-8"))
    return Measured(
        reads=data["reads"],
        requests=data["requests"],
        reset_mail_ms=Decimal(str(data["reset_mail_p50_ms"])),
        import_seconds_per_100k=Decimal(str(data["import_100k_lines_seconds"])),
        cold_start_ms=Decimal(str(data["cold_start_ms"])),
    )


def memory_sizes(stage: str = "prod", path: Path = CHALICE_CONFIG) -> dict[str, int]:
    """Lambda memory (MB) per function of `stage`; "api_handler" is the stage default."""
    config = json.loads(path.read_text("utf-8"))
    stage_config = config["stages"][stage]
    default = int(stage_config.get("lambda_memory_size", config.get("lambda_memory_size", 128)))
    sizes = {"api_handler": default}
    for name, function in stage_config.get("lambda_functions", {}).items():
        sizes[name] = int(function.get("lambda_memory_size", default))
    return sizes


def capacity_units(calls: list[str], usage: Usage = USAGE) -> tuple[Decimal, Decimal]:
    """(read, write) request units of DynamoDB calls written `Op` or `Op:items`: a GetItem
    or batch item read strongly consistent up to 4 KB is 1 RRU, a Query `usage.query_rru`;
    a write up to 1 KB is 1 WRU, in a transaction 2; writes carry `usage.write_allowance`."""
    reads, writes = Decimal(0), Decimal(0)
    for call in calls:
        operation, _, count = call.partition(":")
        items = Decimal(count or 1)
        if operation in ("GetItem", "BatchGetItem"):
            reads += items
        elif operation == "Query":
            reads += usage.query_rru
        elif operation == "TransactGetItems":
            reads += 2 * items
        elif operation in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"):
            writes += items
        elif operation == "TransactWriteItems":
            writes += 2 * items
        else:
            raise ValueError(f"unknown DynamoDB operation {operation!r}")
    return reads, writes * usage.write_allowance


def lambda_seconds(measured_ms: Decimal, memory_mb: int) -> Decimal:
    """Billed seconds on Lambda for a p50 measured on one full core: Lambda gives a full vCPU
    at 1,769 MB and a share below, so the time is stretched by 1769/memory (all treated as
    CPU time: conservative)."""
    stretch = max(Decimal(1), Decimal(1769) / Decimal(memory_mb))
    return measured_ms * stretch / 1000


@dataclass(frozen=True)
class Traffic:
    """Monthly counts for `customers`, derived from the usage."""

    api: dict[str, Decimal]  # request name -> count

    @property
    def api_requests(self) -> Decimal:
        """Every request API Gateway receives."""
        return sum(self.api.values(), Decimal(0))


def traffic(customers: int, usage: Usage = USAGE) -> Traffic:
    """API requests per month by kind."""
    n = Decimal(customers)
    logins = n * usage.logins
    return Traffic(
        api={
            "POST /auth/login": logins,
            "read": logins * usage.reads_per_login + n * usage.payments,  # + payment status
            "POST /auth/logout": logins * usage.logouts_per_login,
            "GET /invoices/{id}/pdf": n * usage.pdf_downloads,
            "POST /payments": n * usage.payments,
            "POST /payments/notify/bluemedia": n * usage.payments,
            "POST /meters/{id}/readings": n * usage.readings,
            "POST /auth/password/forgot": n * usage.resets,
        }
    )


def estimate(
    customers: int,
    usage: Usage = USAGE,
    prices: Prices = PRICES,
    measured: Measured | None = None,
    memory: dict[str, int] | None = None,
) -> list[Line]:
    """Every component's monthly charge for `customers` portal customers."""
    measured = measured or load_measured()
    memory = memory or memory_sizes()
    n = Decimal(customers)
    t = traffic(customers, usage)
    requests = t.api_requests
    api_mb = memory["api_handler"]
    gb = Decimal(api_mb) / 1024

    # Lambda: API requests, the reset-mail consumer, imports (one per batch), exports.
    import_lines = n * usage.import_lines
    api_seconds = sum(
        (
            count
            * lambda_seconds(
                measured.read_ms() if name == "read" else measured.ms(name),
                api_mb,
            )
            for name, count in t.api.items()
        ),
        Decimal(0),
    )
    api_seconds += (
        requests * usage.cold_start_share * lambda_seconds(measured.cold_start_ms, api_mb)
    )
    resets = n * usage.resets
    reset_mb = memory.get("reset_mail", api_mb)
    import_mb = memory.get("billing_import", api_mb)
    gb_seconds = api_seconds * gb
    gb_seconds += (
        resets * lambda_seconds(measured.reset_mail_ms, reset_mb) * Decimal(reset_mb) / 1024
    )
    import_seconds = import_lines / 100_000 * measured.import_seconds_per_100k * 1000
    gb_seconds += lambda_seconds(import_seconds, import_mb) * Decimal(import_mb) / 1024
    invocations = requests + resets + usage.import_batches + usage.exports_a_month
    lambda_requests = invocations * prices.lambda_requests / MILLION
    lambda_compute = gb_seconds * prices.lambda_gb_second

    # DynamoDB request units: each request's measured calls, the import, the reset consumer.
    rru, wru = Decimal(0), Decimal(0)
    for name, count in t.api.items():
        if name == "read":
            per = [capacity_units(r["calls"], usage) for r in measured.reads.values()]
            reads = sum((p[0] for p in per), Decimal(0)) / len(per)
            writes = sum((p[1] for p in per), Decimal(0)) / len(per)
        else:
            reads, writes = capacity_units(measured.requests[name]["calls"], usage)
        rru += count * reads
        wru += count * writes
    # Import: the stored hash of every line read (batch, strongly consistent), changed lines
    # written in batches (every line counted as changed: conservative).
    rru += import_lines
    wru += import_lines * usage.write_allowance
    # Reset consumer (code reading, not measured): mark, account, throttle, token, mark.
    reset_reads, reset_writes = capacity_units(
        ["GetItem", "GetItem", "TransactWriteItems:1", "Query", "PutItem", "PutItem"], usage
    )
    rru += resets * reset_reads
    wru += resets * reset_writes
    dynamodb_requests = rru * prices.dynamodb_rru / MILLION + wru * prices.dynamodb_wru / MILLION
    dynamodb_gb = n * usage.dynamodb_kb * KB / GB
    dynamodb_storage = dynamodb_gb * (prices.dynamodb_storage + prices.dynamodb_pitr)

    # S3: invoice PDFs kept five years, import batches and reports kept three months.
    pdf_gb = n * usage.invoices * usage.pdf_retention_months * usage.pdf_kb * KB / GB
    batch_gb = import_lines * usage.import_line_bytes * usage.import_retention_months / GB
    s3_storage = (pdf_gb + batch_gb) * prices.s3_storage
    puts = n * usage.invoices + usage.import_batches * 2  # batch + report
    gets = n * usage.pdf_downloads + usage.import_batches
    downloaded_gb = n * usage.pdf_downloads * usage.pdf_kb * KB / GB
    s3_requests = (
        puts * prices.s3_put + gets * prices.s3_get
    ) / 1000 + downloaded_gb * prices.s3_transfer_out

    emails = n * (usage.invoice_emails + usage.other_emails + usage.payments + usage.resets)
    ses = emails * prices.ses / 1000

    # SQS: each reset request is sent, received, deleted; pollers long-poll each event-source
    # queue with 5 connections every 20 s whether or not anything comes.
    polls = Decimal(usage.queues_with_pollers * 5 * 3 * 60 * 24 * 30)
    sqs_work = resets * 3 * prices.sqs / MILLION
    sqs_idle = polls * prices.sqs / MILLION

    logged_gb = (requests + resets) * usage.log_bytes_per_request / GB
    logs = logged_gb * (prices.logs_ingest + usage.log_retention_months * prices.logs_storage)
    alarms = usage.alarms * prices.alarm + usage.custom_metrics * prices.custom_metric

    busy_seconds = Decimal(30 * 3600) * usage.busy_hours_a_day
    traced = min(requests, busy_seconds) + usage.xray_rate * max(
        Decimal(0), requests - busy_seconds
    )

    waf_fixed = prices.waf_acl + usage.waf_rules * prices.waf_rule
    waf_requests = requests * prices.waf_requests / MILLION

    static_requests = n * usage.logins * usage.static_requests_per_login
    edge_gb = (
        n * usage.logins * usage.static_kb_per_login * KB + requests * usage.api_response_kb * KB
    ) / GB
    cloudfront = (requests + static_requests) * prices.cloudfront_requests / 10_000
    cloudfront += edge_gb * prices.cloudfront_transfer

    secret_reads = usage.secrets_per_request * (
        t.api["POST /auth/login"]
        + t.api["POST /payments"]
        + t.api["POST /payments/notify/bluemedia"]
    )
    kms = secret_reads * prices.kms / 10_000

    return [
        Line("Lambda requests", VARIABLE, lambda_requests, f"{_count(invocations)} invocations"),
        Line(
            "Lambda duration",
            VARIABLE,
            lambda_compute,
            f"{_count(gb_seconds)} GB-s (API {api_mb} MB, import {import_mb} MB)",
        ),
        Line(
            "API Gateway (REST)", VARIABLE, requests * prices.apigw_rest / MILLION, _req(requests)
        ),
        Line(
            "DynamoDB requests",
            VARIABLE,
            dynamodb_requests,
            f"{_count(rru)} RRU, {_count(wru)} WRU",
        ),
        Line("DynamoDB storage + PITR", VARIABLE, dynamodb_storage, f"{_gb(dynamodb_gb)} GB"),
        Line("S3 storage", VARIABLE, s3_storage, f"{_gb(pdf_gb + batch_gb)} GB"),
        Line(
            "S3 requests + PDF downloads",
            VARIABLE,
            s3_requests,
            f"{_count(puts)} PUT, {_count(gets)} GET",
        ),
        Line("SES e-mail", VARIABLE, ses, f"{_count(emails)} e-mails"),
        Line("SQS messages", VARIABLE, sqs_work, f"{_count(resets * 3)} requests"),
        Line("SQS idle polling", FIXED, sqs_idle, f"{_count(polls)} receives"),
        Line("CloudWatch Logs (90 days)", VARIABLE, logs, f"{_gb(logged_gb)} GB ingested"),
        Line(
            "CloudWatch alarms + metrics",
            FIXED,
            alarms,
            f"{usage.alarms} alarms, {usage.custom_metrics} metrics",
        ),
        Line("CloudWatch dashboard", FIXED, prices.dashboard, "1 dashboard", optional=True),
        Line(
            "X-Ray traces",
            VARIABLE,
            traced * prices.xray / MILLION,
            f"{_count(traced)} traces",
            optional=True,
        ),
        Line("WAF web ACL + rules", FIXED, waf_fixed, f"1 ACL, {usage.waf_rules} rules"),
        Line("WAF requests", VARIABLE, waf_requests, _req(requests)),
        Line(
            "CloudFront",
            VARIABLE,
            cloudfront,
            f"{_count(requests + static_requests)} requests, {_gb(edge_gb)} GB",
        ),
        Line("KMS (SSM SecureString)", VARIABLE, kms, f"≤ {_count(secret_reads)} decrypts"),
        Line("Route 53 zone (custom domain)", FIXED, prices.route53_zone, "1 zone", optional=True),
    ]


def sms(customers: int, usage: Usage = USAGE, prices: Prices = PRICES) -> Decimal:
    """SMS to Polish numbers: a pass-through charge per message part, outside the goal."""
    return Decimal(customers) * usage.sms * prices.sms_poland


def _count(value: Decimal) -> str:
    return f"{int(value.to_integral_value(ROUND_HALF_UP)):,}"


def _req(value: Decimal) -> str:
    return f"{_count(value)} requests"


def _gb(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP)}"


def _usd(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


def _pln_per_customer(usd: Decimal, customers: int, prices: Prices) -> Decimal:
    return usd * prices.usd_pln / customers


def _zl(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.00001'), ROUND_HALF_UP)}"


def totals(lines: list[Line]) -> tuple[Decimal, Decimal]:
    """(every AWS line, without the optional ones)."""
    total = sum((line.usd for line in lines), Decimal(0))
    return total, total - sum((line.usd for line in lines if line.optional), Decimal(0))


def render(usage: Usage = USAGE, prices: Prices = PRICES, measured: Measured | None = None) -> str:
    """The Markdown table, the verdict and the assumptions, as written into docs/deploy.md."""
    measured = measured or load_measured()
    memory = memory_sizes()
    by_size = {size: estimate(size, usage, prices, measured, memory) for size in SIZES}
    small, large = SIZES
    head = (
        f"| component | kind | {small:,}: USD/month | {small:,}: zł/customer "
        f"| {large:,}: USD/month | {large:,}: zł/customer | {large:,}: basis |"
    )
    rows = [head, "|---|---|--:|--:|--:|--:|---|"]
    for index, line in enumerate(by_size[large]):
        cells = [line.component, line.label]
        for size in SIZES:
            usd = by_size[size][index].usd
            cells += [_usd(usd), _zl(_pln_per_customer(usd, size, prices))]
        rows.append("| " + " | ".join([*cells, line.basis]) + " |")

    def total_row(label: str, pick: int) -> str:
        cells = [f"**{label}**", ""]
        for size in SIZES:
            usd = totals(by_size[size])[pick]
            cells += [f"**{_usd(usd)}**", f"**{_zl(_pln_per_customer(usd, size, prices))}**"]
        return "| " + " | ".join([*cells, ""]) + " |"

    rows.append(total_row("AWS total", 0))
    rows.append(total_row("AWS total without optional parts", 1))
    sms_cells = ["SMS to Polish numbers (pass-through)", "per message"]
    for size in SIZES:
        usd = sms(size, usage, prices)
        sms_cells += [_usd(usd), _zl(_pln_per_customer(usd, size, prices))]
    rows.append(
        "| "
        + " | ".join([*sms_cells, f"{usage.sms} SMS/customer at {prices.sms_poland} USD"])
        + " |"
    )
    return "\n".join([*rows, "", verdict(by_size, usage, prices), "", assumptions(usage, prices)])


def verdict(by_size: dict[int, list[Line]], usage: Usage, prices: Prices) -> str:
    """What dominates, and whether the goal is met."""
    large = SIZES[-1]
    parts = []
    for size in SIZES:
        ranked = sorted(by_size[size], key=lambda line: line.usd, reverse=True)
        total = totals(by_size[size])[0]
        fixed = sum((x.usd for x in by_size[size] if x.kind != VARIABLE or x.optional), Decimal(0))
        top = ", ".join(
            f"{x.component} {(100 * x.usd / total).quantize(Decimal(1))} %" for x in ranked[:3]
        )
        parts.append(
            f"at {size:,} customers {top}; fixed and optional parts "
            f"{(100 * fixed / total).quantize(Decimal(1))} %"
        )
    full, core = totals(by_size[large])
    per_customer = _pln_per_customer(full, large, prices)
    core_per_customer = _pln_per_customer(core, large, prices)
    met = "met" if per_customer < GOAL_PLN else "NOT met"
    sms_per_customer = _pln_per_customer(sms(large, usage, prices), large, prices)
    return (
        f"**What dominates:** {'; '.join(parts)}. "
        f"**Goal** (AWS charges under {GOAL_PLN} zł per customer per month at {large:,} "
        f"customers): **{met}** — {_zl(per_customer)} zł with every part, "
        f"{_zl(core_per_customer)} zł without the optional ones. "
        f"SMS is not in the goal: one SMS per customer a month alone costs "
        f"{_zl(sms_per_customer)} zł per customer, "
        f"{(sms_per_customer / GOAL_PLN).quantize(Decimal(1))} times the goal; pass it on "
        f"at cost or send e-mail."
    )


def assumptions(usage: Usage, prices: Prices) -> str:
    """The stated assumptions: where the figures come from, then usage and prices."""

    def table(values: Usage | Prices, head: str) -> list[str]:
        hints = get_type_hints(type(values), include_extras=True)
        rows = [f"| {head} | value | name in the script |", "|---|--:|---|"]
        for item in fields(values):
            what = hints[item.name].__metadata__[0]
            rows.append(f"| {what} | {getattr(values, item.name)} | `{item.name}` |")
        return rows

    return "\n".join(
        [
            f"Exchange rate: {prices.usd_pln} zł per USD. Calls per request and p50 durations: "
            "`scripts/cost_measured.json` (from `make bench` and "
            "`tests/api/test_cost_inputs.py`); Lambda memory: `.chalice/config.json` (prod); "
            "measured times are stretched by 1769/memory, since Lambda gives a full vCPU only "
            "at 1,769 MB. Prices are list prices without the free tier, which would lower the "
            "10,000-customer figure further. Storage lines are the steady state (five years "
            "of PDFs).",
            "",
            "<details><summary>Usage assumptions</summary>",
            "",
            *table(usage, "per month"),
            "",
            "</details>",
            "",
            "<details><summary>Prices (USD, eu-central-1)</summary>",
            "",
            *table(prices, "price"),
            "",
            "</details>",
        ]
    )


def write(path: Path = DEPLOY_DOC, table: str | None = None) -> None:
    """Replace what stands between the markers in docs/deploy.md with the current table."""
    table = table if table is not None else render()
    text = path.read_text("utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{path} lacks the {START} / {END} markers")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    path.write_text(f"{before}{START}\n{table}\n{END}{after}", "utf-8")


def current_table(path: Path = DEPLOY_DOC) -> str:
    """What stands between the markers in docs/deploy.md."""
    text = path.read_text("utf-8")
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n")


# `make bench` lines the figures come from.
_ROUND_TRIP = re.compile(r"^\s+GET (?P<path>\S+): (?P<n>\d+) \((?P<calls>[^)]*)\)")
_P50 = re.compile(r"^\s+(?P<what>GET \S+|POST /auth/login): p50 (?P<ms>[\d.]+) ms")
_ITN_P50 = re.compile(r"^\s+first delivery \(SUCCESS[^)]*\): p50 (?P<ms>[\d.]+) ms")
_ITN_CALLS = re.compile(r"^\s+first delivery, DynamoDB calls: \d+: (?P<calls>.*)$")
_FORGOT = re.compile(r"^\s+202, active login: p50 (?P<ms>[\d.]+) ms")
_CONSUMER = re.compile(r"^\s+consumer afterwards: \d+ messages, (?P<ms>[\d.]+) ms each")
_IMPORT = re.compile(r"^== import of 100,000 mixed lines")
_TIME = re.compile(r"^\s+time: (?P<s>[\d.]+) s")
_COLD = re.compile(r"every chalicelib module loaded \(worst first request\): (?P<ms>\d+) ms")


def _merge_calls(old: list[str], new: list[str]) -> list[str]:
    """The benchmark's operation names, keeping item counts it does not print."""
    counts = dict(enumerate(old))
    return [
        counts[i] if i in counts and counts[i].partition(":")[0] == op else op
        for i, op in enumerate(new)
    ]


def from_bench(text: str, data: dict[str, Any]) -> dict[str, Any]:
    """`data` (cost_measured.json) updated with the figures a `make bench` printout holds."""
    data = json.loads(json.dumps(data))
    in_import = False
    for line in text.splitlines():
        if match := _ROUND_TRIP.match(line):
            key = f"GET {match['path']}"
            calls = [c.strip() for c in match["calls"].split(",")]
            old = data["reads"].get(key, {})
            data["reads"][key] = {**old, "calls": _merge_calls(old.get("calls", []), calls)}
        elif match := _P50.match(line):
            what, ms = match["what"], float(match["ms"])
            if what in data["requests"]:
                data["requests"][what]["p50_ms"] = ms
            elif what in data["reads"] and ", " not in line.split(":")[0]:
                data["reads"][what]["p50_ms"] = ms
        elif match := _ITN_P50.match(line):
            data["requests"]["POST /payments/notify/bluemedia"]["p50_ms"] = float(match["ms"])
        elif match := _ITN_CALLS.match(line):
            itn = data["requests"]["POST /payments/notify/bluemedia"]
            itn["calls"] = _merge_calls(
                itn["calls"], [c.strip() for c in match["calls"].split(",")]
            )
        elif match := _FORGOT.match(line):
            data["requests"]["POST /auth/password/forgot"]["p50_ms"] = float(match["ms"])
        elif match := _CONSUMER.match(line):
            data["reset_mail_p50_ms"] = float(match["ms"])
        elif match := _COLD.search(line):
            data["cold_start_ms"] = int(match["ms"])
        elif _IMPORT.match(line):
            in_import = True
        elif in_import and (match := _TIME.match(line)):
            data["import_100k_lines_seconds"] = float(match["s"])
            in_import = False
    return data


def main(argv: list[str] | None = None) -> int:
    """Print the table, write it into docs/deploy.md, or refresh the measured figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--write", action="store_true", help="replace the table in docs/deploy.md")
    parser.add_argument("--from-bench", type=Path, help="`make bench` output to take figures from")
    args = parser.parse_args(argv)
    if args.from_bench:
        data = json.loads(MEASURED.read_text("utf-8"))
        updated = from_bench(args.from_bench.read_text("utf-8"), data)
        MEASURED.write_text(json.dumps(updated, indent=2, ensure_ascii=False) + "\n", "utf-8")
    table = render()
    if args.write:
        write(table=table)
    else:
        print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
