"""Every AWS call the test suite makes, as the IAM actions it needs and the Lambda function
that made it, checked against that function's policy (infra/policies.py).

`install()` (tests/conftest.py, before any client exists) registers a botocore event
handler on every client created afterwards: `provide-client-params` fires for each API
call and each presigned URL; `before-sign` of a presigned POST adds the upload it allows.
Each call is attributed to the function running it: the code on the calling thread's stack
(the API's `Chalice.__call__`, an app event handler, or an entry point a test calls
directly: `run_import`, `export_readings`, `send_reset_mail`, `complaint_digest`, the
jobs' scheduled functions and `jobs.work.consume`), carried
into thread-pool workers by a context variable set when the work is submitted. Calls made
by the tests themselves (fixtures creating tables, assertions reading them) belong to no function.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import contextvars
import fnmatch
import functools
import json
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import CodeType
from typing import Any

from botocore.client import ClientCreator

ACCOUNT = "123456789012"  # moto's

Call = tuple[str, str, str, tuple[tuple[str, str], ...]]  # function, action, resource, context

_function: contextvars.ContextVar[str | None] = contextvars.ContextVar("iam_function", default=None)
recorded: set[Call] = set()
unattributed: set[tuple[str, str]] = set()


@functools.cache
def _entry_points() -> dict[CodeType, str]:
    from chalice.app import Chalice

    from app import app
    from chalicelib.imports.service import run_import
    from chalicelib.jobs.announcements import announcements
    from chalicelib.jobs.certification_digest import certification_digest
    from chalicelib.jobs.cleanup import cleanup
    from chalicelib.jobs.complaint_digest import complaint_digest
    from chalicelib.jobs.expire_unactivated import expire_unactivated
    from chalicelib.jobs.export_readings import export_readings
    from chalicelib.jobs.invoice_reminders import invoice_reminders
    from chalicelib.jobs.new_invoices import new_invoices
    from chalicelib.jobs.reading_window import reading_window
    from chalicelib.jobs.terminations import terminations
    from chalicelib.jobs.work import consume
    from chalicelib.services.sessions import send_reset_mail

    entries = {Chalice.__call__.__code__: "api_handler"}
    for source in app.event_sources:  # SQS and schedule handlers (not the routes' views)
        handler = app.handler_map[source.name]
        entries[getattr(handler, "func", handler).__code__] = source.name
    entries[run_import.__code__] = "billing_import"
    entries[export_readings.__code__] = "export_readings"
    entries[complaint_digest.__code__] = "complaint_digest"
    entries[send_reset_mail.__code__] = "reset_mail"
    entries[consume.__code__] = "job_work"
    entries[expire_unactivated.__code__] = "expire_unactivated"
    entries[terminations.__code__] = "terminations"
    entries[cleanup.__code__] = "cleanup"
    entries[invoice_reminders.__code__] = "invoice_reminders"
    entries[new_invoices.__code__] = "new_invoices"
    entries[reading_window.__code__] = "reading_window"
    entries[certification_digest.__code__] = "certification_digest"
    entries[announcements.__code__] = "announcements"
    return entries


@contextlib.contextmanager
def as_function(name: str) -> Iterator[None]:
    """Attribute the calls made inside the block to function `name`: a test calling a
    service the function's code calls (before a route or handler reaches it)."""
    token = _function.set(name)
    try:
        yield
    finally:
        _function.reset(token)


def current_function() -> str | None:
    """The Lambda function whose code is running on this thread, if any."""
    named = _function.get()
    if named is not None:
        return named
    entries = _entry_points()
    frame = sys._getframe(1)
    while frame is not None:
        found = entries.get(frame.f_code)
        if found is not None:
            return found
        if _is_test_code(frame.f_code.co_filename):
            return None  # a test's own call, even one made while a function runs
        frame = frame.f_back
    return None


_TESTS = str(Path(__file__).parent) + "/"
_HARNESS = {"conftest.py", "iam_calls.py"}  # wrap every call: not a test's own code


@functools.cache
def _is_test_code(filename: str) -> bool:
    return filename.startswith(_TESTS) and filename.rsplit("/", 1)[-1] not in _HARNESS


def _arn(service: str, region: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{resource}"


def _table(region: str, name: str, index: str | None = None) -> str:
    return _arn("dynamodb", region, f"table/{name}" + (f"/index/{index}" if index else ""))


_TRANSACT = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem"}
_TRANSACT |= {"ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
_SQS_BATCH = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage"}
_SQS_BATCH |= {"ChangeMessageVisibilityBatch": "ChangeMessageVisibility"}


def requirements(
    service: str, operation: str, params: dict[str, Any], region: str
) -> list[tuple[str, str, dict[str, str]]]:
    """The (IAM action, resource ARN, condition keys) one call needs."""
    if service == "dynamodb":
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [
                (f"dynamodb:{operation}", _table(region, t), {}) for t in params["RequestItems"]
            ]
        if operation in ("TransactWriteItems", "TransactGetItems"):
            needs = []
            for item in params["TransactItems"]:
                ((kind, body),) = item.items()
                needs.append((f"dynamodb:{_TRANSACT[kind]}", _table(region, body["TableName"]), {}))
            return needs
        if "TableName" in params:
            table = _table(region, params["TableName"], params.get("IndexName"))
            return [(f"dynamodb:{operation}", table, {})]
        return [(f"dynamodb:{operation}", "*", {})]
    if service == "s3":
        bucket, key = params.get("Bucket", ""), params.get("Key")
        if operation in ("ListObjectsV2", "ListObjects"):
            return [("s3:ListBucket", f"arn:aws:s3:::{bucket}", {})]
        if key is None:
            return [(f"s3:{operation}", f"arn:aws:s3:::{bucket}", {})]
        obj = f"arn:aws:s3:::{bucket}/{key}"
        if operation in ("GetObject", "HeadObject"):
            return [("s3:GetObjectVersion" if params.get("VersionId") else "s3:GetObject", obj, {})]
        if operation == "CopyObject":  # reads the source, writes the copy
            source, read = params["CopySource"], "s3:GetObject"
            if isinstance(source, dict):
                read = "s3:GetObjectVersion" if source.get("VersionId") else read
                source = f"{source['Bucket']}/{source['Key']}"
            return [(read, f"arn:aws:s3:::{source}", {}), ("s3:PutObject", obj, {})]
        if operation in ("CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"):
            return [("s3:PutObject", obj, {})]
        return [(f"s3:{operation}", obj, {})]
    if service == "sqs":
        name = params.get("QueueName") or str(params.get("QueueUrl", "")).rsplit("/", 1)[-1]
        action = _SQS_BATCH.get(operation, operation)
        return [(f"sqs:{action}", _arn("sqs", region, name), {})]
    if service == "ses" and operation in ("SendEmail", "SendRawEmail"):
        source = str(params.get("Source", "")).rsplit("<", 1)[-1].rstrip(">")
        identity = _arn("ses", region, f"identity/{source}")
        return [(f"ses:{operation}", identity, {"ses:FromAddress": source})]
    if service == "sesv2" and operation == "SendEmail":
        # SES v2 authorises a send against the From identity and the configuration set.
        source = str(params.get("FromEmailAddress", "")).rsplit("<", 1)[-1].rstrip(">")
        condition = {"ses:FromAddress": source}
        needs = [("ses:SendEmail", _arn("ses", region, f"identity/{source}"), condition)]
        if params.get("ConfigurationSetName"):
            config_set = _arn("ses", region, f"configuration-set/{params['ConfigurationSetName']}")
            needs.append(("ses:SendEmail", config_set, condition))
        return needs
    if service == "sns" and operation == "Publish" and "PhoneNumber" in params:
        return [("sns:Publish", "*", {})]  # an SMS has no resource: IAM needs "*"
    if service == "ssm" and "Name" in params:
        return [(f"ssm:{operation}", _arn("ssm", region, f"parameter{params['Name']}"), {})]
    return [(f"{service}:{operation}", "*", {})]


def _record(service: str, operation: str, params: dict[str, Any], region: str) -> None:
    function = current_function()
    if function is None:
        unattributed.add((service, operation))
        return
    for action, resource, context in requirements(service, operation, params, region):
        recorded.add((function, action, resource, tuple(sorted(context.items()))))


def _register(client: Any) -> None:
    service = client.meta.service_model.service_name
    region = client.meta.region_name

    presigned_post_bucket = threading.local()

    def on_params(params: dict[str, Any], model: Any, context: Any = None, **_: Any) -> None:
        if model.name == "CreateBucket" and (context or {}).get("is_presign_request"):
            # generate_presigned_post builds its URL from CreateBucket's: the upload it
            # allows is recorded when it is signed, with the key.
            presigned_post_bucket.name = params["Bucket"]
            return
        _record(service, model.name, params, region)

    def on_presigned_post(request: Any, **_: Any) -> None:
        fields = request.context.get("s3-presign-post-fields")
        if fields is not None:
            bucket = presigned_post_bucket.name
            _record("s3", "PutObject", {"Bucket": bucket, "Key": fields["key"]}, region)

    client.meta.events.register("provide-client-params", on_params, unique_id="iam-calls")
    client.meta.events.register(
        "before-sign.s3.PutObject", on_presigned_post, unique_id="iam-calls-post"
    )


def install() -> None:
    """Record the calls of every client created from now on, and carry the running
    function into thread-pool workers."""
    create_client = ClientCreator.create_client

    def recording(self: ClientCreator, *args: Any, **kwargs: Any) -> Any:
        client = create_client(self, *args, **kwargs)
        _register(client)
        return client

    ClientCreator.create_client = recording  # type: ignore[method-assign]

    submit = concurrent.futures.ThreadPoolExecutor.submit

    def submit_in_function(self: Any, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        function = current_function()
        if function is None:
            return submit(self, fn, *args, **kwargs)

        def run() -> Any:
            token = _function.set(function)
            try:
                return fn(*args, **kwargs)
            finally:
                _function.reset(token)

        return submit(self, run)

    concurrent.futures.ThreadPoolExecutor.submit = submit_in_function  # type: ignore[method-assign]


def dump(path: Any) -> None:
    """Write what this process recorded (one file per xdist worker)."""
    path.write_text(json.dumps(sorted(recorded)), encoding="utf-8")


def load(paths: Iterable[Any]) -> set[Call]:
    """What the workers recorded."""
    calls: set[Call] = set()
    for path in paths:
        for function, action, resource, context in json.loads(path.read_text(encoding="utf-8")):
            calls.add((function, action, resource, tuple(tuple(kv) for kv in context)))
    return calls


# Policy evaluation: Allow statements, Action/Resource with * and ?, and the condition
# operators the policies use. A condition key the call does not carry fails the statement.
def _matches(value: str, patterns: str | list[str], case: bool = True) -> bool:
    patterns = [patterns] if isinstance(patterns, str) else patterns
    if not case:
        return any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in patterns)
    return any(fnmatch.fnmatchcase(value, p) for p in patterns)


def _condition_holds(condition: dict[str, Any], context: dict[str, str]) -> bool:
    for operator, tests in condition.items():
        for key, expected in tests.items():
            if key not in context:
                return False
            expected = [expected] if isinstance(expected, str) else expected
            if operator == "StringEquals" and context[key] not in expected:
                return False
            if operator == "StringLike" and not _matches(context[key], expected):
                return False
            if operator not in ("StringEquals", "StringLike"):
                return False
    return True


def allowed_by(policy: dict[str, Any], action: str, resource: str, context: dict[str, str]) -> bool:
    """Whether `policy` allows `action` on `resource` (no Deny statement matching)."""
    allow = False
    for statement in policy["Statement"]:
        if not _matches(action, statement["Action"], case=False):
            continue
        if not _matches(resource, statement["Resource"]):
            continue
        if not _condition_holds(statement.get("Condition", {}), context):
            continue
        if statement["Effect"] == "Deny":
            return False
        allow = True
    return allow


def statement_grants(policy: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Every (Sid, action, resource pattern) an Allow statement grants."""
    grants = []
    for statement in policy["Statement"]:
        if statement["Effect"] != "Allow":
            continue
        actions = statement["Action"]
        resources = statement["Resource"]
        for action in [actions] if isinstance(actions, str) else actions:
            for resource in [resources] if isinstance(resources, str) else resources:
                grants.append((statement.get("Sid", ""), action, resource))
    return grants


# Resources only tests create, on which a function's code runs; none exists on a stage.
TEST_ONLY_RESOURCES = {
    "arn:aws:s3:::ibok-test-unversioned/*": (
        "tests/api/test_import.py: a bucket without versioning shows the ETag fallback"
    ),
}


def problems(
    calls: set[Call], policies: dict[str, dict[str, Any]], every_test_ran: bool
) -> list[str]:
    """What is wrong: a recorded call its function's policy does not allow; when every
    test ran, also a grant no recorded call used (unless listed as used by AWS itself)."""
    from infra.policies import NOT_CALLED_BY_THE_CODE

    found = []
    for function, action, resource, context in sorted(calls):
        if _matches(resource, list(TEST_ONLY_RESOURCES)):
            continue
        if not allowed_by(policies[function], action, resource, dict(context)):
            found.append(f"{function}: {action} on {resource} is not allowed by its policy")
    if not every_test_ran:
        return found
    for function, policy in policies.items():
        for sid, action, pattern in statement_grants(policy):
            if (function, action) in NOT_CALLED_BY_THE_CODE or (
                "*",
                action,
            ) in NOT_CALLED_BY_THE_CODE:
                continue
            used = any(
                f == function and _matches(a, action, case=False) and _matches(r, pattern)
                for f, a, r, _ in calls
            )
            if not used:
                found.append(f"{function}: {sid} grants {action} on {pattern}, which nothing calls")
    return found
