"""The monthly cost estimate: docs/deploy.md holds its current output, one component's
arithmetic by hand, and more customers never cost less."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from decimal import Decimal

import pytest

from scripts import cost_estimate as cost

KEPT = {"write_allowance", "query_rru"}  # how calls are charged, not usage
NOTHING = replace(
    cost.USAGE,
    **{
        f.name: type(getattr(cost.USAGE, f.name))(0)
        for f in fields(cost.Usage)
        if f.name not in KEPT
    },
)


def test_deploy_doc_holds_the_scripts_current_table():
    assert cost.current_table() == cost.render(), "run: python -m scripts.cost_estimate --write"


def test_dynamodb_requests_of_logins_computed_by_hand():
    measured = replace(
        cost.load_measured(),
        requests={
            **cost.load_measured().requests,
            "POST /auth/login": {
                "calls": [
                    "TransactWriteItems:3",
                    "GetItem",
                    "PutItem",
                    "PutItem",
                    "TransactWriteItems:3",
                ]
            },
        },
    )
    usage = replace(NOTHING, logins=Decimal(1))
    lines = {line.component: line for line in cost.estimate(1000, usage, measured=measured)}
    # 1,000 logins: 2 transactions of 3 items at 2 WRU + 2 puts = 14 WRU, x 1.5 = 21 WRU;
    # one GetItem = 1 RRU. 21,000 WRU at 0.7625 USD and 1,000 RRU at 0.1525 USD a million.
    assert lines["DynamoDB requests"].usd == Decimal("0.0160125") + Decimal("0.0001525")
    # API Gateway: 1,000 requests at 3.70 USD a million.
    assert lines["API Gateway (REST)"].usd == Decimal("0.0037")


@pytest.mark.parametrize("customers", [1, 1_000, 10_000, 100_000, 1_000_000])
def test_doubling_customers_never_lowers_a_variable_cost(customers):
    measured = cost.load_measured()
    memory = cost.memory_sizes()
    once = cost.estimate(customers, measured=measured, memory=memory)
    twice = cost.estimate(2 * customers, measured=measured, memory=memory)
    for before, after in zip(once, twice, strict=True):
        assert before.component == after.component
        if before.kind == cost.VARIABLE:
            assert after.usd >= before.usd, before.component
        else:
            assert after.usd == before.usd, before.component
    assert cost.sms(2 * customers) >= cost.sms(customers)


def test_bench_output_refreshes_the_figures_and_keeps_item_counts():
    data = json.loads(cost.MEASURED.read_text("utf-8"))
    printout = "\n".join(
        [
            "  GET /me: 2 (UpdateItem, BatchGetItem)",
            "  GET /invoices: 3 (UpdateItem, Query, Query)",
            "  GET /invoices: p50 41.5 ms, p90 50.0 ms, max 60.0 ms (n=50)",
            "  GET /invoices, minimal handler: p50 1.0 ms, p90 1.0 ms, max 1.0 ms (n=50)",
            "  POST /auth/login: p50 300.0 ms, p90 310.0 ms, max 400.0 ms (n=20)",
            "  first delivery, DynamoDB calls: 2: GetItem, UpdateItem",
            "== import of 100,000 mixed lines (moto server; target ≥ 2,000 lines/s)",
            "  time: 40.5 s",
        ]
    )
    updated = cost.from_bench(printout, data)
    assert updated["reads"]["GET /me"]["calls"] == ["UpdateItem", "BatchGetItem:2"]
    assert updated["reads"]["GET /invoices"] == {
        "calls": ["UpdateItem", "Query", "Query"],
        "p50_ms": 41.5,
    }
    assert updated["requests"]["POST /auth/login"]["p50_ms"] == 300.0
    itn = updated["requests"]["POST /payments/notify/bluemedia"]["calls"]
    assert itn == ["GetItem", "UpdateItem"]
    assert updated["import_100k_lines_seconds"] == 40.5
    assert data["import_100k_lines_seconds"] != 40.5  # the input is left alone
