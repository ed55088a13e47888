"""cfn-lint and checkov on every template and on the merged app template (make test).

    python -m infra.checks

Builds a production stage's templates without dependencies (offline, a few seconds),
then runs cfn-lint on infra/*.yaml and on the build output, and checkov on the build
output (both from .venv-checkov).
cfn-lint must report nothing (errors nor warnings); checkov must have no failing check
that is not suppressed in place with its reason (`Metadata: checkov: skip`, in the YAML
or where infra/build.py makes the resource).
"""

from __future__ import annotations

import subprocess
import sys
import time

from infra.build import INFRA, ROOT, build

TOOLS = ROOT / ".venv-checkov" / "bin"


def main() -> None:
    """Build, lint, scan; exit non-zero on any finding."""
    started = time.monotonic()
    result = build("prod", out=ROOT / "build" / "checks", dependencies=False)
    templates = [
        *sorted(str(path) for path in INFRA.glob("*.yaml")),
        str(result.stateful),
        str(result.app),
        str(result.edge),
    ]
    lint = subprocess.Popen([str(TOOLS / "cfn-lint"), *templates])  # noqa: S603
    # checkov on the build output only: stateful.json and edge.json are the YAML files as
    # JSON, app.json holds app.yaml's resources (checkov takes seconds per start).
    built = templates[-3:]
    scan_args = ["--framework", "cloudformation", "--quiet", "--compact", "--skip-download"]
    scan = subprocess.Popen(  # noqa: S603  (both at once: each waits mostly on imports)
        [str(TOOLS / "checkov"), *(arg for path in built for arg in ("-f", path)), *scan_args],
        env={"BC_SKIP_MAPPING": "TRUE", "PATH": "/usr/bin:/bin", "HOME": str(ROOT / "build")},
    )
    lint.wait()
    scan.wait()
    elapsed = time.monotonic() - started
    status = "ok" if lint.returncode == scan.returncode == 0 else "FAILED"
    print(f"infra checks {status}: cfn-lint rc={lint.returncode}, checkov rc={scan.returncode}, "
          f"{len(templates)} templates, {elapsed:.1f} s")  # fmt: skip
    sys.exit(0 if status == "ok" else 1)


if __name__ == "__main__":
    main()
