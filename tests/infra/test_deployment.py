"""The deployment templates: names unique per prefix and stage, every function and queue
watched, the stateful stack deployable (moto's CloudFormation) with the models' tables."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.build import REJECTED_NOTIFICATION_KINDS, build

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
# Properties that name a resource in its account or globally.
NAME_PROPERTIES = {
    "TableName", "BucketName", "QueueName", "FunctionName", "TopicName", "AlarmName",
    "LogGroupName", "DashboardName", "Name", "PolicyName",
}  # fmt: skip
# Names scoped inside their parent (a role's inline policy), or references to another
# resource rather than a name (a permission's FunctionName).
SCOPED = {"AWS::IAM::Policy", "AWS::Lambda::Permission"}

pytestmark = pytest.mark.xdist_group("infra-build")


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Any]:
    """Two prefixes, and a second stage, built offline (no dependencies)."""
    found = {}
    for prefix, stage in (("ibok-mpwik", "prod"), ("ibok-pwik", "prod"), ("ibok-mpwik", "test")):
        out = tmp_path_factory.mktemp(f"{prefix}-{stage}")
        found[prefix, stage] = build(stage, prefix, out=out, dependencies=False)
    return found


def _resolve(value: Any, params: dict[str, str]) -> str | None:
    """A name with the stack's parameters and pseudo parameters filled in."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Sub" in value:
        text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
        return re.sub(r"\$\{([^}!]+)\}", lambda m: params.get(m.group(1), m.group(0)), text)
    if isinstance(value, dict) and "Ref" in value:
        return params.get(value["Ref"])
    return None


def _names(paths: list[Path], prefix: str, stage: str) -> dict[str, str]:
    params = {"Prefix": prefix, "Stage": stage, "AWS::AccountId": ACCOUNT}
    names = {}
    for path in paths:
        template = json.loads(path.read_text("utf-8"))
        for logical, resource in template["Resources"].items():
            if resource["Type"] in SCOPED:
                continue
            for key, value in resource.get("Properties", {}).items():
                if key in NAME_PROPERTIES:
                    name = _resolve(value, params)
                    assert name, (path.name, logical, key, value)
                    names[f"{resource['Type']} {name}"] = f"{path.name}:{logical}"
    return names


def test_two_prefixes_and_two_stages_share_no_name(builds):
    named = {}
    for (prefix, stage), result in builds.items():
        named[prefix, stage] = _names([result.stateful, result.app, result.edge], prefix, stage)
        assert len(named[prefix, stage]) >= 30  # tables, queues, functions, alarms…
        for name in named[prefix, stage]:
            assert "${" not in name, name
    keys = list(named)
    for i, first in enumerate(keys):
        for second in keys[i + 1 :]:
            assert not set(named[first]) & set(named[second]), (first, second)


def test_bucket_names_carry_the_account_id_and_fit(builds):
    result = builds["ibok-mpwik", "prod"]
    names = _names([result.stateful, result.edge], "ibok-mpwik", "prod")
    buckets = [name.split(" ", 1)[1] for name in names if name.startswith("AWS::S3::Bucket")]
    assert len(buckets) == 3
    for bucket in buckets:
        assert ACCOUNT in bucket
        assert len(bucket) <= 63
    # the longest prefix and stage the parameters allow still fit
    longest = "${Prefix}-${Stage}-artifacts-${AWS::AccountId}"
    assert (
        len(longest.replace("${Prefix}", "p" * 20).replace("${Stage}", "s" * 10))
        - len("${AWS::AccountId}")
        + 12
        <= 63
    )


def test_no_config_stage_literal_is_left_in_the_app_template(builds):
    text = builds["ibok-mpwik", "test"].app.read_text("utf-8")
    for literal in ("ibok-prod-", "/ibok/prod/", "ibok.wodociagi.example"):
        assert literal not in text


def _app(builds) -> dict[str, Any]:
    return json.loads(builds["ibok-mpwik", "prod"].app.read_text("utf-8"))


def test_every_function_has_log_retention_alarms_tracing_and_failure_handling(builds):
    resources = _app(builds)["Resources"]
    functions = {k: v for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}
    assert "APIHandler" in functions
    assert len(functions) >= 3
    for name, function in functions.items():
        props = function["Properties"]
        assert props["Tracing"] == "Active"
        log = resources[f"{name}LogGroup"]["Properties"]
        assert log["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        assert f"{name}LogGroup" in function["DependsOn"]
        for alarm in ("ErrorsAlarm", "ThrottlesAlarm"):
            assert resources[f"{name}{alarm}"]["Type"] == "AWS::CloudWatch::Alarm"
        events = [e["Type"] for e in props.get("Events", {}).values()]
        if any(kind not in ("SQS", "Api") for kind in events):  # asynchronous invocations
            destination = props["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
            queue = destination["Destination"]["Fn::GetAtt"][0]
            assert resources[queue]["Type"] == "AWS::SQS::Queue"
            assert f"{queue}Alarm" in resources
        for key, value in props["Environment"]["Variables"].items():
            assert value != "", key
    assert "ReservedConcurrentExecutions" in functions["APIHandler"]["Properties"]


def test_the_api_has_gateway_responses_access_logs_throttling_and_a_web_acl(builds):
    from infra.gateway_responses import definitions

    resources = _app(builds)["Resources"]
    api = resources["RestAPI"]["Properties"]
    responses = api["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    assert set(responses) == set(definitions("https://x.example"))
    assert responses["THROTTLED"]["statusCode"] == "429"
    assert api["TracingEnabled"] is True
    assert set(json.loads(api["AccessLogSetting"]["Format"])) >= {"requestId", "status", "ip"}
    (settings,) = api["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == {"Ref": "ApiThrottleRate"}
    rules = {r["Name"]: r for r in resources["ApiWebAcl"]["Properties"]["Rules"]}
    assert rules["aws-common"]["Statement"]["ManagedRuleGroupStatement"]["Name"] == (
        "AWSManagedRulesCommonRuleSet"
    )
    rate = rules["auth-rate"]["Statement"]["RateBasedStatement"]
    assert rate["AggregateKeyType"] == "IP"  # never a header the caller writes
    path, not_edge = rate["ScopeDownStatement"]["AndStatement"]["Statements"]
    assert path["ByteMatchStatement"]["SearchString"] == "/auth/"
    edge_header = not_edge["NotStatement"]["Statement"]["SizeConstraintStatement"]
    assert edge_header["FieldToMatch"] == {"SingleHeader": {"Name": "x-ibok-edge"}}
    assert resources["ApiWebAclAssociation"]["DependsOn"] == ["RestAPIapiStage"]


def test_rejected_payment_notification_kinds_cover_the_code():
    """Every itn_* security event the code records is in the alarm's query."""
    code = "\n".join(p.read_text("utf-8") for p in (ROOT / "chalicelib").rglob("*.py"))
    kinds = set(re.findall(r'security_event\(\s*"(itn_[a-z_]+)"', code))
    reasons = set(re.findall(r'InvalidNotification\(\s*"([a-z_]+)"', code))
    assert 'f"itn_{exc.reason}"' in code
    recorded = kinds | {f"itn_{reason}" for reason in reasons}
    # money that arrived for a failed order is no rejection: the SecurityEvents alarm has it
    assert recorded - {"itn_success_after_failure"} == set(REJECTED_NOTIFICATION_KINDS)


# moto's CloudFormation skips (with this warning) what it cannot create: bucket and topic
# policies, subscriptions, alarms; the template tests above and cfn-lint cover them.
@pytest.mark.filterwarnings("ignore:Tried to parse AWS::")
def test_stateful_stack_deploys_on_moto_with_the_models_tables(monkeypatch):
    """infra/stateful.yaml through (moto's) CloudFormation: the tables it creates have the
    keys and indexes the PynamoDB models declare."""
    from tests.infra.test_definitions import _table_models

    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    region = "eu-central-1"
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name=region)
        cloudformation.create_stack(
            StackName="ibok-mpwik-prod-stateful",
            TemplateBody=(ROOT / "infra" / "stateful.yaml").read_text("utf-8"),
            Parameters=[
                {"ParameterKey": "Prefix", "ParameterValue": "ibok-mpwik"},
                {"ParameterKey": "Stage", "ParameterValue": "prod"},
                {"ParameterKey": "FrontendOrigin", "ParameterValue": "https://x.example"},
                {"ParameterKey": "AlarmEmail", "ParameterValue": "ops@x.example"},
            ],
        )
        (stack,) = cloudformation.describe_stacks(StackName="ibok-mpwik-prod-stateful")["Stacks"]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        dynamodb = boto3.client("dynamodb", region_name=region)
        tables = {
            name: dynamodb.describe_table(TableName=name)["Table"]
            for name in (
                outputs["AccountsTableName"],
                outputs["BillingTableName"],
                outputs["AuditTableName"],
                outputs["ServiceTableName"],
            )
        }
        assert set(tables) == {
            "ibok-mpwik-prod-accounts",
            "ibok-mpwik-prod-billing",
            "ibok-mpwik-prod-audit",
            "ibok-mpwik-prod-service",
        }
        s3 = boto3.client("s3", region_name=region)
        assert outputs["DataBucketName"] == f"ibok-mpwik-prod-data-{_account()}"
        assert outputs["DataBucketName"] in {b["Name"] for b in s3.list_buckets()["Buckets"]}
        sqs = boto3.client("sqs", region_name=region)
        attributes = sqs.get_queue_attributes(
            QueueUrl=outputs["ResetMailQueueUrl"], AttributeNames=["RedrivePolicy"]
        )["Attributes"]
        assert json.loads(attributes["RedrivePolicy"])["maxReceiveCount"] == 5

    checked = 0
    by_table = {
        "AccountsTable": "ibok-mpwik-prod-accounts",
        "BillingTable": "ibok-mpwik-prod-billing",
        "AuditTable": "ibok-mpwik-prod-audit",
        "ServiceTable": "ibok-mpwik-prod-service",
    }
    for model in _table_models():
        if getattr(model.Meta, "abstract", False):
            continue
        table = tables[by_table[_logical_table(model)]]
        keys = {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]}
        assert keys == {model._hash_keyname: "HASH", model._range_keyname: "RANGE"}
        deployed = {i["IndexName"]: i for i in table.get("GlobalSecondaryIndexes", [])}
        for index in model._get_schema()["global_secondary_indexes"]:
            found = deployed[index["index_name"]]
            assert {k["AttributeName"]: k["KeyType"] for k in found["KeySchema"]} == {
                k["AttributeName"]: k["KeyType"] for k in index["key_schema"]
            }
            assert found["Projection"] == index["projection"]
            checked += 1
    assert checked >= 5


def _account() -> str:
    return "123456789012"  # moto's default account


def _logical_table(model: type) -> str:
    """The template table a model lives in (by the setting that names its table)."""
    from chalicelib.settings import get_settings
    from infra.local import TABLE_SETTINGS

    settings = get_settings()
    by_name = {getattr(settings, setting): logical for logical, setting in TABLE_SETTINGS.items()}
    return by_name[model.Meta.table_name]


def test_every_queue_event_source_consumes_a_queue_of_its_own_stack(builds):
    """Chalice reads a handler's queue name when it imports app.py: the packaged event
    sources must name the stage's queues (rewritten into parameters), never the names of
    whatever stage the building shell had (local by default)."""
    for (prefix, stage), result in builds.items():
        params = {"Prefix": prefix, "Stage": stage, "AWS::AccountId": ACCOUNT}
        params |= {"AWS::Partition": "aws", "AWS::Region": "eu-central-1"}
        stateful = json.loads(result.stateful.read_text("utf-8"))["Resources"]
        queues = {
            _resolve(r["Properties"]["QueueName"], params)
            for r in stateful.values()
            if r["Type"] == "AWS::SQS::Queue"
        }
        app = json.loads(result.app.read_text("utf-8"))["Resources"]
        consumed = {
            name: _resolve(event["Properties"]["Queue"], params).rsplit(":", 1)[-1]
            for name, r in app.items()
            if r["Type"] == "AWS::Serverless::Function"
            for event in r["Properties"].get("Events", {}).values()
            if event["Type"] == "SQS"
        }
        assert set(consumed) == {"BillingImport", "ResetMail", "TicketUpload", "JobWork"}
        assert consumed["JobWork"] == f"{prefix}-{stage}-job-work"
        assert consumed["TicketUpload"] == f"{prefix}-{stage}-ticket-uploads"
        assert consumed["BillingImport"] == f"{prefix}-{stage}-imports.fifo"
        assert consumed["ResetMail"] == f"{prefix}-{stage}-reset-mail"
        assert set(consumed.values()) <= queues
