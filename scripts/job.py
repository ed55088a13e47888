"""`make job NAME=<job>`: run one scheduled job now against the running local stack (on AWS
its schedule runs it), and print what it did."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from scripts.local_stack import ROOT, _port, stage_environment

# Job name (as typed) -> "module:function" of what the app's schedule runs.
JOBS = {
    "complaint-digest": "chalicelib.jobs.complaint_digest:complaint_digest",
    "export-readings": "chalicelib.jobs.export_readings:export_readings",
    "expire-unactivated": "chalicelib.jobs.expire_unactivated:expire_unactivated",
    "terminations": "chalicelib.jobs.terminations:terminations",
    "cleanup": "chalicelib.jobs.cleanup:cleanup",
    "invoice-reminders": "chalicelib.jobs.invoice_reminders:invoice_reminders",
    "new-invoices": "chalicelib.jobs.new_invoices:new_invoices",
    "reading-window": "chalicelib.jobs.reading_window:reading_window",
    "certification-digest": "chalicelib.jobs.certification_digest:certification_digest",
    "announcements": "chalicelib.jobs.announcements:announcements",
}


def main(argv: list[str] | None = None) -> int:
    """Run the job named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", help=", ".join(sorted(JOBS)))
    args = parser.parse_args(argv)
    target = JOBS.get(args.name)
    if target is None:
        print(f"Nie ma zadania „{args.name}”. Dostępne: {', '.join(sorted(JOBS))}.")
        return 2
    os.environ.update(stage_environment(_port("PORT", 8000), _port("MOTO_PORT", 5000)))
    os.chdir(ROOT)
    module, function = target.split(":")
    result = getattr(importlib.import_module(module), function)()
    print(f"{args.name}: {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
