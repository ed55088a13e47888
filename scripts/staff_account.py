"""Create a staff account (role `staff` or `admin`) with its TOTP second factor.

    make staff-account LOGIN=anna-nowak EMAIL=anna.nowak@wodociagi.example ROLE=staff

Against the running local stack by default; with `--aws`, against the stage whose
variables are in the environment with your AWS credentials. The password comes from
IBOK_PASSWORD or is asked for (never an argument: it would stay in the shell history).
On the local stage the TOTP provisioning URI (`otpauth://…`) is printed for an
authenticator app; on other stages it is printed only with `--show-totp-uri`, to hand to
the staff member in person. It is never shown again.

    make staff-totp-reset LOGIN=anna-nowak

(`--reset-totp`) issues the account a new TOTP secret, printed the same way: for a lost
phone, or a second factor locked after 100 failed codes in a row. The old secret stops
working; the reset is audited."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from scripts.local_stack import ROOT, _port, stage_environment


def main(argv: list[str] | None = None) -> int:
    """Create the account; print its login, role and (locally) the provisioning URI."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--login", required=True)
    parser.add_argument("--email")
    parser.add_argument("--role", default="staff")
    parser.add_argument("--aws", action="store_true", help="use the AWS stage in the environment")
    parser.add_argument(
        "--show-totp-uri", action="store_true", help="print the otpauth:// URI on any stage"
    )
    parser.add_argument(
        "--reset-totp", action="store_true", help="issue an existing account a new TOTP secret"
    )
    args = parser.parse_args(argv)
    if not args.reset_totp and not args.email:
        parser.error("--email is required to create an account")
    if not args.aws:
        os.environ.update(stage_environment(_port("PORT", 8000), _port("MOTO_PORT", 5000)))
    os.chdir(ROOT)
    if args.reset_totp:
        return _reset_totp(args.login, args.show_totp_uri)
    password = os.environ.get("IBOK_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            print("Podaj hasło w zmiennej IBOK_PASSWORD (brak terminala).", file=sys.stderr)
            return 2
        password = getpass.getpass("Hasło: ")
    from chalicelib.domain.errors import DomainError
    from chalicelib.services.staff_accounts import create_staff_account
    from chalicelib.settings import get_settings

    try:
        created = create_staff_account(args.login, args.email, password, args.role)
    except DomainError as exc:
        print(f"{exc.message} {' '.join(exc.fields.values())}", file=sys.stderr)
        return 1
    print(f"Utworzono konto obsługi {created.account.login} (rola {created.account.role}).")
    if get_settings().is_local or args.show_totp_uri:
        print("Dodaj je w aplikacji uwierzytelniającej (TOTP):")
        print(created.provisioning_uri)
    else:
        print("Adres otpauth:// nie został wypisany (użyj --show-totp-uri przy wydawaniu konta).")
    return 0


def _reset_totp(login: str, show_uri: bool) -> int:
    from chalicelib.domain.errors import DomainError
    from chalicelib.services.staff_accounts import reset_totp
    from chalicelib.settings import get_settings

    try:
        uri = reset_totp(login)
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(f"Konto obsługi {login} ma nowy klucz TOTP; poprzedni przestał działać.")
    if get_settings().is_local or show_uri:
        print("Dodaj go w aplikacji uwierzytelniającej (TOTP):")
        print(uri)
    else:
        print("Adres otpauth:// nie został wypisany (użyj --show-totp-uri).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
