"""Create an account for the billing system (role `integration`) or staff.

    make system-account LOGIN=billing-system EMAIL=it@wodociagi.example ROLE=integration

Against the running local stack by default; with `--aws`, against the stage whose
variables are in the environment (tables, pepper parameter) with your AWS credentials. The
password comes from IBOK_PASSWORD or is asked for (never an argument: it would stay in the
shell history)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from scripts.local_stack import ROOT, _port, stage_environment


def main(argv: list[str] | None = None) -> int:
    """Create the account; print its login and role."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--login", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--role", default="integration")
    parser.add_argument("--aws", action="store_true", help="use the AWS stage in the environment")
    args = parser.parse_args(argv)
    if not args.aws:
        os.environ.update(stage_environment(_port("PORT", 8000), _port("MOTO_PORT", 5000)))
    os.chdir(ROOT)
    password = os.environ.get("IBOK_PASSWORD") or getpass.getpass("Hasło: ")
    from chalicelib.domain.errors import DomainError
    from chalicelib.services.system_accounts import create_system_account

    try:
        account = create_system_account(args.login, args.email, password, args.role)
    except DomainError as exc:
        print(f"{exc.message} {' '.join(exc.fields.values())}", file=sys.stderr)
        return 1
    print(f"Utworzono konto {account.login} (rola {account.role}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
