"""Deploy one stage to the AWS account of the caller's credentials (make deploy).

    python -m infra.deploy --stage prod [--prefix ibok-mpwik] [--dry-run]

Idempotent: each stack is deployed with `aws cloudformation deploy` (a change set; no
change, no update), so a second run from any machine changes nothing. Nothing is kept on
the deploying machine: the API is a CloudFormation resource, so its URL stays the same.

First the stage's edge secret: CloudFront sends it to the API with every /api/* request
(X-IBOK-Edge), so the API trusts the viewer address it forwards. It lives in SSM
(`/<prefix>/<stage>/edge-secret`, SecureString), is created once with a random value, and
is passed to the edge stack as a NoEcho parameter; no command line printed here shows it.

Order: the stateful stack (tables, buckets, queues, alarm topic), the app stack (Chalice's
functions and API with infra/app.yaml), the edge stack (CloudFront). The portal's URL is
the custom domain when one is given; otherwise CloudFront's, known only once the edge
stack exists, so a first deploy without a domain ends by updating the first two stacks
with it. Then frontend/ (if present) is uploaded with its cache headers.

Settings come from the environment (make passes them): ALARM_EMAIL, MAIL_SENDER,
MAIL_DOMAIN, DOMAIN, CERTIFICATE_ARN, LOG_RETENTION_DAYS, MANAGE_APIGW_ACCOUNT (yes/no)
and APP_PARAMS (more Key=Value pairs for the app stack). docs/deploy.md tells each. A
setting left unset keeps the value the stack has (a deploy from another machine without
them changes nothing); on a first deploy the template's default applies.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shlex
import subprocess
import tempfile
from pathlib import Path

from infra.build import DEFAULT_PREFIX, ROOT, Literals, build, config_stage_for

AWS = ROOT / ".venv-deploy" / "bin" / "aws"
PENDING_URL = "https://pending.invalid"  # until CloudFront's domain is known
HTML_CACHE = "no-cache"  # pages are checked on every visit
ASSET_CACHE = "public, max-age=3600"  # no build step adds hashes to the names
DRY_RUN_SECRET = "dry-run-edge-secret-not-deployed-anywhere"  # noqa: S105
HIDDEN = "****"


def edge_secret_name(prefix: str, stage: str) -> str:
    """The SSM parameter of a stage's edge secret (the app's EDGE_SECRET_PARAMETER, from
    .chalice/config.json's `/ibok/<config stage>/edge-secret` as infra/build.py rewrites it)."""
    return f"/{prefix}/{stage}/edge-secret"


class Aws:
    """The pinned AWS CLI; prints each command, runs it unless dry."""

    def __init__(self, dry_run: bool) -> None:
        self.dry_run = dry_run
        self.hidden: set[str] = set()  # values never printed (the edge secret)

    def hide(self, value: str) -> None:
        """Print `value` as **** in every command shown from now on."""
        self.hidden.add(value)

    def __call__(self, *args: str, capture: bool = False) -> str:
        command = [str(AWS), *args]
        shown = shlex.join(["aws", *args])
        for value in self.hidden:
            shown = shown.replace(value, HIDDEN)
        print("+", shown, flush=True)
        if self.dry_run:
            return ""
        done = subprocess.run(command, check=True, text=True, capture_output=capture)  # noqa: S603
        return done.stdout if capture else ""

    def outputs(self, stack: str) -> dict[str, str]:
        """A stack's outputs; empty if the stack does not exist (or on a dry run)."""
        if self.dry_run:
            return {}
        done = subprocess.run(  # noqa: S603
            [str(AWS), "cloudformation", "describe-stacks", "--stack-name", stack],
            text=True,
            capture_output=True,
        )
        if done.returncode != 0:
            return {}
        (found,) = json.loads(done.stdout)["Stacks"]
        return {item["OutputKey"]: item["OutputValue"] for item in found.get("Outputs", [])}

    def parameter(self, name: str) -> str | None:
        """A SecureString parameter's value; None if it does not exist."""
        done = subprocess.run(  # noqa: S603
            [str(AWS), "ssm", "get-parameter", "--name", name, "--with-decryption",
             "--query", "Parameter.Value", "--output", "text"],
            text=True,
            capture_output=True,
        )  # fmt: skip
        if done.returncode == 0:
            return done.stdout.rstrip("\n")
        if "ParameterNotFound" in done.stderr:
            return None
        raise SystemExit(f"cannot read {name} from SSM: {done.stderr.strip()}")

    def deploy(self, template: Path, stack: str, params: dict[str, str], *extra: str) -> None:
        """`aws cloudformation deploy`; the parameter values go through a private file, so
        no command line (ps, /proc) shows the edge secret. A parameter left out keeps the
        stack's value (its default on creation)."""
        overrides = [f"{key}={value}" for key, value in params.items()]
        shown = " ".join(overrides)
        for value in self.hidden:
            shown = shown.replace(value, HIDDEN)
        print(f"  {stack} parameters: {shown}", flush=True)
        with tempfile.TemporaryDirectory() as folder:
            path = _private_file(Path(folder) / "parameters.json", json.dumps(overrides))
            self(
                "cloudformation",
                "deploy",
                "--template-file",
                str(template),
                "--stack-name",
                stack,
                "--no-fail-on-empty-changeset",
                "--parameter-overrides",
                f"file://{path}",
                *extra,
            )


def _private_file(path: Path, text: str) -> Path:
    """Write `text` to a new file only its owner can read."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    return path


def edge_secret(aws: Aws, prefix: str, stage: str) -> str:
    """The stage's edge secret from SSM, created (random, SecureString) if missing; hidden
    from every command printed afterwards."""
    name = edge_secret_name(prefix, stage)
    if aws.dry_run:
        print(f"edge secret {name}: read from SSM, created if missing (not on a dry run)")
        value = DRY_RUN_SECRET
    else:
        value = aws.parameter(name) or _create_edge_secret(aws, name)
    aws.hide(value)
    return value


def _create_edge_secret(aws: Aws, name: str) -> str:
    value = secrets.token_urlsafe(32)  # 43 characters of [A-Za-z0-9_-]
    request = {
        "Name": name,
        "Value": value,
        "Type": "SecureString",
        "Description": "CloudFront's X-IBOK-Edge value: the API trusts the viewer address",
    }
    with tempfile.TemporaryDirectory() as folder:  # the value stays off the command line
        path = _private_file(Path(folder) / "parameter.json", json.dumps(request))
        aws("ssm", "put-parameter", "--cli-input-json", f"file://{path}")
    print(f"created the edge secret {name}", flush=True)
    return value


def _setting(name: str, default: str = "") -> str:
    return os.environ.get(name, "") or default


def _given(**settings: str) -> dict[str, str]:
    """Stack parameters from the settings set in the environment, by parameter name. An
    unset one is left out, so the stack keeps what an earlier deploy (from any machine)
    gave it, instead of being reset to the template's default."""
    return {param: os.environ[name] for param, name in settings.items() if os.environ.get(name)}


def deploy(stage: str, prefix: str, *, dry_run: bool = False) -> str:
    """Build and deploy `prefix`-`stage`; return the portal's URL."""
    aws = Aws(dry_run)
    result = build(stage, prefix)
    mib = 1024 * 1024
    print(f"Lambda package: {result.zipped / mib:.1f} MiB zipped, {result.unzipped / mib:.1f} MiB")
    base = f"{prefix}-{stage}"
    stacks = {name: f"{base}-{name}" for name in ("stateful", "app", "edge")}
    domain = _setting("DOMAIN")
    url = f"https://{domain}" if domain else aws.outputs(stacks["edge"]).get("SiteUrl", "")
    config_stage = config_stage_for(stage)
    secret = edge_secret(aws, prefix, stage)
    mail = _given(MailSender="MAIL_SENDER")
    if not mail and not aws.outputs(stacks["app"]):  # a first deploy needs a sender
        mail["MailSender"] = _config_mail_sender(config_stage)

    def stateful_and_app(portal: str) -> dict[str, str]:
        aws.deploy(
            result.stateful,
            stacks["stateful"],
            {
                "Prefix": prefix,
                "Stage": stage,
                "FrontendOrigin": portal,
                **_given(AlarmEmail="ALARM_EMAIL"),
            },
        )
        artifacts = aws.outputs(stacks["stateful"]).get("ArtifactBucketName", f"{base}-artifacts")
        packaged = result.out / "app.packaged.json"
        aws(
            "cloudformation",
            "package",
            "--template-file",
            str(result.app),
            "--s3-bucket",
            artifacts,
            "--s3-prefix",
            "app",
            "--use-json",
            "--output-template-file",
            str(packaged),
        )
        app_params = {
            "Prefix": prefix,
            "Stage": stage,
            "PublicUrl": portal,
            **mail,
            **_given(
                MailDomain="MAIL_DOMAIN",
                LogRetentionDays="LOG_RETENTION_DAYS",
                ManageApiGatewayAccount="MANAGE_APIGW_ACCOUNT",
            ),
        }
        for pair in shlex.split(_setting("APP_PARAMS")):
            key, _, value = pair.partition("=")
            app_params[key] = value
        aws.deploy(
            packaged,
            stacks["app"],
            app_params,
            "--s3-bucket",
            artifacts,
            "--s3-prefix",
            "app",
            "--capabilities",
            "CAPABILITY_IAM",
            "CAPABILITY_AUTO_EXPAND",
        )
        return aws.outputs(stacks["app"])

    app = stateful_and_app(url or PENDING_URL)
    aws.deploy(
        result.edge,
        stacks["edge"],
        {
            "Prefix": prefix,
            "Stage": stage,
            "ApiDomain": app.get("ApiDomain", "pending.invalid"),
            **_given(DomainName="DOMAIN", CertificateArn="CERTIFICATE_ARN"),
            "EdgeSecret": secret,
        },
    )
    edge = aws.outputs(stacks["edge"])
    site_url = edge.get("SiteUrl", url or PENDING_URL)
    if site_url != (url or PENDING_URL):
        print(f"portal URL is {site_url}: updating the stacks that name it", flush=True)
        stateful_and_app(site_url)
    upload_frontend(aws, edge.get("SiteBucketName", f"{base}-site"), edge.get("DistributionId"))
    print(f"deployed {base}: {site_url} (API {site_url}/api/)")
    return site_url


def _config_mail_sender(config_stage: str) -> str:
    pairs = dict(Literals.for_config_stage(config_stage).pairs)
    return next(old for old, new in pairs.items() if new == "${MailSender}")


def upload_frontend(aws: Aws, bucket: str, distribution: str | None) -> None:
    """Sync frontend/ into the site bucket: pages no-cache, other files an hour; then
    tell CloudFront to drop what it cached."""
    frontend = ROOT / "frontend"
    if not frontend.is_dir():
        print("no frontend/ to upload")
        return
    target = f"s3://{bucket}/"
    aws("s3", "sync", str(frontend), target, "--delete", "--exclude", "*.html",
        "--cache-control", ASSET_CACHE)  # fmt: skip
    aws("s3", "sync", str(frontend), target, "--exclude", "*", "--include", "*.html",
        "--cache-control", HTML_CACHE, "--content-type", "text/html; charset=utf-8")  # fmt: skip
    if distribution:
        aws("cloudfront", "create-invalidation", "--distribution-id", distribution,
            "--paths", "/*")  # fmt: skip


def main() -> None:
    """Command line of make deploy."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stage", required=True)
    parser.add_argument("--prefix", default=DEFAULT_PREFIX)
    parser.add_argument("--dry-run", action="store_true", help="print the AWS commands only")
    args = parser.parse_args()
    if not args.dry_run and not AWS.exists():
        raise SystemExit("the pinned AWS CLI is missing: run `make deploy` (it installs it)")
    deploy(args.stage, args.prefix, dry_run=args.dry_run)


if __name__ == "__main__":
    main()
