"""make deploy (infra/deploy.py) with the AWS CLI faked: what each stack is given, and what
the command lines show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra import deploy as deploy_module
from infra.build import Build
from infra.deploy import Aws

SETTINGS = (
    "ALARM_EMAIL", "MAIL_SENDER", "MAIL_DOMAIN", "DOMAIN", "CERTIFICATE_ARN",
    "LOG_RETENTION_DAYS", "MANAGE_APIGW_ACCOUNT", "APP_PARAMS",
)  # fmt: skip
SECRET = "s" * 43


class RecordingAws(Aws):
    """The CLI of an account where the three stacks exist: records every command line and
    the parameters each `cloudformation deploy` got (read from its file while it runs)."""

    def __init__(self, outputs: dict[str, dict[str, str]]) -> None:
        super().__init__(dry_run=False)
        self.stack_outputs = outputs
        self.command_lines: list[list[str]] = []
        self.given: dict[str, dict[str, str]] = {}
        self.printed = ""

    def parameter(self, name: str) -> str | None:
        return SECRET

    def outputs(self, stack: str) -> dict[str, str]:
        return self.stack_outputs.get(stack, {})

    def __call__(self, *args: str, capture: bool = False) -> str:
        self.command_lines.append(list(args))
        if args[:2] == ("cloudformation", "deploy"):
            stack = args[args.index("--stack-name") + 1]
            (source,) = [a for a in args if a.startswith("file://")]
            pairs = json.loads(Path(source.removeprefix("file://")).read_text("utf-8"))
            self.given[stack] = dict(pair.split("=", 1) for pair in pairs)
        return ""


@pytest.fixture
def deployed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> RecordingAws:
    """A second run of make deploy, from a machine with none of the settings set."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    templates = {name: tmp_path / f"{name}.json" for name in ("stateful", "app", "edge")}
    built = Build(tmp_path, *templates.values(), tmp_path / "deployment.zip", 1, 1)
    monkeypatch.setattr(deploy_module, "build", lambda _stage, _prefix: built)
    monkeypatch.setattr(deploy_module, "upload_frontend", lambda *_args: None)
    site = "https://ibok.mpwik.pl"
    aws = RecordingAws(
        {
            "ibok-mpwik-prod-stateful": {"ArtifactBucketName": "artifacts"},
            "ibok-mpwik-prod-app": {"ApiDomain": "x.execute-api.eu-central-1.amazonaws.com"},
            "ibok-mpwik-prod-edge": {"SiteUrl": site, "DistributionId": "E1"},
        }
    )
    monkeypatch.setattr(deploy_module, "Aws", lambda _dry_run: aws)
    assert deploy_module.deploy("prod", "ibok-mpwik") == site
    aws.printed = capsys.readouterr().out
    return aws


def test_the_edge_secret_is_on_no_command_line(deployed: RecordingAws):
    assert deployed.given["ibok-mpwik-prod-edge"]["EdgeSecret"] == SECRET
    for line in deployed.command_lines:
        assert SECRET not in " ".join(line)
    assert SECRET not in deployed.printed
    assert "EdgeSecret=****" in deployed.printed


def test_a_deploy_without_the_settings_keeps_what_the_stacks_have(deployed: RecordingAws):
    """The domain, the sender, its SES identity and the alarm address a first deploy set
    are not reset to the templates' defaults by a run that does not repeat them."""
    stateful = deployed.given["ibok-mpwik-prod-stateful"]
    app = deployed.given["ibok-mpwik-prod-app"]
    edge = deployed.given["ibok-mpwik-prod-edge"]
    assert "AlarmEmail" not in stateful
    assert not {"MailSender", "MailDomain", "LogRetentionDays", "ManageApiGatewayAccount"} & set(
        app
    )
    assert not {"DomainName", "CertificateArn"} & set(edge)
    assert app["PublicUrl"] == stateful["FrontendOrigin"] == "https://ibok.mpwik.pl"
