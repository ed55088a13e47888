"""One IAM policy per function (infra/policies.py), and the check of the test suite's
recorded AWS calls against them (tests/iam_calls.py)."""

from __future__ import annotations

import copy

from infra import policies
from infra.policies import FUNCTIONS, Names, policy
from tests import iam_calls
from tests.iam_calls import allowed_by, problems

NAMES = Names(
    accounts_table="ibok-dev-accounts",
    billing_table="ibok-dev-billing",
    service_table="ibok-dev-service",
    audit_table="ibok-dev-audit",
    data_bucket="ibok-dev-data",
    reset_queue="ibok-dev-reset-mail",
    import_queue="ibok-dev-imports.fifo",
    ticket_upload_queue="ibok-dev-ticket-uploads",
    job_queue="ibok-dev-job-work",
    mail_sender="ibok@dev.wodociagi.example",
    mail_configuration_set="ibok-dev-mail",
    pepper_parameter="/ibok/dev/password-pepper",
    bluemedia_service_parameter="/ibok/dev/bluemedia-service-id",
    bluemedia_key_parameter="/ibok/dev/bluemedia-key",
    edge_secret_parameter="/ibok/dev/edge-secret",
)
ALL = {function: policy(function, NAMES) for function in FUNCTIONS}


def allows(function: str, action: str, resource: str, **context: str) -> bool:
    return allowed_by(ALL[function], action, resource, context)


def test_the_policy_files_are_generated_from_infra_policies():
    assert policies.main(["--check"]) == 0


def test_no_data_action_on_every_resource_and_no_describe_table_or_scan():
    for function, document in ALL.items():
        for statement in document["Statement"]:
            for resource in statement["Resource"]:
                service = statement["Action"][0].split(":")[0]
                if statement["Action"] != ["sns:Publish"]:  # an SMS to a number has no ARN
                    assert resource != "*", (function, statement["Sid"])
                if service != "logs":
                    assert ":*:*:*" not in resource and not resource.endswith(":::*")
            assert "dynamodb:DescribeTable" not in statement["Action"], function
            assert "dynamodb:Scan" not in statement["Action"], function


def test_the_api_cannot_write_imports_and_the_jobs_cannot_read_secrets():
    batch = "arn:aws:s3:::ibok-dev-data/imports/a.jsonl"
    assert not allows("api_handler", "s3:PutObject", batch)
    assert allows("api_handler", "s3:PutObject", "arn:aws:s3:::ibok-dev-data/reading-photos/1")
    pepper = "arn:aws:ssm:eu-central-1:1:parameter/ibok/dev/password-pepper"
    assert allows("api_handler", "ssm:GetParameter", pepper)
    edge = "arn:aws:ssm:eu-central-1:1:parameter/ibok/dev/edge-secret"
    assert allows("api_handler", "ssm:GetParameter", edge)
    for function in ("billing_import", "export_readings", "reset_mail"):
        assert not allows(function, "ssm:GetParameter", pepper), function
        assert not allows(function, "ssm:GetParameter", edge), function
    # The import reads batches and writes only their reports.
    assert allows("billing_import", "s3:GetObject", batch)
    assert not allows("billing_import", "s3:PutObject", batch)
    assert allows("billing_import", "s3:PutObject", batch + ".failed.json")
    # Mail only from the stage's sender.
    identity = "arn:aws:ses:eu-central-1:1:identity/ibok@dev.wodociagi.example"
    sender = {"ses:FromAddress": "ibok@dev.wodociagi.example"}
    assert allows("reset_mail", "ses:SendEmail", identity, **sender)
    assert not allows("reset_mail", "ses:SendEmail", identity, **{"ses:FromAddress": "x@y.pl"})
    assert not allows("export_readings", "ses:SendEmail", identity, **sender)
    # SES authorises a send against the identity it verified: the address, or (the usual
    # case, and what MailDomain creates) the address's domain.
    domain = "arn:aws:ses:eu-central-1:1:identity/dev.wodociagi.example"
    assert allows("reset_mail", "ses:SendEmail", domain, **sender)
    assert allows("api_handler", "ses:SendEmail", domain, **sender)
    assert not allows("api_handler", "ses:SendEmail", domain, **{"ses:FromAddress": "x@y.pl"})


def test_a_call_a_policy_lost_fails_the_check():
    table = "arn:aws:dynamodb:eu-central-1:1:table/ibok-dev-accounts"
    calls = {("api_handler", "dynamodb:UpdateItem", table, ())}
    assert problems(calls, ALL, every_test_ran=False) == []
    shrunk = copy.deepcopy(ALL)
    for statement in shrunk["api_handler"]["Statement"]:
        if "dynamodb:UpdateItem" in statement["Action"]:
            statement["Action"].remove("dynamodb:UpdateItem")
    assert problems(calls, shrunk, every_test_ran=False) == [
        f"api_handler: dynamodb:UpdateItem on {table} is not allowed by its policy"
    ]


def test_a_grant_nothing_calls_fails_the_check_of_a_whole_run():
    found = problems(set(), ALL, every_test_ran=True)
    exports = "arn:aws:s3:::ibok-dev-data/exports/readings/*"
    assert (
        f"export_readings: Exports grants s3:PutObject on {exports}, which nothing calls" in found
    )
    # The runtime's log writes and the event source mapping's calls are not the code's.
    assert not any("logs:" in line for line in found)
    assert not any("reset_mail" in line and "sqs:ReceiveMessage" in line for line in found)
    assert problems(set(), ALL, every_test_ran=False) == []


def test_calls_are_recorded_for_the_function_making_them(client):
    before = {c for c in iam_calls.recorded if c[0] == "api_handler"}
    iam_calls.recorded.difference_update(before)
    client.http.post(
        "/auth/login",
        body='{"login": "100200", "password": "x"}',
        headers={"Content-Type": "application/json"},
    )
    made = {(f, a) for f, a, _, _ in iam_calls.recorded if f == "api_handler"}
    iam_calls.recorded.update(before)
    assert ("api_handler", "dynamodb:TransactWriteItems") not in made  # IAM names its items
    # The login reads the account and the pepper (a failed login still hashes).
    assert {("api_handler", "dynamodb:GetItem"), ("api_handler", "ssm:GetParameter")} <= made


def test_no_function_may_change_or_delete_an_audit_entry():
    """The audit log is append-only: every function's policy denies changing or deleting
    an entry, whatever it grants (a Deny wins over any Allow, also one added later)."""
    table = "arn:aws:dynamodb:eu-central-1:1:table/ibok-dev-audit"
    for function, document in ALL.items():
        denies = [s for s in document["Statement"] if s["Effect"] == "Deny"]
        assert any(s["Sid"] == "AuditLogIsAppendOnly" for s in denies), function
        for action in ("UpdateItem", "DeleteItem", "BatchWriteItem"):
            assert not allows(function, f"dynamodb:{action}", table), (function, action)
        widened = copy.deepcopy(document)
        widened["Statement"].append(
            {"Effect": "Allow", "Action": ["dynamodb:*"], "Resource": [table]}
        )
        assert not allowed_by(widened, "dynamodb:DeleteItem", table, {}), function
        assert allowed_by(widened, "dynamodb:PutItem", table, {}), function
    # The API appends and reads; the other functions do not touch the log.
    assert allows("api_handler", "dynamodb:PutItem", table)
    assert allows("api_handler", "dynamodb:Query", table + "/index/by_day")
    for function in ("billing_import", "export_readings", "reset_mail"):
        assert not allows(function, "dynamodb:PutItem", table), function
