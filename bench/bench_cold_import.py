"""Cold start: the time to import `app.py` in a fresh interpreter, beside a bare Chalice app
that imports boto3 (the smallest realistic Lambda), in the same run. Also import plus the
first `GET /health` through the Lambda handler, since lazy modules move work to it.

    python -m bench.bench_cold_import [runs]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.stack import report

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.3

BARE_APP = """
import boto3
from chalice import Chalice

app = Chalice(app_name="bare")


@app.route("/health")
def health():
    return {"status": "ok"}
"""

EVENT = {
    "resource": "/health",
    "path": "/health",
    "httpMethod": "GET",
    "headers": {"Host": "example"},
    "multiValueHeaders": {},
    "queryStringParameters": None,
    "multiValueQueryStringParameters": None,
    "pathParameters": None,
    "stageVariables": None,
    "requestContext": {
        "resourcePath": "/health",
        "httpMethod": "GET",
        "requestId": "bench",
        "identity": {"sourceIp": "192.0.2.1", "userAgent": "bench"},
    },
    "body": None,
    "isBase64Encoded": False,
}

PROBE = """
import json, sys, time
started = time.perf_counter()
from app import app
imported = time.perf_counter()
answer = app(json.loads(sys.argv[1]), None)
served = time.perf_counter()
assert answer["statusCode"] == 200, answer
full = served
if sys.argv[2] == "full":
    import importlib, pkgutil, chalicelib
    for module in pkgutil.walk_packages(chalicelib.__path__, "chalicelib."):
        if "local_pages" not in module.name:
            importlib.import_module(module.name)
    full = time.perf_counter()
print(json.dumps({"import": imported - started, "first": served - started, "full": full - started}))
"""


def _lambda_env() -> dict[str, str]:
    """The dev stage's variables, without an endpoint: what a deployed Lambda sees."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STAGE"))}
    env.update(config["environment_variables"])
    env.update(config["stages"]["dev"]["environment_variables"])
    env.update(AWS_DEFAULT_REGION="eu-central-1", PYTHONDONTWRITEBYTECODE="1")
    return env


def _probe(project: Path, env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(EVENT), "full" if project == ROOT else "-"],
        cwd=project,
        env={**env, "PYTHONPATH": str(project)},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(runs: int = 15) -> float:
    """Return the median import-time ratio app / bare."""
    env = _lambda_env()
    ours: dict[str, list[float]] = {"import": [], "first": [], "full": []}
    bare: dict[str, list[float]] = {"import": [], "first": [], "full": []}
    with tempfile.TemporaryDirectory() as folder:
        bare_project = Path(folder)
        (bare_project / "app.py").write_text(BARE_APP, encoding="utf-8")
        for _ in range(runs):  # interleaved, so both see the same machine state
            for target, project in ((ours, ROOT), (bare, bare_project)):
                sample = _probe(project, env)
                for name in target:
                    target[name].append(sample[name] * 1000)
    medians = {
        name: (statistics.median(ours[name]), statistics.median(bare[name])) for name in ours
    }
    ratio = medians["import"][0] / medians["import"][1]
    report(
        f"cold import of app.py vs bare Chalice + boto3 (median of {runs})",
        {
            "import app.py": f"{medians['import'][0]:.0f} ms",
            "import bare app": f"{medians['import'][1]:.0f} ms",
            "ratio": f"{ratio:.2f} (target ≤ {TARGET_RATIO})",
            "import + first GET /health, app.py": f"{medians['first'][0]:.0f} ms",
            "import + first GET /health, bare": f"{medians['first'][1]:.0f} ms",
            "ratio with first request": f"{medians['first'][0] / medians['first'][1]:.2f}",
            "app.py with every chalicelib module loaded (worst first request)": (
                f"{medians['full'][0]:.0f} ms, "
                f"ratio {medians['full'][0] / medians['first'][1]:.2f} to bare + first request"
            ),
        },
    )
    return ratio


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
