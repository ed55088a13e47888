"""The edge stack (infra/edge.yaml): what CloudFront sends the API on /api/*."""

from __future__ import annotations

import json
from pathlib import Path

from chalicelib.http.auth import CSRF_HEADER
from chalicelib.http.client_address import EDGE_SECRET_HEADER, VIEWER_ADDRESS_HEADER
from infra.build import load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_template(ROOT / "infra" / "edge.yaml")
RESOURCES = TEMPLATE["Resources"]
CONFIG = RESOURCES["Distribution"]["Properties"]["DistributionConfig"]


def _api_behaviour() -> dict:
    (behaviour,) = [b for b in CONFIG["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    return behaviour


def _forwarded_headers() -> set[str]:
    reference = _api_behaviour()["OriginRequestPolicyId"]
    policy = RESOURCES[reference["Ref"]]
    assert policy["Type"] == "AWS::CloudFront::OriginRequestPolicy"
    config = policy["Properties"]["OriginRequestPolicyConfig"]
    assert config["CookiesConfig"] == {"CookieBehavior": "all"}  # the session cookie
    assert config["QueryStringsConfig"] == {"QueryStringBehavior": "all"}
    headers = config["HeadersConfig"]
    assert headers["HeaderBehavior"] == "whitelist"
    return {name.lower() for name in headers["Headers"]}


def test_the_api_behaviour_forwards_the_viewer_address_and_never_the_host():
    forwarded = _forwarded_headers()
    assert VIEWER_ADDRESS_HEADER.lower() in forwarded
    assert "host" not in forwarded  # API Gateway refuses a Host not its own
    # What the API reads from a portal request (the session comes as a cookie).
    assert {"content-type", "accept", "origin", "user-agent", CSRF_HEADER} <= forwarded
    assert len(forwarded) <= 10  # CloudFront's quota of headers per origin request policy
    # Set by CloudFront as an origin custom header; a policy must not name it as well.
    assert EDGE_SECRET_HEADER.lower() not in forwarded


def test_the_api_origin_sends_the_secret_header_from_a_no_echo_parameter():
    (origin,) = [o for o in CONFIG["Origins"] if o["Id"] == _api_behaviour()["TargetOriginId"]]
    (header,) = origin["OriginCustomHeaders"]
    assert header["HeaderName"].lower() == EDGE_SECRET_HEADER.lower()
    parameter = TEMPLATE["Parameters"][header["HeaderValue"]["Ref"]]
    assert parameter["NoEcho"] is True
    assert parameter["MinLength"] >= 32
    # The site bucket's origin gets no secret.
    site = [o for o in CONFIG["Origins"] if o["Id"] != origin["Id"]]
    assert all("OriginCustomHeaders" not in o for o in site)


def test_the_api_behaviour_caches_nothing():
    assert _api_behaviour()["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


def test_deploy_and_the_app_name_the_same_secret_parameter():

    from infra.build import Literals
    from infra.deploy import edge_secret_name

    config = json.loads((ROOT / ".chalice" / "config.json").read_text("utf-8"))
    for stage in ("dev", "prod"):
        named = config["stages"][stage]["environment_variables"]["EDGE_SECRET_PARAMETER"]
        in_template = Literals.for_config_stage(stage).sub(named)
        assert in_template == edge_secret_name("${Prefix}", "${Stage}")
    assert "EDGE_SECRET_PARAMETER" not in config["stages"]["local"]["environment_variables"]


class FakeAws:
    """infra.deploy.Aws with SSM in a dict; records the commands it would run."""

    def __init__(self, stored: dict[str, str]) -> None:
        from infra.deploy import Aws

        self.real = Aws(dry_run=True)  # prints, runs nothing
        self.dry_run = False
        self.stored = stored
        self.commands: list[tuple[str, ...]] = []

    def hide(self, value: str) -> None:
        self.real.hide(value)

    def parameter(self, name: str) -> str | None:
        return self.stored.get(name)

    def __call__(self, *args: str, capture: bool = False) -> str:
        self.commands.append(args)
        if args[:2] == ("ssm", "put-parameter"):
            request = json.loads(Path(args[3].removeprefix("file://")).read_text("utf-8"))
            assert request["Type"] == "SecureString"
            self.stored[request["Name"]] = request["Value"]
        return self.real(*args, capture=capture)


def test_make_deploy_creates_the_edge_secret_once_and_never_prints_it(capsys):
    from infra.deploy import edge_secret

    stored: dict[str, str] = {}
    aws = FakeAws(stored)
    first = edge_secret(aws, "ibok-mpwik", "prod")  # type: ignore[arg-type]
    assert stored == {"/ibok-mpwik/prod/edge-secret": first}
    assert len(first) >= 32
    (command,) = aws.commands
    assert first not in " ".join(command)  # the value went through a private file
    again = FakeAws(stored)
    assert edge_secret(again, "ibok-mpwik", "prod") == first  # type: ignore[arg-type]
    assert again.commands == []
    again("cloudformation", "deploy", "--parameter-overrides", f"EdgeSecret={first}")
    printed = capsys.readouterr().out
    assert first not in printed
    assert "EdgeSecret=****" in printed


def _directives(policy: str) -> dict[str, list[str]]:
    parts = [part.split() for part in policy.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def test_the_pages_may_connect_only_to_the_api_and_the_stages_data_bucket():
    """Reading photos go from the browser to the data bucket (fetch with the presigned
    form): connect-src names that bucket's S3 host names and no other bucket."""
    config = RESOURCES["SecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
    policy = config["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    directives = _directives(policy["Fn::Sub"])
    stateful = load_template(ROOT / "infra" / "stateful.yaml")
    bucket = stateful["Resources"]["DataBucket"]["Properties"]["BucketName"]["Fn::Sub"]
    assert directives["connect-src"] == [
        "'self'",
        f"https://{bucket}.s3.amazonaws.com",
        f"https://{bucket}.s3.${{AWS::Region}}.amazonaws.com",
    ]
    assert not any("amazonaws" in source for source in directives["form-action"])
    assert directives["script-src"] == directives["style-src"] == ["'self'"]


def test_the_local_portal_serves_the_same_policy_with_the_local_origins():
    from scripts.local_portal import security_headers

    local = _directives(
        security_headers("http://127.0.0.1:5000", "http://127.0.0.1:8000")[
            "Content-Security-Policy"
        ]
    )
    config = RESOURCES["SecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
    policy = config["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    deployed = _directives(policy["Fn::Sub"])
    assert local["connect-src"] == ["'self'", "http://127.0.0.1:5000"]  # moto's S3
    assert local["form-action"] == ["'self'", "http://127.0.0.1:8000"]  # the fake gateway
    # Every other directive as deployed (upgrade-insecure-requests aside: no TLS locally).
    same = set(deployed) - {"connect-src", "form-action", "upgrade-insecure-requests"}
    assert {name: local[name] for name in same} == {name: deployed[name] for name in same}


def test_the_local_portal_sends_the_deployed_custom_headers():
    """Besides the CSP: the edge policy's custom headers (Permissions-Policy, COOP) and its
    security headers other than HSTS (no TLS locally), with the same values."""
    from scripts.local_portal import security_headers

    local = security_headers("http://127.0.0.1:5000", "http://127.0.0.1:8000")
    config = RESOURCES["SecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
    for item in config["CustomHeadersConfig"]["Items"]:
        assert local[item["Header"]] == item["Value"], item["Header"]
    deployed = config["SecurityHeadersConfig"]
    assert local["X-Frame-Options"] == deployed["FrameOptions"]["FrameOption"]
    assert local["Referrer-Policy"] == deployed["ReferrerPolicy"]["ReferrerPolicy"]
    assert local["X-Content-Type-Options"] == "nosniff"
