"""`make run`: the local stack. A moto server (DynamoDB, S3, SES, SNS, SQS, SSM,
EventBridge), the resources of infra/, the demo batch imported through the import queue
and its handler (the upload's event queued by EventBridge, as deployed),
a ready demo account, the API served like `chalice local --stage local`, the portal
(`frontend/`, with `/api/*` forwarded to the API: scripts/local_portal.py), and a background
poller that runs every queued message through the app's SQS handler, as Lambda would
(scripts/local_queues.py).

PORT (8000), MOTO_PORT (5000) and PORTAL_PORT (8080) choose the ports. Ctrl-C (or SIGTERM)
stops everything.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
from pathlib import Path
from types import FrameType
from typing import Any

# Pure formatting (no settings, no AWS): safe to import before the stage's environment is set.
from chalicelib.domain.formatting import money_pl
from chalicelib.money import parse_grosze

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
STAGE = "local"


def _port(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.isdigit() else default


def _ensure_free(port: int, name: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            sys.exit(
                f"Port {port} ({name}) jest zajęty — czy `make run` już działa? "
                f"Zatrzymaj go albo ustaw {name}=<inny port>."
            )


def stage_environment(
    api_port: int, moto_port: int, portal_port: int | None = None
) -> dict[str, str]:
    """The local stage's variables from .chalice/config.json, pointed at our ports: e-mailed
    links open the portal, which is also the one origin the API admits."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    env = {**config.get("environment_variables", {})}
    env.update(config["stages"][STAGE].get("environment_variables", {}))
    api = f"http://{HOST}:{api_port}"
    portal = f"http://{HOST}:{portal_port or _port('PORTAL_PORT', 8080)}"
    env.update(
        {
            "AWS_ENDPOINT_URL": f"http://{HOST}:{moto_port}",
            "PUBLIC_URL": portal,
            "BLUEMEDIA_GATEWAY_URL": f"{api}/_local/bluemedia/payment",
            "CORS_ORIGIN": portal,
            "LOCAL_OUTBOX_DIR": os.environ.get("LOCAL_OUTBOX_DIR")
            or str(ROOT / env.get("LOCAL_OUTBOX_DIR", ".local/outbox")),
        }
    )
    return env


def _start_moto(port: int) -> Any:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    return server


def _provision() -> None:
    from chalicelib import aws
    from chalicelib.settings import get_settings
    from infra.local import create_mail_resources, create_resources

    settings = get_settings()
    create_resources(
        aws.client("dynamodb"),
        aws.client("s3"),
        aws.client("ssm"),
        aws.client("sqs"),
        settings,
        events=aws.client("events"),
    )
    aws.client("ses").verify_email_identity(EmailAddress=settings.mail_sender)
    create_mail_resources(aws.client("sesv2"), aws.client("sns"), settings)


def _pdf_text(line: dict[str, Any]) -> list[str]:
    """What the placeholder PDF of a demo record says."""
    title = {
        "invoice": f"Faktura {line.get('number')}",
        "contract": f"Umowa {line.get('number')}",
        "annex": f"Aneks {line.get('number')} do umowy {line.get('contract')}",
        "document": str(line.get("title")),
    }[line["type"]]
    facts = [f"Odbiorca: {line['customer_number']}"]
    if line["type"] == "invoice":
        facts.append(f"Wystawiona: {line['issue_date']}, termin: {line['due_date']}")
        facts.append(f"Brutto: {money_pl(parse_grosze(line['gross']))}")
    return [f"{title} (dokument demonstracyjny IBOK)", *facts]


def _import_demo(app: Any) -> dict[str, Any]:
    """Upload the demo batch and its PDFs; the upload's event reaches the import queue, which
    is drained through the import handler as its Lambda would be."""
    from chalicelib import aws
    from chalicelib.settings import get_settings
    from scripts import demo_data
    from scripts.pdf import placeholder_pdf

    s3 = aws.client("s3")
    bucket = get_settings().data_bucket
    lines = demo_data.batch_lines()
    for line in lines:
        if line.get("pdf_key"):
            s3.put_object(
                Bucket=bucket,
                Key=line["pdf_key"],
                Body=placeholder_pdf(_pdf_text(line)),
                ContentType="application/pdf",
            )
    key = "imports/demo.jsonl"
    s3.put_object(Bucket=bucket, Key=key, Body=demo_data.batch_body(lines))
    from scripts.local_queues import drain

    drain(app, handlers={"billing_import"})
    report = s3.get_object(Bucket=bucket, Key=f"{key}.report.json")["Body"].read()
    return json.loads(report)


def register_and_activate(app: Any, customer_number: str, email: str, password: str) -> None:
    """Register a customer of the imported data and activate the account through the API,
    as the customer would (the facts come from the customer's newest imported invoice)."""
    from chalice.test import Client

    from chalicelib.adapters.mailer import read_outbox
    from chalicelib.content.terms import CURRENT_TERMS_VERSION
    from chalicelib.settings import get_settings
    from scripts import demo_data

    invoice = [
        line
        for line in demo_data.batch_lines()
        if line["type"] == "invoice" and line["customer_number"] == customer_number
    ][-1]
    body = {
        "customer_number": customer_number,
        "invoice_number": invoice["number"],
        "invoice_gross": invoice["gross"],
        "email": email,
        "password": password,
        "password_confirm": password,
        "accept_terms": CURRENT_TERMS_VERSION,
        "phone": f"+48601{customer_number}",
        "consents": {"email_notices": True, "sms_notices": True},
    }
    headers = {"Content-Type": "application/json"}
    # An empty project dir: the client must not overlay .chalice's ports on ours.
    with tempfile.TemporaryDirectory() as empty, Client(app, project_dir=empty) as client:
        answer = client.http.post("/auth/register", headers=headers, body=json.dumps(body))
        if answer.status_code != 201:
            raise RuntimeError(f"registration failed: {answer.body!r}")
        sent = read_outbox(Path(get_settings().local_outbox_dir or ""))
        text = next(message["text"] for message in sent if message["to"] == email)
        token = text.split("#token=", 1)[1].split()[0]
        answer = client.http.post(
            "/auth/activate", headers=headers, body=json.dumps({"token": token})
        )
        if answer.status_code != 200:
            raise RuntimeError(f"activation failed: {answer.body!r}")


def gateway_not_found() -> tuple[int, dict[str, str], bytes]:
    """API Gateway's answer to an unknown route, as infra/gateway_responses.py configures it
    (status, headers, body), for the local stage's origin."""
    import uuid

    from chalicelib.settings import get_settings
    from infra.gateway_responses import definitions, response_headers

    answer = definitions(get_settings().cors_origin)["MISSING_AUTHENTICATION_TOKEN"]
    request_id = str(uuid.uuid4())
    template = answer["responseTemplates"]["application/json"]
    body = template.replace("$context.requestId", request_id).encode("utf-8")
    headers = {**response_headers(get_settings().cors_origin), "X-Request-Id": request_id}
    return int(answer["statusCode"]), headers, body


def _serve(app: Any, port: int) -> Any:
    """The API server of `chalice local`, with API Gateway's configured 404 for unknown
    routes (infra/api-extras.json) instead of chalice local's 403."""
    from chalice.cli.factory import CLIFactory
    from chalice.local import ChaliceRequestHandler, LocalDevServer, LocalGatewayException

    from scripts.local_portal import trusted_host

    class Handler(ChaliceRequestHandler):
        def _generic_handle(self) -> None:
            if not trusted_host(self.headers.get("Host"), self.server.server_address[1]):
                # DNS rebinding: another site's name for 127.0.0.1 (local_portal.py).
                self.close_connection = True
                self._send_http_response(421, {"Content-Type": "text/plain"}, b"Unknown host")
                return
            # chalice local tells every view the caller is 127.0.0.1; tell the real peer, so
            # the local pages' loopback check (http/local_only.py) sees who is asking.
            self.local_gateway.event_converter.LOCAL_SOURCE_IP = self.client_address[0]
            super()._generic_handle()

        def _send_error_response(self, error: LocalGatewayException) -> None:
            if error.CODE == 403 and b"Missing Authentication Token" in (error.body or b""):
                self._send_http_response(*gateway_not_found())
                return
            super()._send_error_response(error)

        def log_message(self, format: str, *args: Any) -> None:
            """The app logs every request as JSON already."""

    config = CLIFactory(project_dir=str(ROOT)).create_config_obj(chalice_stage_name=STAGE)
    from chalice.local import CustomLocalChalice, LocalChalice

    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    return LocalDevServer(app, config, HOST, port, handler_cls=Handler)


def _stop(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Start the stack and serve until interrupted."""
    api_port, moto_port = _port("PORT", 8000), _port("MOTO_PORT", 5000)
    portal_port = _port("PORTAL_PORT", 8080)
    _ensure_free(api_port, "PORT")
    _ensure_free(moto_port, "MOTO_PORT")
    _ensure_free(portal_port, "PORTAL_PORT")
    os.chdir(ROOT)
    env = stage_environment(api_port, moto_port, portal_port)
    os.environ.update(env)
    shutil.rmtree(env["LOCAL_OUTBOX_DIR"], ignore_errors=True)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)  # also when started in the background of a script

    moto = _start_moto(moto_port)
    server = None
    portal = None
    poller = None
    try:
        _provision()
        from app import app
        from scripts import demo_data

        report = _import_demo(app)
        register_and_activate(
            app, demo_data.DEMO_LOGIN, demo_data.DEMO_EMAIL, demo_data.DEMO_PASSWORD
        )
        shutil.rmtree(env["LOCAL_OUTBOX_DIR"], ignore_errors=True)
        from scripts.local_queues import Poller

        poller = Poller(app)
        poller.start()
        server = _serve(app, api_port)
        from scripts.local_portal import PortalServer

        portal = PortalServer(HOST, portal_port, api_port, env["AWS_ENDPOINT_URL"])
        portal.serve_in_background()
        facts = demo_data.facts()
        api = f"http://{HOST}:{api_port}"
        print(
            "\n".join(
                [
                    "",
                    f"IBOK działa: portal {env['PUBLIC_URL']}",
                    f"  API:                 {api}  (w portalu: {env['PUBLIC_URL']}/api)",
                    f"  moto:                http://{HOST}:{moto_port}",
                    f"  dane demonstracyjne: {report['valid']} rekordów, "
                    f"{report['invalid']} błędnych",
                    f"  skrzynka e-maili:    {api}/_local/outbox   (albo: make outbox)",
                    f"  OpenAPI:             {api}/openapi.json",
                    f"  konto demo:          login {facts.demo_login}, hasło {facts.demo_password}",
                    f"  do rejestracji:      nr klienta {facts.new_customer}, "
                    f"faktura {facts.invoice_number}, brutto {facts.invoice_gross}",
                    "Ctrl-C zatrzymuje wszystko.",
                    "",
                ]
            ),
            flush=True,
        )
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nZatrzymuję…", flush=True)
    finally:
        if portal is not None:
            portal.shutdown()
            portal.server_close()
        if server is not None:
            server.server.server_close()
        if poller is not None:
            poller.stop()
            poller.join(timeout=5)
        moto.stop()


if __name__ == "__main__":
    main()
