"""Create the stateful resources of infra/stateful.yaml against moto (local stack, tests).

The CloudFormation template is the one source of table and queue definitions: this module
reads its `AWS::DynamoDB::Table`, `AWS::SQS::Queue` and `AWS::Events::Rule` resources and
creates the same tables, indexes and TTL, the data bucket with its CORS rule (the
portal's origin as FrontendOrigin), the same queues with their dead-letter queues,
and the same EventBridge rules (the data bucket sends its events to EventBridge, so an
upload under imports/ lands on the import queue as deployed).
"""

from __future__ import annotations

import copy
import json
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

TEMPLATE = Path(__file__).with_name("stateful.yaml")

# Logical id -> the setting that names the table or bucket on every stage.
LOCAL_SERVICE_ID = "100042"  # the local fake gateway's Blue Media ServiceID

TABLE_SETTINGS = {
    "AccountsTable": "accounts_table",
    "BillingTable": "billing_table",
    "ServiceTable": "service_table",
    "AuditTable": "audit_table",
}
# Logical id -> the setting that names the queue; a dead-letter queue is named after the
# queue that feeds it (its template name's suffix, e.g. "-dlq", added to that name).
QUEUE_SETTINGS = {
    "ResetMailQueue": "reset_queue",
    "ImportQueue": "import_queue",
    "TicketUploadQueue": "ticket_upload_queue",
    "JobWorkQueue": "job_queue",
}
FIFO = ".fifo"


class _CfnLoader(yaml.SafeLoader):
    """A YAML loader that keeps CloudFormation short-form tags as plain values."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node)}
    return {suffix: loader.construct_mapping(node)}


_CfnLoader.add_multi_constructor("!", _tag)


@lru_cache(maxsize=1)
def _parse(text: str) -> dict[str, Any]:
    return yaml.load(text, Loader=_CfnLoader)  # noqa: S506


def load_template() -> dict[str, Any]:
    """Parse infra/stateful.yaml (parsed once per text: every test creates the resources,
    and parsing takes longer than creating them in moto); the caller gets its own copy."""
    return copy.deepcopy(_parse(TEMPLATE.read_text(encoding="utf-8")))


def table_definitions() -> dict[str, dict[str, Any]]:
    """Return the Properties of every DynamoDB table in the template, by logical id."""
    resources = load_template()["Resources"]
    return {
        name: res["Properties"]
        for name, res in resources.items()
        if res["Type"] == "AWS::DynamoDB::Table"
    }


def create_table_kwargs(props: dict[str, Any], table_name: str) -> dict[str, Any]:
    """Turn CloudFormation table properties into `dynamodb.create_table` arguments."""
    kwargs: dict[str, Any] = {
        "TableName": table_name,
        "BillingMode": props["BillingMode"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
    }
    if props.get("GlobalSecondaryIndexes"):
        kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    if props.get("LocalSecondaryIndexes"):
        kwargs["LocalSecondaryIndexes"] = props["LocalSecondaryIndexes"]
    return kwargs


def queue_definitions() -> dict[str, dict[str, Any]]:
    """Return the Properties of every SQS queue in the template, by logical id."""
    resources = load_template()["Resources"]
    return {
        name: res["Properties"]
        for name, res in resources.items()
        if res["Type"] == "AWS::SQS::Queue"
    }


def dead_letter_target(props: dict[str, Any]) -> str | None:
    """The logical id of the dead-letter queue a queue's RedrivePolicy points at."""
    policy = props.get("RedrivePolicy")
    if not policy:
        return None
    return policy["deadLetterTargetArn"]["GetAtt"].split(".")[0]


def queue_names(settings: Any) -> dict[str, str]:
    """The name of every template queue on this stage, by logical id."""
    queues = queue_definitions()
    names = {logical: getattr(settings, setting) for logical, setting in QUEUE_SETTINGS.items()}
    for logical in QUEUE_SETTINGS:
        target = dead_letter_target(queues[logical])
        if target:
            # A FIFO queue's name ends in ".fifo": the suffix goes before it.
            source = queues[logical]["QueueName"]["Sub"].removesuffix(FIFO)
            dead = queues[target]["QueueName"]["Sub"].removesuffix(FIFO)
            stem = names[logical].removesuffix(FIFO)
            fifo = FIFO if names[logical].endswith(FIFO) else ""
            names[target] = stem + dead.removeprefix(source) + fifo
    for logical, props in queues.items():  # a queue no setting names (an event DLQ)
        if logical not in names:
            template = props["QueueName"]["Sub"]
            names[logical] = template.replace("${Prefix}", "ibok").replace(
                "${Stage}", settings.stage
            )
    return names


def _queue_attributes(props: dict[str, Any]) -> dict[str, str]:
    return {
        name: str(props[name]).lower() if isinstance(props[name], bool) else str(props[name])
        for name in (
            "VisibilityTimeout",
            "MessageRetentionPeriod",
            "SqsManagedSseEnabled",
            "FifoQueue",
            "ContentBasedDeduplication",
        )
        if name in props
    }


def create_queues(sqs: Any, settings: Any) -> dict[str, str]:
    """Create the template's queues (dead-letter queues first) unless they exist; return
    their ARNs by logical id."""
    queues = queue_definitions()
    names = queue_names(settings)
    arns: dict[str, str] = {}
    order = sorted(queues, key=lambda logical: dead_letter_target(queues[logical]) is not None)
    for logical in order:
        props = queues[logical]
        attributes = _queue_attributes(props)
        target = dead_letter_target(props)
        if target:
            policy = {
                "deadLetterTargetArn": arns[target],
                "maxReceiveCount": props["RedrivePolicy"]["maxReceiveCount"],
            }
            attributes["RedrivePolicy"] = json.dumps(policy)
        url = sqs.create_queue(QueueName=names[logical], Attributes=attributes)["QueueUrl"]
        found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        arns[logical] = found["Attributes"]["QueueArn"]
    return arns


def rule_definitions() -> dict[str, dict[str, Any]]:
    """Return the Properties of every EventBridge rule in the template, by logical id."""
    resources = load_template()["Resources"]
    return {
        name: res["Properties"]
        for name, res in resources.items()
        if res["Type"] == "AWS::Events::Rule"
    }


def _resolve(value: Any, refs: dict[str, str]) -> Any:
    """The template value with `!Ref X` and `!GetAtt X.Arn` replaced from `refs`."""
    if isinstance(value, dict):
        if set(value) == {"Ref"}:
            return refs[value["Ref"]]
        if set(value) == {"GetAtt"}:
            return refs[value["GetAtt"].removesuffix(".Arn")]
        return {key: _resolve(item, refs) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, refs) for item in value]
    return value


def create_rules(events: Any, refs: dict[str, str], stage: str) -> None:
    """Create the template's EventBridge rules and their targets (put: idempotent)."""
    for logical, props in rule_definitions().items():
        name = f"ibok-{stage}-{logical}"
        events.put_rule(
            Name=name,
            EventPattern=json.dumps(_resolve(props["EventPattern"], refs)),
            State="ENABLED",
        )
        events.put_targets(Rule=name, Targets=_resolve(props["Targets"], refs))


def route_bucket_events(s3: Any, events: Any, settings: Any, arns: dict[str, str]) -> None:
    """Send the data bucket's events to EventBridge and create the template's rules, whose
    targets are the queues of `arns` (by logical id): an upload under imports/ lands on
    the import queue."""
    s3.put_bucket_notification_configuration(
        Bucket=settings.data_bucket,
        NotificationConfiguration={"EventBridgeConfiguration": {}},
    )
    create_rules(events, {"DataBucket": settings.data_bucket, **arns}, settings.stage)


def queue_arns(sqs: Any, settings: Any) -> dict[str, str]:
    """The ARN of every template queue of this stage, by logical id."""
    return {
        logical: sqs.get_queue_attributes(
            QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"], AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        for logical, name in queue_names(settings).items()
    }


def bucket_cors(origin: str) -> dict[str, Any]:
    """The data bucket's CORS configuration from the template (`put_bucket_cors` form) with
    the portal's origin as `FrontendOrigin`: the browser POSTs reading photos to the bucket
    with the presigned form, from the portal."""
    props = load_template()["Resources"]["DataBucket"]["Properties"]
    rules = _resolve(props["CorsConfiguration"]["CorsRules"], {"FrontendOrigin": origin})
    return {
        "CORSRules": [
            {
                key: rule[key]
                for key in ("AllowedMethods", "AllowedOrigins", "AllowedHeaders", "ExposedHeaders")
                if key in rule
            }
            | ({"MaxAgeSeconds": rule["MaxAge"]} if "MaxAge" in rule else {})
            for rule in rules
        ]
    }


def create_resources(
    dynamodb: Any, s3: Any, ssm: Any, sqs: Any, settings: Any, events: Any = None
) -> None:
    """Create tables, the data bucket (with the template's CORS rule for the portal), the
    queues, the EventBridge rules (with `events`, an EventBridge client) and the local
    secrets if they do not exist yet."""
    existing = set(dynamodb.list_tables()["TableNames"])
    for logical_id, props in table_definitions().items():
        name = getattr(settings, TABLE_SETTINGS[logical_id])
        if name in existing:
            continue
        dynamodb.create_table(**create_table_kwargs(props, name))
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={
                    "AttributeName": ttl["AttributeName"],
                    "Enabled": ttl["Enabled"],
                },
            )
    buckets = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if settings.data_bucket not in buckets:
        s3.create_bucket(
            Bucket=settings.data_bucket,
            CreateBucketConfiguration={"LocationConstraint": settings.region},
        )
        s3.put_bucket_versioning(
            Bucket=settings.data_bucket, VersioningConfiguration={"Status": "Enabled"}
        )
    # Always (put is idempotent): the portal's origin is the stage's, and may have changed.
    s3.put_bucket_cors(
        Bucket=settings.data_bucket, CORSConfiguration=bucket_cors(settings.cors_origin)
    )
    arns = create_queues(sqs, settings)
    if events is not None:
        route_bucket_events(s3, events, settings, arns)
    ensure_secret(ssm, settings.pepper_parameter)
    ensure_secret(ssm, settings.bluemedia_key_parameter)
    ensure_secret(ssm, settings.bluemedia_service_parameter, value=LOCAL_SERVICE_ID)


def create_mail_resources(sesv2: Any, sns: Any, settings: Any) -> None:
    """The SES configuration set and the mail-events topic of infra/app.yaml, if they do
    not exist yet (moto keeps both; it publishes no bounce or complaint events, so tests
    deliver those to the handler themselves)."""
    existing = set(sesv2.list_configuration_sets().get("ConfigurationSets", []))
    if settings.mail_configuration_set not in existing:
        sesv2.create_configuration_set(ConfigurationSetName=settings.mail_configuration_set)
    sns.create_topic(Name=settings.mail_events_topic)  # idempotent


def ensure_secret(ssm: Any, name: str, value: str | None = None) -> None:
    """Create a SecureString parameter (random unless `value` is given) unless it exists
    (local stack and tests only)."""
    try:
        ssm.get_parameter(Name=name)
    except ssm.exceptions.ParameterNotFound:
        ssm.put_parameter(Name=name, Value=value or secrets.token_urlsafe(32), Type="SecureString")
