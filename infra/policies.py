"""The IAM policy of every Lambda function, per stage: the one source of
`.chalice/policy-<function>-<stage>.json` (Chalice's per-function `iam_policy_file`).

Each function gets only the calls its code makes, on the resources of its stage (names
from the stage's environment in `.chalice/config.json`); tests/iam_calls.py records every
AWS call of the test suite and fails the run when a call is not allowed here, or when a
grant is used by no call (`NOT_CALLED_BY_THE_CODE` lists the grants used by AWS itself).

    python -m infra.policies --write   # regenerate the files after a change here
    python -m infra.policies --check   # exit 1 when a file differs (tests do the same)
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / ".chalice" / "config.json"
FUNCTIONS = (
    "api_handler",
    "billing_import",
    "export_readings",
    "reset_mail",
    "ticket_upload",
    "complaint_digest",
    "mail_events",
    "job_work",
    "expire_unactivated",
    "terminations",
    "cleanup",
    "invoice_reminders",
    "new_invoices",
    "reading_window",
    "certification_digest",
    "announcements",
)
DEPLOYED_STAGES = ("dev", "prod")

# Grants no call of the code makes, each with its reason (checked by tests/iam_calls.py).
NOT_CALLED_BY_THE_CODE: dict[tuple[str, str], str] = {
    ("*", "logs:CreateLogGroup"): "the Lambda runtime writes the function's log",
    ("*", "logs:CreateLogStream"): "the Lambda runtime writes the function's log",
    ("*", "logs:PutLogEvents"): "the Lambda runtime writes the function's log",
    ("reset_mail", "sqs:ReceiveMessage"): "Lambda's event source mapping polls with the role",
    ("reset_mail", "sqs:DeleteMessage"): "Lambda's event source mapping deletes with the role",
    ("reset_mail", "sqs:GetQueueAttributes"): "Lambda's event source mapping reads the queue",
    ("billing_import", "sqs:ReceiveMessage"): "Lambda's event source mapping polls with the role",
    ("billing_import", "sqs:DeleteMessage"): "Lambda's event source mapping deletes with the role",
    ("billing_import", "sqs:GetQueueUrl"): (
        "looked up once per container (chalicelib/aws.queue_url); in the tests the lookup is "
        "cached by the test's own first look at the queue"
    ),
    ("ticket_upload", "sqs:ReceiveMessage"): "Lambda's event source mapping polls with the role",
    ("ticket_upload", "sqs:DeleteMessage"): "Lambda's event source mapping deletes with the role",
    ("ticket_upload", "sqs:GetQueueAttributes"): "Lambda's event source mapping reads the queue",
    ("job_work", "sqs:ReceiveMessage"): "Lambda's event source mapping polls with the role",
    ("job_work", "sqs:DeleteMessage"): "Lambda's event source mapping deletes with the role",
    ("job_work", "sqs:GetQueueAttributes"): "Lambda's event source mapping reads the queue",
    ("api_handler", "s3:ListBucket"): (
        "HeadObject of a missing key answers 404 only with ListBucket (else 403), so a missing "
        "PDF is a clear 404 instead of a 500"
    ),
}


@dataclass(frozen=True)
class Names:
    """The resource names of one stage."""

    accounts_table: str
    billing_table: str
    service_table: str
    audit_table: str
    data_bucket: str
    reset_queue: str
    import_queue: str
    ticket_upload_queue: str
    job_queue: str
    mail_sender: str
    mail_configuration_set: str
    pepper_parameter: str
    bluemedia_service_parameter: str
    bluemedia_key_parameter: str
    edge_secret_parameter: str

    @classmethod
    def of(cls, source: Any, **given: str) -> Names:
        """From a stage's environment variables (a dict) or a `Settings`; `given` names what
        the source leaves unset (the tests' edge secret: no edge unless a test sets one)."""

        def read(field: str) -> str | None:
            if isinstance(source, dict):
                return source.get(field.upper())
            return getattr(source, field)

        values = {field: read(field) or given.get(field) for field in cls.__dataclass_fields__}
        missing = sorted(field for field, value in values.items() if not value)
        if missing:
            raise ValueError(f"no resource name for {', '.join(missing)}")
        return cls(**values)


def _table(name: str) -> list[str]:
    return [f"arn:aws:dynamodb:*:*:table/{name}"]


def _index(table: str, *indexes: str) -> list[str]:
    return [f"arn:aws:dynamodb:*:*:table/{table}/index/{index}" for index in indexes]


def _queue(name: str) -> str:
    return f"arn:aws:sqs:*:*:{name}"


def _objects(bucket: str, *patterns: str) -> list[str]:
    return [f"arn:aws:s3:::{bucket}/{pattern}" for pattern in patterns]


def _parameters(*names: str) -> list[str]:
    return [f"arn:aws:ssm:*:*:parameter{name}" for name in names]


def _statement(sid: str, actions: list[str], resources: list[str], **extra: Any) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def _logs() -> dict:
    return _statement(
        "Logs",
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        ["arn:aws:logs:*:*:*"],
    )


def _mail(names: Names) -> dict:
    # SES authorises a send against the identity that verified the From address: the
    # address itself, or its domain (what MailDomain creates, with DKIM), which would be
    # refused with only `identity/<address>`. The condition pins the From address whichever
    # identity of the account verified it. SES v2 also authorises the configuration set
    # every message goes through (its event destination reports bounces and complaints).
    return _statement(
        "Mail",
        ["ses:SendEmail"],
        [
            "arn:aws:ses:*:*:identity/*",
            f"arn:aws:ses:*:*:configuration-set/{names.mail_configuration_set}",
        ],
        Condition={"StringEquals": {"ses:FromAddress": names.mail_sender}},
    )


def _dynamodb(*operations: str) -> list[str]:
    return [f"dynamodb:{operation}" for operation in operations]


# What no function may do to the audit log, whatever else its policy grants: change or
# delete an entry (an unconditional BatchWriteItem put would overwrite one, PartiQL could
# do either). Entries are appended by a PutItem conditional on the key being new.
AUDIT_DENIED = ("UpdateItem", "DeleteItem", "BatchWriteItem", "PartiQLUpdate", "PartiQLDelete")


def _audit_append_only(names: Names) -> dict:
    return {
        "Sid": "AuditLogIsAppendOnly",
        "Effect": "Deny",
        "Action": _dynamodb(*AUDIT_DENIED),
        "Resource": _table(names.audit_table) + _index(names.audit_table, "*"),
    }


# A transaction (TransactWriteItems) needs the actions of its items: PutItem, UpdateItem,
# DeleteItem, ConditionCheckItem. PynamoDB reads table descriptions from the models, so
# no function calls DescribeTable.
def statements(function: str, names: Names) -> list[dict]:
    """The statements of one function's policy: its grants, and the audit log's deny."""
    return [*_grants(function, names), _audit_append_only(names)]


def _grants(function: str, names: Names) -> list[dict]:
    n = names
    if function == "api_handler":
        return [
            _logs(),
            _statement(
                "Accounts",
                _dynamodb(
                    "GetItem",
                    "Query",
                    "BatchGetItem",
                    "BatchWriteItem",
                    "PutItem",
                    "UpdateItem",
                    "DeleteItem",
                    # A session and a login event are written only after a check of the
                    # account in the same transaction (closed, deactivated, new password).
                    "ConditionCheckItem",
                ),
                _table(n.accounts_table),
            ),
            # Sessions and tokens of an account, to end them.
            _statement("AccountsByOwner", _dynamodb("Query"), _index(n.accounts_table, "by_owner")),
            _statement(
                "Billing",
                _dynamodb(
                    "GetItem",
                    "Query",
                    "BatchGetItem",
                    "PutItem",
                    "UpdateItem",
                    "DeleteItem",
                    "ConditionCheckItem",
                ),
                _table(n.billing_table),
            ),
            # Tickets, their messages, events and attachments (transactions); reference
            # counters; a ticket alone (the staff's actions read it before changing it).
            _statement(
                "Tickets",
                _dynamodb("GetItem", "Query", "PutItem", "UpdateItem"),
                _table(n.service_table),
            ),
            # A customer's tickets, newest first.
            _statement(
                "TicketsByCustomer", _dynamodb("Query"), _index(n.service_table, "by_customer")
            ),
            # The staff queue by due date: one index per filter.
            _statement(
                "TicketQueue",
                _dynamodb("Query"),
                _index(
                    n.service_table,
                    "queue",
                    "queue_status",
                    "queue_kind",
                    "queue_category",
                    "queue_assignee",
                ),
            ),
            # Announcements: the staff's list (newest first) and the current ones.
            _statement(
                "Announcements",
                _dynamodb("Query"),
                _index(n.service_table, "announcements", "current_announcements"),
            ),
            # The billing system's feed of submitted readings.
            _statement(
                "BillingSubmissions", _dynamodb("Query"), _index(n.billing_table, "submissions")
            ),
            # Staff actions are appended (conditional put) and read by target and by day.
            _statement("Audit", _dynamodb("PutItem", "Query"), _table(n.audit_table)),
            _statement("AuditByDay", _dynamodb("Query"), _index(n.audit_table, "by_day")),
            # Presigned downloads (the customer's browser reads with the role) and the
            # check that the object exists first.
            _statement(
                "Documents",
                ["s3:GetObject"],
                _objects(n.data_bucket, "invoices/*", "contracts/*", "documents/*"),
            ),
            _statement(
                "DocumentsMissingAre404", ["s3:ListBucket"], [f"arn:aws:s3:::{n.data_bucket}"]
            ),
            # Presigned POST of reading photos (the browser uploads with the role).
            _statement(
                "ReadingPhotos", ["s3:PutObject"], _objects(n.data_bucket, "reading-photos/*")
            ),
            # Presigned POST of ticket attachments, into the pending prefix the upload
            # check reads; presigned downloads of checked ones.
            _statement(
                "TicketUploads", ["s3:PutObject"], _objects(n.data_bucket, "tickets-pending/*")
            ),
            _statement("TicketAttachments", ["s3:GetObject"], _objects(n.data_bucket, "tickets/*")),
            _statement(
                "ResetRequests", ["sqs:GetQueueUrl", "sqs:SendMessage"], [_queue(n.reset_queue)]
            ),
            # A ticket e-mail that failed, queued for the `ticket-updates` job's retry.
            _statement("JobQueue", ["sqs:GetQueueUrl", "sqs:SendMessage"], [_queue(n.job_queue)]),
            _mail(n),
            _statement(
                "Secrets",
                ["ssm:GetParameter"],
                _parameters(
                    n.pepper_parameter,
                    n.bluemedia_service_parameter,
                    n.bluemedia_key_parameter,
                    # CloudFront's origin secret, to trust the viewer address it forwards.
                    n.edge_secret_parameter,
                ),
            ),
        ]
    if function == "billing_import":
        return [
            _logs(),
            # Lines by natural key, and the marker of each imported object version.
            _statement(
                "Billing",
                _dynamodb("GetItem", "PutItem", "BatchGetItem", "BatchWriteItem"),
                _table(n.billing_table),
            ),
            _statement(
                "Batches",
                ["s3:GetObject", "s3:GetObjectVersion"],  # the version the event names
                _objects(n.data_bucket, "imports/*.jsonl"),
            ),
            _statement(
                "Reports",
                ["s3:PutObject"],
                _objects(
                    n.data_bucket, "imports/*.jsonl.report.json", "imports/*.jsonl.failed.json"
                ),
            ),
            # Chalice's SQS event source uses the function's role: receive, delete, read the
            # queue's attributes; the handler delays a failed batch's retry and reads the
            # redrive policy for its failure report.
            _statement(
                "ImportQueue",
                [
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                    "sqs:GetQueueUrl",
                    "sqs:ChangeMessageVisibility",
                ],
                [_queue(n.import_queue)],
            ),
        ]
    if function == "export_readings":
        return [
            _logs(),
            _statement("Billing", _dynamodb("BatchGetItem", "UpdateItem"), _table(n.billing_table)),
            # Customer readings not yet exported.
            _statement("ExportQueue", _dynamodb("Query"), _index(n.billing_table, "export_queue")),
            _statement("Exports", ["s3:PutObject"], _objects(n.data_bucket, "exports/readings/*")),
        ]
    if function == "reset_mail":
        return [
            _logs(),
            _statement(
                "Accounts",
                _dynamodb(
                    "GetItem",
                    "BatchGetItem",
                    "BatchWriteItem",
                    "PutItem",
                    "UpdateItem",
                    "DeleteItem",
                ),
                _table(n.accounts_table),
            ),
            # Accounts by e-mail address; an account's reset tokens, to replace them.
            _statement(
                "AccountsByEmailAndOwner",
                _dynamodb("Query"),
                _index(n.accounts_table, "by_email", "by_owner"),
            ),
            _statement(
                "ResetRequests",
                ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                [_queue(n.reset_queue)],
            ),
            _mail(n),
        ]
    if function == "ticket_upload":
        return [
            _logs(),
            # The attachment's state and the ticket's slot count.
            _statement("Tickets", _dynamodb("GetItem", "UpdateItem"), _table(n.service_table)),
            # Read the upload, move it to its ticket or to quarantine: the version checked
            # (the upload form may write the key again meanwhile).
            _statement(
                "PendingUploads",
                ["s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObject"],
                _objects(n.data_bucket, "tickets-pending/*"),
            ),
            _statement(
                "CheckedUploads",
                ["s3:PutObject"],
                _objects(n.data_bucket, "tickets/*", "tickets-quarantine/*"),
            ),
            _statement(
                "TicketUploadQueue",
                ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                [_queue(n.ticket_upload_queue)],
            ),
        ]
    if function == "complaint_digest":
        return [
            _logs(),
            # The day's mark (conditional put; given back when the e-mail fails).
            _statement(
                "DigestMark",
                _dynamodb("PutItem", "UpdateItem", "DeleteItem"),
                _table(n.service_table),
            ),
            # Open complaints by due date.
            _statement("OpenComplaints", _dynamodb("Query"), _index(n.service_table, "queue_kind")),
            _mail(n),
        ]
    if function == "mail_events":
        return [
            _logs(),
            # The accounts using a bouncing or complaining address, and their suppression
            # (an update conditional on the address still being theirs).
            _statement("AccountsByEmail", _dynamodb("Query"), _index(n.accounts_table, "by_email")),
            _statement("Suppression", _dynamodb("UpdateItem"), _table(n.accounts_table)),
        ]
    if function == "job_work":
        return [
            _logs(),
            # Accounts: the day's marks (conditional put, done, given back), lifecycle steps
            # (conditional updates and deletes), sessions, tokens and login events erased.
            _statement(
                "Accounts",
                _dynamodb(
                    "GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"
                ),
                _table(n.accounts_table),
            ),
            _statement("AccountsByOwner", _dynamodb("Query"), _index(n.accounts_table, "by_owner")),
            # A closed customer's online payment orders lose their e-mail address; the
            # notification jobs read ledgers, meters, invoices and customers, and take a
            # told invoice off the new-invoices index.
            _statement(
                "Billing", _dynamodb("GetItem", "Query", "UpdateItem"), _table(n.billing_table)
            ),
            # A closed customer's tickets lose their personal fields; old digest marks go.
            # The broadcast's announcement is read again before each notice.
            _statement(
                "Tickets",
                _dynamodb("GetItem", "Query", "UpdateItem", "DeleteItem"),
                _table(n.service_table),
            ),
            _statement(
                "TicketsByCustomer", _dynamodb("Query"), _index(n.service_table, "by_customer")
            ),
            _statement(
                "TicketFiles",
                ["s3:DeleteObject"],
                _objects(n.data_bucket, "tickets/*", "tickets-pending/*", "tickets-quarantine/*"),
            ),
            # The closure's audit entry (appended).
            _statement("Audit", _dynamodb("PutItem"), _table(n.audit_table)),
            _statement(
                "JobQueue",
                ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                [_queue(n.job_queue)],
            ),
            # The notification jobs' notices (services/notifications.py `notify`): e-mail,
            # SMS (a phone number has no ARN: IAM needs "*"), and the pepper the
            # unsubscribe link's key is derived from.
            _mail(n),
            _statement("Sms", ["sns:Publish"], ["*"]),
            _statement("Pepper", ["ssm:GetParameter"], _parameters(n.pepper_parameter)),
        ]
    if function == "certification_digest":
        return [
            _logs(),
            # The day's mark (conditional put, done, given back when the e-mail fails).
            _statement(
                "DigestMark",
                _dynamodb("PutItem", "UpdateItem", "DeleteItem"),
                _table(n.accounts_table),
            ),
            # Active meters by the end of their certification.
            _statement(
                "Certifications", _dynamodb("Query"), _index(n.billing_table, "certifications")
            ),
            _mail(n),
        ]
    if function == "announcements":
        return [
            _logs(),
            _statement("JobQueue", ["sqs:GetQueueUrl", "sqs:SendMessage"], [_queue(n.job_queue)]),
            # The pending broadcasts, their announcements, and each taken off the list.
            _statement("Broadcasts", _dynamodb("GetItem", "UpdateItem"), _table(n.service_table)),
            _statement(
                "PendingBroadcasts", _dynamodb("Query"), _index(n.service_table, "announcements")
            ),
            # The area's customers: by postal code and street, or every customer's account.
            _statement(
                "CustomersByAddress",
                _dynamodb("Query"),
                _index(n.billing_table, "by_postal_code", "by_street"),
            ),
            _statement(
                "CustomerAccounts",
                _dynamodb("Query"),
                _index(n.accounts_table, "customer_accounts"),
            ),
        ]
    if function in (
        "expire_unactivated",
        "terminations",
        "cleanup",
        "invoice_reminders",
        "new_invoices",
        "reading_window",
    ):
        # A job's scheduled run only lists its work by a date index and queues it.
        grants = [
            _logs(),
            _statement("JobQueue", ["sqs:GetQueueUrl", "sqs:SendMessage"], [_queue(n.job_queue)]),
        ]
        if function in ("expire_unactivated", "terminations"):
            grants.append(
                _statement(
                    "AccountsByDay", _dynamodb("Query"), _index(n.accounts_table, "lifecycle")
                )
            )
        if function == "cleanup":
            grants.append(
                _statement(
                    "AccountsByEmailChange",
                    _dynamodb("Query"),
                    _index(n.accounts_table, "email_changes"),
                )
            )
            grants.append(
                _statement(
                    "PendingUploads", _dynamodb("Query"), _index(n.service_table, "announcements")
                )
            )
        if function == "terminations":
            grants.append(
                _statement(
                    "ContractsEnded", _dynamodb("Query"), _index(n.billing_table, "contracts_ended")
                )
            )
        by_date = {
            "invoice_reminders": ("InvoicesDue", "invoices_due"),
            "new_invoices": ("NewInvoices", "new_invoices"),
            "reading_window": ("ActiveMeters", "active_meters"),
        }
        if function in by_date:
            sid, index = by_date[function]
            grants.append(_statement(sid, _dynamodb("Query"), _index(n.billing_table, index)))
        return grants
    raise ValueError(f"unknown function {function}")


def policy(function: str, names: Names) -> dict[str, Any]:
    """One function's policy document."""
    return {"Version": "2012-10-17", "Statement": statements(function, names)}


def policy_file(function: str, stage: str) -> str:
    """The file name, under .chalice/, of one function's policy on one stage."""
    return f"policy-{function}-{stage}.json"


def rendered() -> dict[Path, str]:
    """Every policy file's path and text, from .chalice/config.json's stage names."""
    config = json.loads(CONFIG.read_text(encoding="utf-8"))
    files = {}
    for stage in DEPLOYED_STAGES:
        names = Names.of(config["stages"][stage]["environment_variables"])
        for function in FUNCTIONS:
            text = json.dumps(policy(function, names), indent=2) + "\n"
            files[CONFIG.parent / policy_file(function, stage)] = text
    return files


def main(argv: list[str] | None = None) -> int:
    """Write the policy files, or check them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write the files")
    parser.add_argument("--check", action="store_true", help="exit 1 if a file differs")
    args = parser.parse_args(argv)
    stale = [p for p, text in rendered().items() if not p.is_file() or p.read_text() != text]
    if args.write:
        for path, text in rendered().items():
            path.write_text(text, encoding="utf-8")
        return 0
    for path in stale:
        print(f"{path.relative_to(ROOT)} differs from infra/policies.py (run --write)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
