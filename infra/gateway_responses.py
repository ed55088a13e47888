"""API Gateway's own error answers (unknown route, 403, throttled, 5xx…) in IBOK's error
shape, with the same security headers and CORS answer as the app's. The Python constants are
the one source of truth: `chalicelib/http/responses.API_SECURITY_HEADERS`, the CORS headers of
`chalicelib/http/cors.granted_headers` and the Polish messages of Chalice's errors in
`chalicelib/http/middleware.CHALICE_ERRORS`. `infra/api-extras.json` is generated from them
(the CORS origin as the `CorsOrigin` parameter) and a test keeps it current.

`chalice deploy` (which the S3 event notification needs: CloudFormation cannot add
notifications to an existing bucket) does not merge templates, so this applies the same
definitions with the API Gateway API, the stage's configured origin substituted:

    python -m infra.gateway_responses --stage dev     # apply to the deployed API
    python -m infra.gateway_responses --write         # regenerate infra/api-extras.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from chalicelib.http.cors import granted_headers
from chalicelib.http.middleware import CHALICE_ERRORS
from chalicelib.http.responses import API_SECURITY_HEADERS, JSON

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = Path(__file__).with_name("api-extras.json")
ORIGIN_PARAMETER = "CorsOrigin"
ORIGIN_PLACEHOLDER = "${" + ORIGIN_PARAMETER + "}"

# Every response type API Gateway has: (status to answer, None for API Gateway's own,
# the Chalice error whose code and Polish message it gives).
RESPONSE_TYPES: dict[str, tuple[str | None, str]] = {
    "DEFAULT_4XX": (None, "BadRequestError"),
    "DEFAULT_5XX": (None, "InternalServerError"),
    "MISSING_AUTHENTICATION_TOKEN": ("404", "NotFoundError"),  # an unknown route or method
    "RESOURCE_NOT_FOUND": ("404", "NotFoundError"),
    "ACCESS_DENIED": ("403", "ForbiddenError"),
    "WAF_FILTERED": ("403", "ForbiddenError"),
    "INVALID_API_KEY": ("403", "ForbiddenError"),
    "INVALID_SIGNATURE": ("403", "ForbiddenError"),
    "EXPIRED_TOKEN": ("403", "ForbiddenError"),
    "UNAUTHORIZED": ("401", "UnauthorizedError"),
    "BAD_REQUEST_PARAMETERS": ("400", "BadRequestError"),
    "BAD_REQUEST_BODY": ("400", "BadRequestError"),
    "REQUEST_TOO_LARGE": ("413", "RequestTooLarge"),
    "UNSUPPORTED_MEDIA_TYPE": ("415", "UnsupportedMediaType"),
    "THROTTLED": ("429", "TooManyRequestsError"),
    "QUOTA_EXCEEDED": ("429", "TooManyRequestsError"),
    "INTEGRATION_FAILURE": ("502", "InternalServerError"),
    "INTEGRATION_TIMEOUT": ("504", "InternalServerError"),
    "API_CONFIGURATION_ERROR": ("500", "InternalServerError"),
    "AUTHORIZER_CONFIGURATION_ERROR": ("500", "InternalServerError"),
    "AUTHORIZER_FAILURE": ("500", "InternalServerError"),
}


def response_headers(origin: str) -> dict[str, str]:
    """The headers of every gateway answer: the app's security headers, JSON, and CORS for
    the configured `origin` (static: a gateway response cannot compare the Origin header,
    and naming our one origin grants nothing to any other)."""
    return {"Content-Type": JSON, **API_SECURITY_HEADERS, **granted_headers(origin)}


def _quoted(value: str) -> str:
    # API Gateway's static value: the text between the outermost single quotes.
    return f"'{value}'"


def _template(chalice_error: str) -> str:
    code, message = CHALICE_ERRORS[chalice_error]
    body = {"error": {"code": code, "message": message, "fields": {}, "request_id": "RID"}}
    return json.dumps(body, ensure_ascii=False).replace('"RID"', '"$context.requestId"')


def definitions(origin: str = ORIGIN_PLACEHOLDER) -> dict[str, dict[str, Any]]:
    """put_gateway_response's arguments per response type, for `origin`."""
    parameters = {
        f"gatewayresponse.header.{name}": _quoted(value)
        for name, value in response_headers(origin).items()
    }
    responses = {}
    for kind, (status, chalice_error) in RESPONSE_TYPES.items():
        kwargs: dict[str, Any] = {
            "responseType": kind,
            "responseParameters": dict(parameters),
            "responseTemplates": {"application/json": _template(chalice_error)},
        }
        if status is not None:
            kwargs["statusCode"] = status
        responses[kind] = kwargs
    return responses


def _resource_name(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.lower().split("_")) + "GatewayResponse"


def template_document() -> dict[str, Any]:
    """infra/api-extras.json: the gateway responses as CloudFormation resources."""
    resources = {}
    for kind, kwargs in definitions().items():
        parameters = {
            name: {"Fn::Sub": value} if ORIGIN_PLACEHOLDER in value else value
            for name, value in kwargs["responseParameters"].items()
        }
        props: dict[str, Any] = {
            "RestApiId": {"Ref": "RestAPI"},
            "ResponseType": kind,
            "ResponseParameters": parameters,
            "ResponseTemplates": kwargs["responseTemplates"],
        }
        if "statusCode" in kwargs:
            props["StatusCode"] = kwargs["statusCode"]
        resources[_resource_name(kind)] = {
            "Type": "AWS::ApiGateway::GatewayResponse",
            "Properties": props,
        }
    return {
        "Parameters": {
            ORIGIN_PARAMETER: {
                "Type": "String",
                "Description": "The portal's origin (CORS_ORIGIN of the stage), never '*'.",
            }
        },
        "Resources": resources,
    }


def render() -> str:
    """The text infra/api-extras.json must have."""
    return json.dumps(template_document(), indent=2, ensure_ascii=False) + "\n"


def gateway_responses(origin: str) -> list[dict[str, Any]]:
    """Every gateway response as put_gateway_response kwargs, for the stage's `origin`."""
    return list(definitions(origin).values())


def apply(apigateway: Any, rest_api_id: str, origin: str) -> list[str]:
    """Put every gateway response on the API; return the response types applied (they take
    effect with the next deployment of the stage)."""
    applied = []
    for kwargs in gateway_responses(origin):
        apigateway.put_gateway_response(restApiId=rest_api_id, **kwargs)
        applied.append(kwargs["responseType"])
    return applied


def stage_origin(stage: str) -> str:
    """CORS_ORIGIN of `stage` in .chalice/config.json."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text("utf-8"))
    variables = config["stages"][stage].get("environment_variables", {})
    origin = variables.get("CORS_ORIGIN") or config.get("environment_variables", {}).get(
        "CORS_ORIGIN"
    )
    if not origin or origin == "*":
        raise SystemExit(f"stage {stage}: set CORS_ORIGIN to the portal's origin (never '*')")
    return origin


def deployed_rest_api(stage: str) -> tuple[str, str]:
    """The REST API id and stage name `chalice deploy` recorded for `stage`."""
    record = json.loads((ROOT / ".chalice" / "deployed" / f"{stage}.json").read_text("utf-8"))
    for resource in record["resources"]:
        if resource.get("resource_type") == "rest_api":
            config = json.loads((ROOT / ".chalice" / "config.json").read_text("utf-8"))
            return resource["rest_api_id"], config["stages"][stage]["api_gateway_stage"]
    raise SystemExit(f"no REST API recorded for stage {stage}: run `chalice deploy` first")


def main() -> None:
    """Apply the responses to the deployed API of a stage and redeploy its stage, or write
    infra/api-extras.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--stage", choices=["dev", "prod"])
    action.add_argument("--write", action="store_true", help="regenerate api-extras.json")
    args = parser.parse_args()
    if args.write:
        EXTRAS.write_text(render(), encoding="utf-8")
        print(EXTRAS)
        return
    import boto3  # the operator's credentials; not needed to write the file

    origin = stage_origin(args.stage)
    rest_api_id, api_stage = deployed_rest_api(args.stage)
    apigateway = boto3.client("apigateway")
    applied = apply(apigateway, rest_api_id, origin)
    apigateway.create_deployment(restApiId=rest_api_id, stageName=api_stage)
    print(f"{rest_api_id}/{api_stage} ({origin}): {', '.join(applied)}")


if __name__ == "__main__":
    main()
