"""Shared fixtures: moto in-process AWS, tables from infra/, a Chalice test client."""

from __future__ import annotations

import io
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# The environment is fixed before any chalicelib import (PynamoDB reads table names then).
os.environ.update(
    {
        "STAGE": "test",
        "AWS_DEFAULT_REGION": "eu-central-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "BCRYPT_COST": "4",
        "POWERTOOLS_SERVICE_NAME": "ibok-api",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

from botocore.client import BaseClient
from moto import mock_aws
from moto.moto_api._internal import moto_api_backend

from chalicelib import aws, clock
from chalicelib.adapters import secrets
from chalicelib.services import announcements, terms
from chalicelib.settings import get_settings
from infra.local import create_mail_resources, create_resources
from tests import iam_calls

iam_calls.install()  # before any AWS client exists: every call is recorded (IAM check)

# The edge secret's parameter, on the stage of the tests that set one (`edge_secret`); no
# other test has an edge (EDGE_SECRET_PARAMETER unset), as on the local stage.
EDGE_SECRET_PARAMETER = "/ibok/test/edge-secret"
EDGE_SECRET = "test-edge-secret-0123456789abcdef"


@pytest.fixture
def outbox_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder the mailer copies sent messages into."""
    folder = tmp_path / "outbox"
    monkeypatch.setenv("LOCAL_OUTBOX_DIR", str(folder))
    return folder


@pytest.fixture
def serial_moto() -> Iterator[None]:
    """Every AWS call, from any thread, runs alone. DynamoDB serves concurrent calls safely
    and runs each transaction atomically; moto in-process is not thread-safe (two threads in
    one table's dicts can both pass a condition, or break an iteration). The code around the
    calls still runs concurrently, so the races a concurrency test looks for (between a read
    and a conditional write) stay open. The billing import writes on threads, so `aws_env`
    takes this for every test; concurrency tests name it as well, to say they depend on it."""
    one_at_a_time = threading.RLock()  # re-entrant: a call may make another on its thread
    make_api_call = BaseClient._make_api_call

    def serialised(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        with one_at_a_time:
            return make_api_call(self, operation_name, api_params)

    # Its own patch context: a test's `monkeypatch.undo()` must not lift it.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", serialised)
        yield


@pytest.fixture(scope="session")
def moto_process() -> Iterator[None]:
    """Moto in-process, started once per test process: starting it registers about 1,300
    URL routes (half a second), which every test would pay again. `aws_env` empties it."""
    with mock_aws():
        yield


def _fresh_moto() -> None:
    """Forget everything moto holds (what a new `mock_aws()` does), keeping its routes."""
    moto_api_backend.reset()


@pytest.fixture
def aws_env(outbox_dir: Path, serial_moto: None, moto_process: None) -> Iterator[None]:
    """An empty moto with the tables, bucket, queues, sender identity and secrets of infra/.
    The boto3 clients outlive the test (making them costs more than the resources): they
    hold no state but their region and endpoint, which no test changes."""
    _fresh_moto()
    aws.queue_url.cache_clear()
    get_settings.cache_clear()
    secrets.reset()
    clock.reset()
    announcements.forget_copy()
    terms.forget_copy()
    settings = get_settings()
    create_resources(
        aws.client("dynamodb"), aws.client("s3"), aws.client("ssm"), aws.client("sqs"), settings
    )
    aws.client("ses").verify_email_identity(EmailAddress=settings.mail_sender)
    create_mail_resources(aws.client("sesv2"), aws.client("sns"), settings)
    yield
    clock.reset()
    aws.queue_url.cache_clear()
    get_settings.cache_clear()
    secrets.reset()
    _fresh_moto()


@pytest.fixture
def edge_secret(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> str:
    """This stage sits behind CloudFront: the edge secret is in SSM and the API knows its
    parameter (as `make deploy` sets it up); returns the secret CloudFront would send."""
    aws.client("ssm").put_parameter(
        Name=EDGE_SECRET_PARAMETER, Value=EDGE_SECRET, Type="SecureString"
    )
    monkeypatch.setenv("EDGE_SECRET_PARAMETER", EDGE_SECRET_PARAMETER)
    get_settings.cache_clear()
    return EDGE_SECRET


@pytest.fixture
def bucket_events(aws_env: None) -> None:
    """Route the data bucket's events through EventBridge to the import queue, as
    infra/stateful.yaml does (and the local stack): an upload under imports/ queues its
    batch. Not in `aws_env`: tests that import by calling the runner leave no message."""
    from infra.local import queue_arns, route_bucket_events

    settings = get_settings()
    route_bucket_events(
        aws.client("s3"), aws.client("events"), settings, queue_arns(aws.client("sqs"), settings)
    )


@pytest.fixture
def app(aws_env: None) -> Any:
    """The Chalice app."""
    from app import app as chalice_app

    return chalice_app


@pytest.fixture
def client(app: Any, tmp_path: Path) -> Iterator[Any]:
    """Chalice's test client for the app. Its project dir has no .chalice/config.json, so
    the client does not overlay a deployment stage's environment on the test one."""
    from chalice.test import Client

    with Client(app, stage_name="test", project_dir=str(tmp_path)) as test_client:
        yield test_client


@pytest.fixture
def drain_queues(app: Any) -> Callable[[], int]:
    """Run what the routes queued through the same SQS handlers the Lambdas run, as their
    event sources would after the answer (scripts/local_queues.py); returns the number of
    deliveries. A handler that raises gets its message back at once, so one that keeps
    failing ends in the dead-letter queue."""
    from scripts.local_queues import drain

    return lambda: drain(app)


class Outbox:
    """Messages the mailer sent during the test."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def messages(self) -> list[dict[str, Any]]:
        """All sent messages, oldest first."""
        if not self.folder.is_dir():
            return []
        return [json.loads(p.read_text("utf-8")) for p in sorted(self.folder.glob("*.json"))]

    def last_to(self, address: str) -> dict[str, Any]:
        """The newest message sent to `address`."""
        matching = [m for m in self.messages() if m["to"] == address]
        assert matching, f"no e-mail to {address}"
        return matching[-1]

    def token_in_last(self, address: str) -> str:
        """The one-time token in the link of the newest message to `address`."""
        text = self.last_to(address)["text"]
        return text.split("#token=", 1)[1].split()[0]


@pytest.fixture
def outbox(outbox_dir: Path) -> Outbox:
    """Read what the mailer sent."""
    return Outbox(outbox_dir)


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Everything the app logs (JSON lines from Powertools and child loggers)."""
    from chalicelib.logs import logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    target = logging.getLogger(logger.name)
    target.addHandler(handler)
    try:
        yield stream
    finally:
        target.removeHandler(handler)


# The IAM check (tests/iam_calls.py): every xdist worker writes the AWS calls it recorded;
# the controller (or the only process) checks them against each function's policy at the
# end of the session and fails the run on a call not allowed, or, when every API and unit
# test ran and passed, on a grant nothing used.
IAM_DIR_KEY = "iam_calls_dir"


def _iam_dir(config: pytest.Config) -> Path:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return Path(workerinput[IAM_DIR_KEY])
    return config._iam_calls_dir  # type: ignore[attr-defined]


def pytest_configure(config: pytest.Config) -> None:
    if getattr(config, "workerinput", None) is None:
        import tempfile

        config._iam_calls_dir = Path(tempfile.mkdtemp(prefix="ibok-iam-"))  # type: ignore[attr-defined]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    node.workerinput[IAM_DIR_KEY] = str(node.config._iam_calls_dir)


def _every_test_ran(session: pytest.Session) -> bool:
    config = session.config
    if config.option.keyword or config.option.markexpr or session.testsfailed:
        return False
    root = config.rootpath
    args = {
        str((Path(config.invocation_params.dir) / a.split("::")[0]).resolve()) for a in config.args
    }
    whole = {str(root), str(root / "tests")}
    return bool(args & whole) or {str(root / "tests" / "api"), str(root / "tests" / "unit")} <= args


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    workerinput = getattr(config, "workerinput", None)
    folder = _iam_dir(config)
    iam_calls.dump(folder / f"{workerinput['workerid'] if workerinput else 'main'}.json")
    if workerinput is not None:
        return
    import shutil

    from infra.policies import FUNCTIONS, Names, policy

    calls = iam_calls.load(sorted(folder.glob("*.json")))
    shutil.rmtree(folder, ignore_errors=True)
    if os.environ.get("IBOK_IAM_CALLS"):  # keep them, e.g. to rework infra/policies.py
        iam_calls.recorded = calls
        iam_calls.dump(Path(os.environ["IBOK_IAM_CALLS"]))
    if not calls:
        return
    names = Names.of(get_settings(), edge_secret_parameter=EDGE_SECRET_PARAMETER)
    policies = {function: policy(function, names) for function in FUNCTIONS}
    found = iam_calls.problems(calls, policies, _every_test_ran(session))
    if found:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        lines = ["IAM check (tests/iam_calls.py, infra/policies.py):", *found]
        if reporter is not None:
            reporter.write_line("")
            for line in lines:
                reporter.write_line(line, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
