"""The deployable definitions agree with the code: tables, stages, IAM, gateway responses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.models.accounts import Account, OneTimeToken, Session
from chalicelib.models.audit import AuditRecord
from chalicelib.models.billing import BillingItem, CustomerRecord, InvoiceRecord
from chalicelib.models.meters import MeterRecord, ReadingRecord
from chalicelib.models.service import ServiceItem, TicketItem
from infra.local import (
    QUEUE_SETTINGS,
    TABLE_SETTINGS,
    dead_letter_target,
    load_template,
    queue_definitions,
    rule_definitions,
    table_definitions,
)

ROOT = Path(__file__).resolve().parents[2]


def key_schema(props):
    return {k["AttributeName"]: k["KeyType"] for k in props["KeySchema"]}


def test_every_template_table_has_a_setting():
    assert set(table_definitions()) == set(TABLE_SETTINGS)


def test_models_match_the_template_keys_and_indexes():
    tables = table_definitions()
    pairs = (
        (Account, "AccountsTable"),
        (BillingItem, "BillingTable"),
        (ServiceItem, "ServiceTable"),
        (AuditRecord, "AuditTable"),
    )
    for model, logical in pairs:
        props = tables[logical]
        hash_key = model._hash_keyname
        range_key = model._range_keyname
        assert key_schema(props) == {hash_key: "HASH", range_key: "RANGE"}
    checked = 0
    for logical, models in (
        ("AccountsTable", (Account, Session, OneTimeToken)),
        ("BillingTable", (ReadingRecord, InvoiceRecord, CustomerRecord, MeterRecord)),
        ("ServiceTable", (TicketItem,)),
        ("AuditTable", (AuditRecord,)),
    ):
        indexes = {i["IndexName"]: i for i in tables[logical]["GlobalSecondaryIndexes"]}
        for model in models:
            for index in model._get_schema()["global_secondary_indexes"]:
                deployed = indexes[index["index_name"]]
                assert key_schema(deployed) == key_schema({"KeySchema": index["key_schema"]})
                assert deployed["Projection"] == index["projection"]
                checked += 1
    assert checked >= 12


def test_the_audit_table_keeps_its_entries():
    """No TTL removes an audit entry, and deleting the stack keeps the table."""
    props = table_definitions()["AuditTable"]
    assert "TimeToLiveSpecification" not in props
    resource = load_template()["Resources"]["AuditTable"]
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"


def test_tables_are_encrypted_with_point_in_time_recovery():
    for props in table_definitions().values():
        assert props["SSESpecification"]["SSEEnabled"] is True
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_accounts_table_expires_items_by_ttl():
    ttl = table_definitions()["AccountsTable"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": "expires_at", "Enabled": True}


def test_bucket_is_private_versioned_encrypted_and_tls_only():
    from infra.local import load_template

    resources = load_template()["Resources"]
    bucket = resources["DataBucket"]["Properties"]
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    statement = resources["DataBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_chalice_config_stages_and_policies():
    from app import app
    from infra.policies import FUNCTIONS

    app_functions = {"api_handler"} | {source.name for source in app.event_sources}
    assert set(FUNCTIONS) == app_functions  # infra/policies.py writes one for each
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    assert config["autogen_policy"] is False
    assert set(config["stages"]) == {"local", "dev", "prod"}
    required = {
        "STAGE",
        "ACCOUNTS_TABLE",
        "BILLING_TABLE",
        "AUDIT_TABLE",
        "DATA_BUCKET",
        "RESET_QUEUE",
        "MAIL_SENDER",
        "PEPPER_PARAMETER",
        "BLUEMEDIA_GATEWAY_URL",
        "BLUEMEDIA_SERVICE_PARAMETER",
        "BLUEMEDIA_KEY_PARAMETER",
    }
    for name, stage in config["stages"].items():
        assert required <= set(stage["environment_variables"]), name
        if name != "local":
            functions = stage["lambda_functions"]
            policies = {
                function: json.loads((ROOT / ".chalice" / f["iam_policy_file"]).read_text())
                for function, f in functions.items()
            }
            # One policy per Lambda function the app defines (Chalice makes one role per
            # function): the API's handler and every schedule, queue and topic handler.
            assert set(policies) == app_functions, name
            assert "iam_policy_file" not in stage
            for policy in policies.values():
                actions = {a for s in policy["Statement"] for a in s["Action"]}
                assert "dynamodb:Scan" not in actions
            # Without ListBucket S3 answers a missing key with 403, and a missing PDF would be
            # a 500 instead of the clear 404.
            bucket = f"arn:aws:s3:::ibok-{name}-data"
            assert any(
                "s3:ListBucket" in s["Action"] and s["Resource"] == [bucket]
                for s in policies["api_handler"]["Statement"]
            )
            assert "AWS_ENDPOINT_URL" not in stage["environment_variables"]
            # Every Lambda the app defines is sized; a 100,000-line import needs minutes.
            functions = stage["lambda_functions"]
            assert functions["billing_import"]["lambda_timeout"] == 900
            # Imports run one at a time (the FIFO import queue, one message group): no import
            # moves a meter's latest imported reading between an import's read and write.
            assert functions["billing_import"]["reserved_concurrency"] == 1
            assert {"billing_import", "export_readings"} <= set(functions)
            assert stage["environment_variables"]["BLUEMEDIA_GATEWAY_URL"].startswith("https://")


def test_app_is_not_in_debug_mode():
    from app import app

    assert app.debug is False


def test_gateway_responses_use_the_error_shape():
    extras = json.loads((ROOT / "infra" / "api-extras.json").read_text())
    types = {}
    for resource in extras["Resources"].values():
        props = resource["Properties"]
        body = props["ResponseTemplates"]["application/json"].replace("$context.requestId", "r")
        types[props["ResponseType"]] = (props.get("StatusCode"), json.loads(body))
    assert types["MISSING_AUTHENTICATION_TOKEN"][0] == "404"
    assert types["THROTTLED"][1]["error"]["code"] == "too_many_requests"
    for _, body in types.values():
        assert set(body["error"]) >= {"code", "message", "fields", "request_id"}


# Every response type API Gateway has (the GatewayResponse API reference).
GATEWAY_RESPONSE_TYPES = {
    "DEFAULT_4XX", "DEFAULT_5XX", "RESOURCE_NOT_FOUND", "UNAUTHORIZED", "INVALID_API_KEY",
    "ACCESS_DENIED", "AUTHORIZER_FAILURE", "AUTHORIZER_CONFIGURATION_ERROR",
    "INVALID_SIGNATURE", "EXPIRED_TOKEN", "MISSING_AUTHENTICATION_TOKEN",
    "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT", "API_CONFIGURATION_ERROR",
    "UNSUPPORTED_MEDIA_TYPE", "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY",
    "REQUEST_TOO_LARGE", "THROTTLED", "QUOTA_EXCEEDED", "WAF_FILTERED",
}  # fmt: skip
ORIGIN = "https://dev.ibok.wodociagi.example"


def test_api_extras_is_generated_from_the_python_constants():
    from infra.gateway_responses import render

    committed = (ROOT / "infra" / "api-extras.json").read_text("utf-8")
    assert committed == render(), "run: python -m infra.gateway_responses --write"


def test_every_gateway_response_carries_the_security_headers_and_cors():
    """API Gateway answers these before the app runs (unknown route, throttled, 5xx…): they
    carry the app's security headers and its CORS answer for the stage's one origin."""
    from chalicelib.http.cors import granted_headers
    from chalicelib.http.responses import API_SECURITY_HEADERS
    from infra.gateway_responses import definitions

    responses = definitions(ORIGIN)
    assert set(responses) == GATEWAY_RESPONSE_TYPES
    expected = {**API_SECURITY_HEADERS, **granted_headers(ORIGIN)}
    assert expected["Access-Control-Allow-Origin"] == ORIGIN
    assert expected["Access-Control-Allow-Credentials"] == "true"
    for kind, kwargs in responses.items():
        headers = {
            name.removeprefix("gatewayresponse.header."): value
            for name, value in kwargs["responseParameters"].items()
        }
        for name, value in expected.items():
            assert headers[name] == f"'{value}'", (kind, name)
        assert "*" not in headers["Access-Control-Allow-Origin"], kind
        status = kwargs.get("statusCode")
        assert status is None or 400 <= int(status) < 600, kind
    assert responses["THROTTLED"]["statusCode"] == "429"
    assert responses["ACCESS_DENIED"]["statusCode"] == "403"


def test_gateway_responses_take_the_stages_origin_and_refuse_a_wildcard():
    from chalicelib.http.cors import granted_headers
    from infra.gateway_responses import stage_origin

    assert stage_origin("dev") == ORIGIN
    assert stage_origin("prod") == "https://ibok.wodociagi.example"
    with pytest.raises(ValueError, match="never"):
        granted_headers("*")


def test_bucket_accepts_photo_uploads_only_from_the_portal():
    from infra.local import load_template

    bucket = load_template()["Resources"]["DataBucket"]["Properties"]
    (rule,) = bucket["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedMethods"] == ["POST"]
    assert rule["AllowedOrigins"] == [{"Ref": "FrontendOrigin"}]


def test_gateway_responses_can_be_applied_to_a_deployed_api(aws_env):
    from chalicelib import aws
    from infra.gateway_responses import apply

    apigateway = aws.client("apigateway")
    rest_api_id = apigateway.create_rest_api(name="ibok")["id"]
    applied = apply(apigateway, rest_api_id, ORIGIN)
    assert set(applied) == GATEWAY_RESPONSE_TYPES
    not_found = apigateway.get_gateway_response(
        restApiId=rest_api_id, responseType="MISSING_AUTHENTICATION_TOKEN"
    )
    assert not_found["statusCode"] == "404"
    template = not_found["responseTemplates"]["application/json"]
    assert json.loads(template.replace("$context.requestId", "x"))["error"]["code"] == "not_found"
    throttled = apigateway.get_gateway_response(restApiId=rest_api_id, responseType="THROTTLED")
    params = throttled["responseParameters"]
    assert params["gatewayresponse.header.Access-Control-Allow-Origin"] == f"'{ORIGIN}'"
    assert params["gatewayresponse.header.X-Content-Type-Options"] == "'nosniff'"


def _config():
    return json.loads((ROOT / ".chalice" / "config.json").read_text())


def _stage_name(template_name: dict, stage: str) -> str:
    """A template name on `stage` with the default prefix (the names in config.json)."""
    return template_name["Sub"].replace("${Prefix}", "ibok").replace("${Stage}", stage)


def test_every_queue_has_a_setting_and_a_dead_letter_queue():
    queues = queue_definitions()
    dead_letters = {dead_letter_target(queues[logical]) for logical in QUEUE_SETTINGS}
    event_dead_letters = {
        target["DeadLetterConfig"]["Arn"]["GetAtt"].removesuffix(".Arn")
        for rule in rule_definitions().values()
        for target in rule["Targets"]
    }
    assert set(queues) == set(QUEUE_SETTINGS) | dead_letters | event_dead_letters
    assert None not in dead_letters  # every work queue ends in a dead-letter queue
    for logical in QUEUE_SETTINGS:
        props = queues[logical]
        dead = queues[dead_letter_target(props)]
        assert 2 <= props["RedrivePolicy"]["maxReceiveCount"] <= 10
        # infra/local.py names a dead-letter queue after its source queue (".fifo" last)
        fifo = props.get("FifoQueue", False)
        assert dead.get("FifoQueue", False) is fifo  # SQS: a FIFO queue's DLQ is FIFO
        stem = props["QueueName"]["Sub"].removesuffix(".fifo")
        assert dead["QueueName"]["Sub"].startswith(stem)
        assert dead["QueueName"]["Sub"].endswith(".fifo") is fifo
        # a message outlives its source queue's retention in the dead-letter queue
        assert dead["MessageRetentionPeriod"] > props["MessageRetentionPeriod"]
    for props in queues.values():
        assert props["SqsManagedSseEnabled"] is True


def test_every_dead_letter_queue_raises_an_alarm_on_its_first_message():
    """Every dead-letter queue (of a queue's redrive policy or of an EventBridge target)
    has an alarm on its depth above 0 that notifies the alarm topic, and every SQS alarm
    watches one of them."""
    resources = load_template()["Resources"]
    queues = queue_definitions()
    dead_letters = {dead_letter_target(props) for props in queues.values()} - {None}
    dead_letters |= {
        target["DeadLetterConfig"]["Arn"]["GetAtt"].removesuffix(".Arn")
        for rule in rule_definitions().values()
        for target in rule["Targets"]
    }
    assert "JobWorkDeadLetters" in dead_letters  # the scheduled jobs' failed batches
    watched = {}
    for resource in resources.values():
        props = resource.get("Properties", {})
        if resource["Type"] != "AWS::CloudWatch::Alarm" or props.get("Namespace") != "AWS/SQS":
            continue
        (dimension,) = props["Dimensions"]
        watched[dimension["Value"]["GetAtt"].removesuffix(".QueueName")] = props
    assert set(watched) == dead_letters
    for props in watched.values():
        assert props["MetricName"] == "ApproximateNumberOfMessagesVisible"
        assert (props["ComparisonOperator"], props["Threshold"]) == ("GreaterThanThreshold", 0)
        assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_queue_handlers_consume_the_template_queues_on_every_stage():
    from chalice.app import SQSEventConfig

    from app import app
    from chalicelib.services.sessions import RESET_CLAIM_LEASE

    config = _config()
    queues = queue_definitions()
    handlers = {s.name: s for s in app.event_sources if isinstance(s, SQSEventConfig)}
    assert set(handlers) == {"reset_mail", "billing_import", "ticket_upload", "job_work"}
    # One batch at a time, in arrival order: one message per invocation from a FIFO queue
    # whose batches all share one message group.
    assert handlers["billing_import"].batch_size == 1
    imports = queues["ImportQueue"]
    assert imports["FifoQueue"] is True and imports["ContentBasedDeduplication"] is True
    rule = load_template()["Resources"]["ImportBatchesRule"]["Properties"]
    (target,) = rule["Targets"]
    assert target["Arn"] == {"GetAtt": "ImportQueue.Arn"} and target["SqsParameters"]
    for name, stage in config["stages"].items():
        variables = stage["environment_variables"]
        assert variables["IMPORT_QUEUE"] == _stage_name(imports["QueueName"], name)
        queue = queues["ResetMailQueue"]
        assert variables["RESET_QUEUE"] == _stage_name(queue["QueueName"], name)
        if name == "local":
            continue
        import_timeout = stage["lambda_functions"]["billing_import"]["lambda_timeout"]
        assert imports["VisibilityTimeout"] >= 6 * import_timeout
        timeout = stage["lambda_functions"]["reset_mail"]["lambda_timeout"]
        # AWS: the visibility timeout at least six times the consumer's timeout.
        assert queue["VisibilityTimeout"] >= 6 * timeout
        # A claim outlives a live consumer and is free again before SQS redelivers.
        assert timeout < RESET_CLAIM_LEASE < queue["VisibilityTimeout"]

        def allowed(function: str, queue: str, stage: dict = stage) -> set[str]:
            file = stage["lambda_functions"][function]["iam_policy_file"]
            policy = json.loads((ROOT / ".chalice" / file).read_text())
            arn = f"arn:aws:sqs:*:*:{queue}"
            return {
                action
                for statement in policy["Statement"]
                if arn in statement["Resource"]
                for action in statement["Action"]
            }

        # The API sends; Chalice's SQS event source (with a policy file, Chalice adds
        # nothing) receives, deletes and reads the queue's attributes with the consumer's
        # role.
        assert allowed("api_handler", variables["RESET_QUEUE"]) == {
            "sqs:GetQueueUrl",
            "sqs:SendMessage",
        }
        event_source = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}
        assert allowed("reset_mail", variables["RESET_QUEUE"]) == event_source
        assert allowed("billing_import", variables["IMPORT_QUEUE"]) >= event_source
        # The jobs' fan-out: its consumer's visibility timeout covers six of its timeouts,
        # its reserved concurrency is the one the pacing divides the send rate by, and a
        # job mark's claim lease lies between the two (fanout.py).
        from chalicelib.storage.job_marks import CLAIM_LEASE_SECONDS

        jobs = queues["JobWorkQueue"]
        worker = stage["lambda_functions"]["job_work"]
        assert variables["JOB_QUEUE"] == _stage_name(jobs["QueueName"], name)
        assert jobs["VisibilityTimeout"] >= 6 * worker["lambda_timeout"]
        assert worker["lambda_timeout"] < CLAIM_LEASE_SECONDS < jobs["VisibilityTimeout"]
        assert worker["reserved_concurrency"] == int(variables["JOB_WORK_CONCURRENCY"])
        assert allowed("job_work", variables["JOB_QUEUE"]) == event_source


def _table_models() -> list[type]:
    """Every concrete model of the tables."""
    import chalicelib.models.audit
    import chalicelib.models.contracts
    import chalicelib.models.payments
    import chalicelib.models.service  # noqa: F401  (registers its models)
    from chalicelib.models.base import TableModel

    found, todo = [], [TableModel]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls is not TableModel:
            found.append(cls)
    return found


def _declared_indexes() -> dict[str, str]:
    """Index name -> the model attribute that declares it."""
    from pynamodb.indexes import GlobalSecondaryIndex

    declared = {}
    for model in _table_models():
        for name, value in vars(model).items():
            if isinstance(value, GlobalSecondaryIndex):
                declared[value.Meta.index_name] = name
    return declared


def test_every_index_is_declared_by_a_model_and_read_by_the_code():
    """An index costs a write on every item it lists: each one deployed is declared by a
    model (so the drift test above checks it) and queried by the application."""
    deployed = {
        index["IndexName"]
        for props in table_definitions().values()
        for index in props.get("GlobalSecondaryIndexes", [])
    }
    declared = _declared_indexes()
    assert deployed == set(declared)
    code = "\n".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "chalicelib").rglob("*.py")
    )
    unread = [name for name, attr in declared.items() if f".{attr}.query(" not in code]
    assert unread == []


def test_every_accounts_item_expires_through_a_ttl_attribute():
    from pynamodb.attributes import TTLAttribute

    from chalicelib.models.accounts import AccountsItem

    ttl = table_definitions()["AccountsTable"]["TimeToLiveSpecification"]["AttributeName"]
    attribute = AccountsItem.get_attributes()[ttl]
    assert isinstance(attribute, TTLAttribute)
    for model in _table_models():
        if issubclass(model, AccountsItem):
            assert model.get_attributes()[ttl] is attribute


def test_the_local_bucket_takes_the_templates_cors_rule_for_the_portal(aws_env):
    from chalicelib import aws
    from chalicelib.settings import get_settings
    from infra.local import bucket_cors

    assert bucket_cors("http://127.0.0.1:8080") == {
        "CORSRules": [
            {
                "AllowedMethods": ["POST"],
                "AllowedOrigins": ["http://127.0.0.1:8080"],
                "AllowedHeaders": ["*"],
                "MaxAgeSeconds": 3000,
            }
        ]
    }
    settings = get_settings()
    (rule,) = aws.client("s3").get_bucket_cors(Bucket=settings.data_bucket)["CORSRules"]
    assert rule["AllowedOrigins"] == [settings.cors_origin]
    assert rule["AllowedMethods"] == ["POST"]


def test_stale_ticket_uploads_expire_after_the_dead_letters_do():
    resources = load_template()["Resources"]
    rules = {
        rule["Id"]: rule
        for rule in resources["DataBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    }
    stale = rules["ExpireStaleTicketUploads"]
    assert stale["Status"] == "Enabled"
    assert stale["Prefix"] == "tickets-pending/"
    assert stale["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    retention = resources["TicketUploadDeadLetters"]["Properties"]["MessageRetentionPeriod"]
    assert retention < stale["ExpirationInDays"] * 86400 <= retention + 2 * 86400
    markers = rules["RemoveStaleTicketUploadMarkers"]
    assert markers["Prefix"] == "tickets-pending/" and markers["ExpiredObjectDeleteMarker"]
    # Nothing else is expired: a rule without a prefix keeps only old versions' limit.
    assert {r.get("Prefix") for r in rules.values() if "ExpirationInDays" in r} == {
        "tickets-pending/"
    }


def test_cleanup_waits_for_the_bucket_to_expire_a_pending_upload():
    """The cleanup job drops a pending attachment only once the bucket's rule has removed
    any file under tickets-pending/ (so a redriven check never finds its slot gone)."""
    from chalicelib.jobs.cleanup import STALE_UPLOAD_DAYS
    from infra.local import load_template

    bucket = load_template()["Resources"]["DataBucket"]["Properties"]
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["ExpireStaleTicketUploads"]["ExpirationInDays"] <= STALE_UPLOAD_DAYS
