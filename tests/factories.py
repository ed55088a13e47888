"""Test data: customers and invoices put through the real import path, and a registered,
activated account."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from chalicelib import aws
from chalicelib.content.terms import CURRENT_TERMS_VERSION
from chalicelib.imports.service import run_import
from chalicelib.settings import get_settings

PASSWORD = "Zielona-Woda-2026!"


def customer_line(number: str, **extra: Any) -> dict[str, Any]:
    """A valid customer import line."""
    return {
        "type": "customer",
        "customer_number": number,
        "name": f"Klient {number}",
        "service_address": {
            "street": "ul. Wodna 1",
            "postal_code": "41-709",
            "city": "Ruda Śląska",
        },
        "email": f"k{number}@example.pl",
        "contract_status": "active",
        **extra,
    }


def invoice_line(number: str, customer: str, gross: str = "123.45", **extra: Any) -> dict[str, Any]:
    """A valid invoice import line (net + VAT 8% = gross)."""
    from decimal import Decimal

    total = Decimal(gross.replace(",", "."))
    net = (total / Decimal("1.08")).quantize(Decimal("0.01"))
    vat = total - net
    return {
        "type": "invoice",
        "number": number,
        "customer_number": customer,
        "issue_date": "2026-10-01",
        "due_date": "2026-10-15",
        "net": str(net),
        "vat": str(vat),
        "gross": gross,
        "pdf_key": f"invoices/{number.replace('/', '-')}.pdf",
        **extra,
    }


def import_lines(
    lines: list[dict[str, Any] | str], key: str = "imports/test.jsonl", writer: Any = None
) -> Any:
    """Put a batch in the data bucket and run the import on it (with `writer`, if given:
    an `ImportWriter` with test seams)."""
    body = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    bucket = get_settings().data_bucket
    aws.client("s3").put_object(Bucket=bucket, Key=key, Body=body.encode("utf-8"))
    return run_import(bucket, key, writer=writer)


def seed_customer(
    number: str = "100200", invoice: str = "FV/2026/10/0001", gross: str = "123.45"
) -> None:
    """One customer with one invoice."""
    import_lines([customer_line(number), invoice_line(invoice, number, gross)])


def register_body(number: str = "100200", **overrides: Any) -> dict[str, Any]:
    """A valid registration body for the seeded customer."""
    body = {
        "customer_number": number,
        "invoice_number": "FV/2026/10/0001",
        "invoice_gross": "123,45",
        "email": f"jan.{number}@example.pl",
        "phone": "601 234 567",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "accept_terms": CURRENT_TERMS_VERSION,
        "consents": {"email_notices": True, "sms_notices": False},
    }
    body.update(overrides)
    return body


def post(client: Any, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    """POST JSON through the Chalice test client."""
    return client.http.post(
        path,
        headers={"Content-Type": "application/json", **(headers or {})},
        body=json.dumps(body) if not isinstance(body, (str, bytes)) else body,
    )


def unsubscribe_answers(client: Any, token: str) -> list[Any]:
    """An unsubscribe link used the three ways it can be: the portal page's check (GET),
    its POST, and a mail client's one-click POST (RFC 8058)."""
    quoted = quote(token, safe="")
    return [
        client.http.get(f"/unsubscribe?token={quoted}"),
        post(client, "/unsubscribe", {"token": token}),
        client.http.post(
            f"/unsubscribe?token={quoted}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body="List-Unsubscribe=One-Click",
        ),
    ]


def active_account(client: Any, outbox: Any, number: str = "100200") -> dict[str, Any]:
    """Seed, register and activate a customer; return the registration body."""
    seed_customer(number)
    body = register_body(number)
    response = post(client, "/auth/register", body)
    assert response.status_code == 201, response.body
    token = outbox.token_in_last(body["email"])
    assert post(client, "/auth/activate", {"token": token}).status_code == 200
    return body


def bearer(client: Any, login: str = "100200", password: str = PASSWORD) -> dict[str, str]:
    """Log in for a bearer token; return the Authorization header."""
    response = post(
        client, "/auth/login", {"login": login, "password": password, "session": "bearer"}
    )
    assert response.status_code == 200, response.body
    return {"Authorization": f"Bearer {response.json_body['token']}"}


def meter_line(
    serial: str, customer: str = "100200", installed_on: str = "2025-01-01", **extra: Any
) -> dict[str, Any]:
    """A valid meter import line (main, active unless `extra` says otherwise)."""
    return {
        "type": "meter",
        "serial": serial,
        "customer_number": customer,
        "installed_on": installed_on,
        **extra,
    }


def reading_line(
    serial: str, day: str, value: str, customer: str = "100200", source: str = "billing"
) -> dict[str, Any]:
    """A valid reading import line."""
    return {
        "type": "reading",
        "customer_number": customer,
        "meter": serial,
        "date": day,
        "value": value,
        "source": source,
    }


def staff_account(login: str = "anna-nowak", role: str = "staff") -> str:
    """Create a staff account (`make staff-account`); return its TOTP secret, read from the
    provisioning URI (the one time it is shown)."""
    from urllib.parse import parse_qs, urlparse

    from chalicelib.services.staff_accounts import create_staff_account

    created = create_staff_account(login, f"{login}@wodociagi.example", PASSWORD, role)
    return parse_qs(urlparse(created.provisioning_uri).query)["secret"][0]


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now (the app's clock)."""
    from chalicelib import clock
    from chalicelib.domain.totp import code_at

    return code_at(secret, clock.now())


def staff_bearer(
    client: Any, login: str = "anna-nowak", secret: str | None = None
) -> dict[str, str]:
    """Log a staff member in (password, then the TOTP code unless `secret` is None: a
    session still waiting for its second factor); return the Authorization header - with
    the new token the code's answer gives, as the password step's token then ends. The
    clock moves on a step after each code, as a code is accepted once."""
    from chalicelib import clock

    headers = bearer(client, login)
    if secret is not None:
        response = post(client, "/auth/login/totp", {"code": totp_code(secret)}, headers)
        assert response.status_code == 200, response.body
        headers = {"Authorization": f"Bearer {response.json_body['token']}"}
        clock.travel(30)
    return headers
