"""`make export-readings`: run the daily export of customer readings against the running
local stack now (on AWS a schedule runs it at 01:15 UTC), and print what it wrote."""

from __future__ import annotations

import os

from scripts.local_stack import ROOT, _port, stage_environment


def main() -> None:
    """Run the job the schedule runs."""
    os.environ.update(stage_environment(_port("PORT", 8000), _port("MOTO_PORT", 5000)))
    os.chdir(ROOT)
    from chalicelib.jobs.export_readings import export_readings

    result = export_readings()
    if not result.files:
        print("Brak nowych odczytów do eksportu.")
    for run, keys in result.files.items():
        print(f"{run}: " + ", ".join(keys))
    print(f"Wyeksportowano odczytów: {result.readings}")


if __name__ == "__main__":
    main()
