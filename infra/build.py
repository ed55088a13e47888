"""Build the CloudFormation templates of one deployment into build/<prefix>-<stage>/.

    python -m infra.build --stage prod [--prefix ibok] [--config prod] [--no-dependencies]

- `stateful.json`: infra/stateful.yaml (tables, buckets, queues, alarm topic);
- `app.json`: what `chalice package` makes for the app (functions, roles, REST API),
  merged with infra/app.yaml and with what depends on the packaged functions (log groups,
  alarms, on-failure queues, tracing, the API's gateway responses, access log and
  throttling); `deployment.zip` beside it, whose size is reported;
- `edge.json`: infra/edge.yaml (frontend bucket, CloudFront).

Names: every name is `${Prefix}-${Stage}-…` (buckets add the account id). Chalice packages
a stage of .chalice/config.json (`--config`, by default the stage itself if config.json
has it, else `prod`); its literal names (`ibok-<config stage>-…`, `/ibok/<config stage>/`)
and its sender and portal addresses become parameters, so the stage name is free and one
account holds any number of prefixes and stages.

The Lambda package holds requirements.txt resolved with constraints.txt, so it carries
the same versions as the tests (botocore included).
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
INFRA = ROOT / "infra"
DEFAULT_PREFIX = "ibok"
ALARM_TOPIC = "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${Prefix}-${Stage}-alarms"
# Invocations Lambda makes asynchronously (the caller does not wait): each gets an
# on-failure queue. API calls are synchronous; SQS consumers have their queue's DLQ.
ASYNC_EVENT_TYPES = {"Schedule", "S3", "SNS", "CloudWatchEvent", "EventBridgeRule"}
# Every security event a rejected payment notification records (chalicelib/services/
# payments.py: itn_<reason of InvalidNotification> and the checks of _apply); a test
# keeps this list complete.
REJECTED_NOTIFICATION_KINDS = (
    "itn_malformed",
    "itn_other_service",
    "itn_bad_hash",
    "itn_bad_amount",
    "itn_unknown_order",
    "itn_amount_mismatch",
    "itn_unknown_status",
)
API_ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "time": "$context.requestTimeEpoch",
    "ip": "$context.identity.sourceIp",
    "method": "$context.httpMethod",
    "path": "$context.resourcePath",
    "status": "$context.status",
    "bytes": "$context.responseLength",
    "latencyMs": "$context.responseLatency",
    "integrationLatencyMs": "$context.integration.latency",
    "integrationError": "$context.integration.error",
    "wafStatus": "$context.waf.status",
    "userAgent": "$context.identity.userAgent",
}


# --- CloudFormation YAML ------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """YAML loader turning CloudFormation short forms (!Ref, !Sub…) into long forms."""


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    return {f"Fn::{suffix}": value}


_Loader.add_multi_constructor("!", _short_form)


def load_template(path: Path) -> dict[str, Any]:
    """A CloudFormation YAML template as JSON-ready data (long-form intrinsics)."""
    return yaml.load(path.read_text("utf-8"), Loader=_Loader)  # noqa: S506


# --- Packaging ----------------------------------------------------------------------------


def config_stage_for(stage: str) -> str:
    """The config.json stage Chalice packages for `stage`: itself if defined, else prod."""
    stages = json.loads((ROOT / ".chalice" / "config.json").read_text("utf-8"))["stages"]
    return stage if stage in stages and stage != "local" else "prod"


def _project_copy(src: Path, *, dependencies: bool) -> None:
    """Copy what the Lambda package holds; requirements pinned by constraints.txt."""
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    shutil.copy2(ROOT / "app.py", src / "app.py")
    shutil.copytree(
        ROOT / "chalicelib", src / "chalicelib", ignore=shutil.ignore_patterns("__pycache__")
    )
    (src / ".chalice").mkdir()
    for path in (ROOT / ".chalice").glob("*.json"):
        shutil.copy2(path, src / ".chalice" / path.name)
    if dependencies:
        shutil.copy2(ROOT / "constraints.txt", src / "constraints.txt")
        text = (ROOT / "requirements.txt").read_text("utf-8")
        (src / "requirements.txt").write_text(f"-c constraints.txt\n{text}", "utf-8")
    else:  # templates only (tests): an empty package builds in a second, offline
        (src / "requirements.txt").write_text("", "utf-8")


def chalice_package(out: Path, config_stage: str, *, dependencies: bool) -> dict[str, Any]:
    """Run `chalice package` on a copy of the project; the SAM template it wrote."""
    src = out / "src"
    _project_copy(src, dependencies=dependencies)
    package_dir = out / "package"
    if package_dir.exists():
        shutil.rmtree(package_dir)
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "infra.package_app", str(src), config_stage, str(package_dir)],
        check=True,
        cwd=ROOT,
    )
    return json.loads((package_dir / "sam.json").read_text("utf-8"))


def package_size(zip_path: Path) -> tuple[int, int]:
    """(zipped, unzipped) bytes of the Lambda package."""
    with zipfile.ZipFile(zip_path) as archive:
        unzipped = sum(info.file_size for info in archive.infolist())
    return zip_path.stat().st_size, unzipped


# --- Rewriting the packaged names ---------------------------------------------------------


@dataclass(frozen=True)
class Literals:
    """The config stage's literal values and what replaces them (Fn::Sub text)."""

    pairs: tuple[tuple[str, str], ...]

    @classmethod
    def for_config_stage(cls, config_stage: str) -> Literals:
        config = json.loads((ROOT / ".chalice" / "config.json").read_text("utf-8"))
        variables = {
            **config.get("environment_variables", {}),
            **config["stages"][config_stage]["environment_variables"],
        }
        base = f"{DEFAULT_PREFIX}-{config_stage}"
        pairs = [
            (variables["DATA_BUCKET"], "${Prefix}-${Stage}-data-${AWS::AccountId}"),
            (f"{base}-", "${Prefix}-${Stage}-"),
            (f"/{DEFAULT_PREFIX}/{config_stage}/", "/${Prefix}/${Stage}/"),
            (variables["MAIL_SENDER"], "${MailSender}"),
        ]
        for name in ("PAYMENT_RETURN_URL", "PUBLIC_URL", "CORS_ORIGIN"):
            value = variables.get(name, "")
            public = variables["PUBLIC_URL"]
            if value.startswith(public):
                pairs.append((value, "${PublicUrl}" + value.removeprefix(public)))
        pairs.sort(key=lambda pair: -len(pair[0]))  # longest first
        return cls(tuple(pairs))

    def sub(self, text: str) -> str:
        """Replace every literal in an Fn::Sub text (one pass, longest match first)."""
        pattern = "|".join(re.escape(old) for old, _ in self.pairs)
        table = dict(self.pairs)
        return re.sub(pattern, lambda m: table[m.group(0)], text)

    def found_in(self, text: str) -> bool:
        return any(old in text for old, _ in self.pairs)


def rewrite(node: Any, literals: Literals) -> Any:
    """Turn every string holding a config-stage literal into an Fn::Sub of parameters."""
    if isinstance(node, dict):
        if set(node) == {"Fn::Sub"}:
            value = node["Fn::Sub"]
            if isinstance(value, str):
                return {"Fn::Sub": literals.sub(value)}
            return {"Fn::Sub": [literals.sub(value[0]), rewrite(value[1], literals)]}
        return {key: rewrite(value, literals) for key, value in node.items()}
    if isinstance(node, list):
        return [rewrite(value, literals) for value in node]
    if isinstance(node, str) and literals.found_in(node):
        return {"Fn::Sub": literals.sub(node.replace("${", "${!"))}
    return node


def leftover_literals(node: Any, literals: Literals) -> list[str]:
    """Plain strings still holding a config-stage literal (there must be none)."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "Fn::Sub":
                found += leftover_literals(value, literals)
    elif isinstance(node, list):
        for value in node:
            found += leftover_literals(value, literals)
    elif isinstance(node, str) and literals.found_in(node):
        found.append(node)
    return found


# --- Merging ------------------------------------------------------------------------------


def kebab(logical_id: str) -> str:
    """APIHandler -> api, BillingImport -> billing-import."""
    if logical_id == "APIHandler":
        return "api"
    return re.sub(r"(?<!^)(?=[A-Z])", "-", logical_id).lower()


def _alarm(name: str, description: str, metric: dict[str, Any], **extra: Any) -> dict:
    props = {
        "AlarmName": {"Fn::Sub": "${Prefix}-${Stage}-" + name},
        "AlarmDescription": description,
        "Statistic": "Sum",
        "Period": 300,
        "EvaluationPeriods": 1,
        "Threshold": 0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
        "AlarmActions": [{"Fn::Sub": ALARM_TOPIC}],
        **metric,
        **extra,
    }
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": props}


def _functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def _skip(*checks: tuple[str, str]) -> dict[str, Any]:
    """checkov suppressions, each with its reason."""
    return {"checkov": {"skip": [{"id": check, "comment": why} for check, why in checks]}}


# Why generated resources pass checkov without what it asks for (justified here, where
# they are made, since the resources exist only in the build output).
LAMBDA_SKIPS = (
    (
        "CKV_AWS_117",
        "No VPC: the functions reach only AWS APIs (DynamoDB, S3, SQS, SES, SSM) over TLS "
        "with IAM; a VPC would add NAT or endpoints and cold-start time.",
    ),
    (
        "CKV_AWS_173",
        "Environment variables hold names and URLs only; secrets stay in SSM "
        "SecureString parameters read at run time.",
    ),
)
SYNC_OR_QUEUED_SKIP = (
    "CKV_AWS_116",
    "Invoked synchronously (API) or by an SQS event source whose queue has a redrive "
    "policy to a dead-letter queue; a function DLQ applies to asynchronous calls only.",
)
ON_FAILURE_SKIP = (
    "CKV_AWS_116",
    "An on-failure destination (EventInvokeConfig, SQS) instead of a DLQ: it keeps the "
    "event together with the error and the number of tries.",
)
UNRESERVED_SKIP = (
    "CKV_AWS_115",
    "Concurrency bounded by its trigger (a daily schedule, or an SQS event source); "
    "reserving would take from the account pool the API needs.",
)
# Chalice's role policies come from .chalice/policy-*.json (one per function is the IAM
# part of issue 10); what checkov asks of them is answered there.
ROLE_SKIPS = (
    (
        "CKV_AWS_111",
        "Write actions are limited to the stage's tables, bucket and queues by ARN; "
        "ses:SendEmail takes no resource ARN and is limited by ses:FromAddress.",
    ),
    (
        "CKV_AWS_108",
        "Data reads are limited to the stage's tables, bucket and SSM path by ARN.",
    ),
    (
        "CKV_AWS_109",
        "No permissions-management action; only CloudWatch Logs, which take any log "
        "group of the account.",
    ),
)


def _log_and_alarms(out: dict[str, Any], name: str, function: dict[str, Any]) -> None:
    short = kebab(name)
    props = function["Properties"]
    props["FunctionName"] = {"Fn::Sub": "${Prefix}-${Stage}-" + short}
    props["Tracing"] = "Active"
    log_group = f"{name}LogGroup"
    out[log_group] = {
        "Type": "AWS::Logs::LogGroup",
        "Metadata": _skip(
            (
                "CKV_AWS_158",
                "CloudWatch Logs encrypts at rest; log lines mask e-mail addresses and "
                "hold no secrets (chalicelib/logs.py).",
            )
        ),
        "Properties": {
            "LogGroupName": {"Fn::Sub": "/aws/lambda/${Prefix}-${Stage}-" + short},
            "RetentionInDays": {"Ref": "LogRetentionDays"},
        },
    }
    # The group exists before the function, so Lambda never creates one kept forever.
    function["DependsOn"] = sorted({*function.get("DependsOn", []), log_group})
    dimension = [{"Name": "FunctionName", "Value": {"Ref": name}}]
    out[f"{name}ErrorsAlarm"] = _alarm(
        f"{short}-errors",
        f"The {short} function raised (docs/deploy.md, Alarms).",
        {"Namespace": "AWS/Lambda", "MetricName": "Errors", "Dimensions": dimension},
    )
    sustained = name != "APIHandler"  # a queue consumer is throttled briefly as it scales
    out[f"{name}ThrottlesAlarm"] = _alarm(
        f"{short}-throttles",
        f"The {short} function was throttled (docs/deploy.md, Alarms).",
        {"Namespace": "AWS/Lambda", "MetricName": "Throttles", "Dimensions": dimension},
        EvaluationPeriods=3 if sustained else 1,
    )


def _on_failure(out: dict[str, Any], name: str, function: dict[str, Any]) -> None:
    """An on-failure queue, its alarm and the role's right to send to it."""
    short = kebab(name)
    queue = f"{name}Failures"
    out[queue] = {
        "Type": "AWS::SQS::Queue",
        "Metadata": _skip(
            ("CKV_AWS_27", "Encrypted with SQS managed keys (SqsManagedSseEnabled).")
        ),
        "Properties": {
            "QueueName": {"Fn::Sub": "${Prefix}-${Stage}-" + short + "-failures"},
            "MessageRetentionPeriod": 1209600,
            "SqsManagedSseEnabled": True,
        },
    }
    out[f"{queue}Alarm"] = _alarm(
        f"{short}-failures-not-empty",
        f"An invocation of {short} failed after Lambda's retries; the event waits in the "
        "failure queue (docs/deploy.md, Alarms).",
        {
            "Namespace": "AWS/SQS",
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}],
            "Statistic": "Maximum",
        },
    )
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    policy = f"{name}FailuresPolicy"
    out[policy] = {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": "on-failure-destination",
            "Roles": [{"Ref": role}],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sqs:SendMessage",
                        "Resource": {"Fn::GetAtt": [queue, "Arn"]},
                    }
                ],
            },
        },
    }
    function["Properties"]["EventInvokeConfig"] = {
        "MaximumRetryAttempts": 2,
        "DestinationConfig": {
            "OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": [queue, "Arn"]}}
        },
    }
    function["DependsOn"] = sorted({*function.get("DependsOn", []), policy})


def _tracing_policy(out: dict[str, Any], roles: list[str]) -> None:
    out["TracingPolicy"] = {
        "Type": "AWS::IAM::Policy",
        "Metadata": _skip(
            (
                "CKV_AWS_111",
                "X-Ray's PutTraceSegments and PutTelemetryRecords take no resource ARN.",
            ),
            (
                "CKV_AWS_355",
                "X-Ray's PutTraceSegments and PutTelemetryRecords take no resource ARN.",
            ),
        ),
        "Properties": {
            "PolicyName": "xray-tracing",
            "Roles": [{"Ref": role} for role in roles],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                        "Resource": "*",
                    }
                ],
            },
        },
    }


def _gateway_responses() -> dict[str, Any]:
    """API Gateway's own answers as an OpenAPI extension of the API's body, so they are
    deployed with every deployment of the stage (infra/gateway_responses.py)."""
    from infra.gateway_responses import definitions

    responses = {}
    for kind, kwargs in definitions("${PublicUrl}").items():
        parameters = {
            name: {"Fn::Sub": value} if "${PublicUrl}" in value else value
            for name, value in kwargs["responseParameters"].items()
        }
        entry: dict[str, Any] = {
            "responseParameters": parameters,
            "responseTemplates": kwargs["responseTemplates"],
        }
        if "statusCode" in kwargs:
            entry["statusCode"] = kwargs["statusCode"]
        responses[kind] = entry
    return responses


def _api(template: dict[str, Any], api_stage: str) -> None:
    api = template["Resources"]["RestAPI"]
    props = api["Properties"]
    props["Name"] = {"Fn::Sub": "${Prefix}-${Stage}"}
    body = props["DefinitionBody"]
    body["info"]["title"] = {"Fn::Sub": "${Prefix}-${Stage}"}
    body["x-amazon-apigateway-gateway-responses"] = _gateway_responses()
    props["TracingEnabled"] = True
    props["AccessLogSetting"] = {
        "DestinationArn": {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]},
        "Format": json.dumps(API_ACCESS_LOG_FORMAT, separators=(",", ":")),
    }
    props["MethodSettings"] = [
        {
            "ResourcePath": "/*",
            "HttpMethod": "*",
            "MetricsEnabled": True,
            "ThrottlingRateLimit": {"Ref": "ApiThrottleRate"},
            "ThrottlingBurstLimit": {"Ref": "ApiThrottleBurst"},
        }
    ]
    api["DependsOn"] = ["ApiGatewayAccountReady"]
    api["Metadata"] = _skip(
        (
            "CKV_AWS_120",
            "No API cache: answers are per customer and marked no-store.",
        ),
    )
    template["Resources"]["ApiGatewayAccountReady"] = {
        # Waits for the account's logging role when this stack sets it (the stage's
        # access log needs it); a no-op otherwise.
        "Type": "AWS::CloudFormation::WaitConditionHandle",
        "Metadata": {
            "AccountSettings": {
                "Fn::If": ["SetsApiGatewayAccount", {"Ref": "ApiGatewayAccount"}, ""]
            }
        },
    }
    # The API function: its concurrency caps what the API can ask of DynamoDB (sizing and
    # reason: docs/deploy.md, "Edge protection").
    handler = template["Resources"]["APIHandler"]["Properties"]
    handler["ReservedConcurrentExecutions"] = {
        "Fn::If": ["HasApiReservation", {"Ref": "ApiReservedConcurrency"}, {"Ref": "AWS::NoValue"}]
    }
    association = template["Resources"]["ApiWebAclAssociation"]
    association["DependsOn"] = [f"RestAPI{api_stage}Stage"]


def _dashboard(functions: list[str], api_stage: str) -> dict[str, Any]:
    region = "${AWS::Region}"

    def api(metric: str) -> list[str]:
        return ["AWS/ApiGateway", metric, "ApiName", "${Prefix}-${Stage}", "Stage", api_stage]

    def widget(title: str, metrics: list[list[Any]], stat: str = "Sum") -> dict[str, Any]:
        return {
            "type": "metric",
            "width": 12,
            "height": 6,
            "properties": {
                "title": title,
                "region": region,
                "stat": stat,
                "period": 300,
                "metrics": metrics,
            },
        }

    def fn_metric(metric: str, name: str) -> list[str]:
        return ["AWS/Lambda", metric, "FunctionName", "${Prefix}-${Stage}-" + kebab(name)]

    widgets = [
        widget(
            "API requests and errors",
            [api(metric) for metric in ("Count", "4XXError", "5XXError")],
        ),
        widget("API latency p95 (ms)", [api("Latency")], "p95"),
        widget("Function errors", [fn_metric("Errors", name) for name in functions]),
        widget("Function throttles", [fn_metric("Throttles", name) for name in functions]),
        widget(
            "Function duration p95 (ms)",
            [fn_metric("Duration", name) for name in functions],
            "p95",
        ),
        {
            "type": "metric",
            "width": 12,
            "height": 6,
            "properties": {
                "title": "Security events by kind",
                "region": region,
                "period": 300,
                "metrics": [
                    [
                        {
                            "expression": "SELECT SUM(SecurityEvents) FROM SCHEMA(IBOK, kind, "
                            "service) WHERE service = '${Prefix}-${Stage}' GROUP BY kind",
                            "id": "q1",
                        }
                    ]
                ],
            },
        },
    ]
    return {
        "Type": "AWS::CloudWatch::Dashboard",
        "Properties": {
            "DashboardName": {"Fn::Sub": "${Prefix}-${Stage}"},
            "DashboardBody": {"Fn::Sub": json.dumps({"widgets": widgets})},
        },
    }


def _itn_query() -> str:
    """A Metrics Insights query (not SQL run anywhere) over the constant kinds above."""
    kinds = " OR ".join(f"kind = '{kind}'" for kind in REJECTED_NOTIFICATION_KINDS)
    where = f"WHERE service = '${{Prefix}}-${{Stage}}' AND ({kinds})"
    return "SELECT SUM(SecurityEvents) FROM SCHEMA(IBOK, kind, service) " + where  # noqa: S608


def merge(sam: dict[str, Any], config_stage: str) -> dict[str, Any]:
    """The app template: Chalice's output with the config stage's literals turned into
    parameters, merged with infra/app.yaml and the per-function resources."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text("utf-8"))
    api_stage = config["stages"][config_stage]["api_gateway_stage"]
    literals = Literals.for_config_stage(config_stage)
    template = rewrite(copy.deepcopy(sam), literals)
    left = leftover_literals(template, literals)
    if left:
        raise SystemExit(f"config-stage literals left in the app template: {left[:5]}")
    extras = load_template(INFRA / "app.yaml")
    extras_text = json.dumps(extras).replace("API_STAGE", api_stage)
    extras = json.loads(extras_text)
    alarm = extras["Resources"]["RejectedPaymentNotificationsAlarm"]["Properties"]
    alarm["Metrics"][0]["Expression"] = {"Fn::Sub": _itn_query()}
    template["Description"] = extras["Description"]
    template["Parameters"] = extras["Parameters"]
    template["Conditions"] = extras["Conditions"]
    resources = template["Resources"]
    for name in extras["Resources"]:
        if name in resources:
            raise SystemExit(f"infra/app.yaml resource {name} clashes with Chalice's")
    resources.update(extras["Resources"])
    template["Outputs"] = {**template.get("Outputs", {}), **extras["Outputs"]}

    functions = _functions(template)
    added: dict[str, Any] = {}
    for name, function in functions.items():
        props = function["Properties"]
        variables = props["Environment"]["Variables"]
        variables["STAGE"] = {"Fn::Sub": "${Stage}"}
        # The SecurityEvents metric's `service` dimension tells the stacks of an account apart.
        variables["POWERTOOLS_SERVICE_NAME"] = {"Fn::Sub": "${Prefix}-${Stage}"}
        _log_and_alarms(added, name, function)
        checks = list(LAMBDA_SKIPS)
        events = props.get("Events", {}).values()
        _topics_by_ref(events, resources)
        if any(event["Type"] in ASYNC_EVENT_TYPES for event in events):
            _on_failure(added, name, function)
            checks.append(ON_FAILURE_SKIP)
        else:
            checks.append(SYNC_OR_QUEUED_SKIP)
        if name != "APIHandler" and "ReservedConcurrentExecutions" not in props:
            checks.append(UNRESERVED_SKIP)
        function["Metadata"] = {**function.get("Metadata", {}), **_skip(*checks)}
    roles = sorted({f["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions.values()})
    for role in roles:
        resources[role]["Metadata"] = _skip(*ROLE_SKIPS)
    _tracing_policy(added, roles)
    resources.update(added)
    resources["Dashboard"] = _dashboard(sorted(functions), api_stage)
    _api(template, api_stage)
    return template


def _topics_by_ref(events: Any, resources: dict[str, Any]) -> None:
    """An SNS event source on a topic of infra/app.yaml (the mail events) names it by Ref,
    so CloudFormation creates the topic before the subscription."""
    topics = {
        _sub_text(props["Properties"]["TopicName"]): name
        for name, props in resources.items()
        if props.get("Type") == "AWS::SNS::Topic" and "TopicName" in props.get("Properties", {})
    }
    for event in events:
        if event.get("Type") != "SNS":
            continue
        topic = _sub_text(event["Properties"]["Topic"])
        for suffix, name in topics.items():
            if topic.endswith(f":{suffix}"):
                event["Properties"]["Topic"] = {"Ref": name}


def _sub_text(value: Any) -> str:
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub if isinstance(sub, str) else sub[0]
    return str(value)


# --- Build --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    """What one build wrote."""

    out: Path
    stateful: Path
    app: Path
    edge: Path
    package: Path
    zipped: int
    unzipped: int


def build(
    stage: str,
    prefix: str = DEFAULT_PREFIX,
    *,
    config_stage: str | None = None,
    out: Path | None = None,
    dependencies: bool = True,
) -> Build:
    """Write the three templates and the Lambda package of `prefix`-`stage`."""
    config_stage = config_stage or config_stage_for(stage)
    out = out or ROOT / "build" / f"{prefix}-{stage}"
    out.mkdir(parents=True, exist_ok=True)
    sam = chalice_package(out, config_stage, dependencies=dependencies)
    app = merge(sam, config_stage)
    package = out / "package" / "deployment.zip"
    for function in _functions(app).values():
        function["Properties"]["CodeUri"] = str(package)
    paths = {}
    for name, template in (
        ("stateful", load_template(INFRA / "stateful.yaml")),
        ("app", app),
        ("edge", load_template(INFRA / "edge.yaml")),
    ):
        paths[name] = out / f"{name}.json"
        paths[name].write_text(json.dumps(template, indent=1, ensure_ascii=False), "utf-8")
    zipped, unzipped = package_size(package)
    return Build(out, paths["stateful"], paths["app"], paths["edge"], package, zipped, unzipped)


def main() -> None:
    """Command line: build one deployment's templates and report the package size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stage", required=True)
    parser.add_argument("--prefix", default=DEFAULT_PREFIX)
    parser.add_argument("--config", help="config.json stage to package (default: see above)")
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--no-dependencies", action="store_true", help="templates only (no pip download)"
    )
    args = parser.parse_args()
    result = build(
        args.stage,
        args.prefix,
        config_stage=args.config,
        out=args.out,
        dependencies=not args.no_dependencies,
    )
    mib = 1024 * 1024
    print(f"templates: {result.stateful}, {result.app}, {result.edge}")
    print(
        f"Lambda package: {result.package} {result.zipped / mib:.1f} MiB zipped, "
        f"{result.unzipped / mib:.1f} MiB unzipped (Lambda's limits: 50 MiB zipped for a "
        "direct upload, 250 MiB unzipped)"
    )


if __name__ == "__main__":
    main()
