"""Apply API Gateway's error responses in IBOK's error shape (infra/api-extras.json) to a
deployed REST API. `chalice deploy` (which the S3 event notification needs: CloudFormation
cannot add notifications to an existing bucket) does not merge templates, so this applies
the same definitions with the API Gateway API:

    python -m infra.gateway_responses --stage dev
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = Path(__file__).with_name("api-extras.json")


def gateway_responses() -> list[dict[str, Any]]:
    """The GatewayResponse definitions of api-extras.json as put_gateway_response kwargs."""
    resources = json.loads(EXTRAS.read_text(encoding="utf-8"))["Resources"]
    responses = []
    for resource in resources.values():
        if resource["Type"] != "AWS::ApiGateway::GatewayResponse":
            continue
        props = resource["Properties"]
        kwargs: dict[str, Any] = {
            "responseType": props["ResponseType"],
            "responseParameters": props.get("ResponseParameters", {}),
            "responseTemplates": props.get("ResponseTemplates", {}),
        }
        if "StatusCode" in props:
            kwargs["statusCode"] = props["StatusCode"]
        responses.append(kwargs)
    return responses


def apply(apigateway: Any, rest_api_id: str) -> list[str]:
    """Put every gateway response on the API; return the response types applied (they take
    effect with the next deployment of the stage)."""
    applied = []
    for kwargs in gateway_responses():
        apigateway.put_gateway_response(restApiId=rest_api_id, **kwargs)
        applied.append(kwargs["responseType"])
    return applied


def deployed_rest_api(stage: str) -> tuple[str, str]:
    """The REST API id and stage name `chalice deploy` recorded for `stage`."""
    record = json.loads((ROOT / ".chalice" / "deployed" / f"{stage}.json").read_text("utf-8"))
    for resource in record["resources"]:
        if resource.get("resource_type") == "rest_api":
            config = json.loads((ROOT / ".chalice" / "config.json").read_text("utf-8"))
            return resource["rest_api_id"], config["stages"][stage]["api_gateway_stage"]
    raise SystemExit(f"no REST API recorded for stage {stage}: run `chalice deploy` first")


def main() -> None:
    """Apply the responses to the deployed API of a stage and redeploy its stage."""
    import boto3

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stage", required=True, choices=["dev", "prod"])
    args = parser.parse_args()
    rest_api_id, api_stage = deployed_rest_api(args.stage)
    apigateway = boto3.client("apigateway")
    applied = apply(apigateway, rest_api_id)
    apigateway.create_deployment(restApiId=rest_api_id, stageName=api_stage)
    print(f"{rest_api_id}/{api_stage}: {', '.join(applied)}")


if __name__ == "__main__":
    main()
