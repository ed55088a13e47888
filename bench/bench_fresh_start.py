"""`make run` on a fresh clone: seconds until `GET /health` answers, installs included
(a new venv, the pinned requirements), then a second start with the venv in place.
Target: /health within 3 minutes of a fresh clone.

    python -m bench.bench_fresh_start

It clones the committed HEAD of this repository into a temporary folder (uncommitted
changes are not measured), so it measures what a newcomer gets.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.stack import free_port, report

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 180
LIMIT_SECONDS = 600


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def _start_and_stop(clone: Path, log: Path) -> float:
    """Run `make run` in `clone` until /health answers; stop it with Ctrl-C (SIGINT to the
    process group, as a terminal does). Returns the seconds to /health."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "STAGE", "BCRYPT", "LOCAL_OUTBOX", "VIRTUAL_ENV"))
    }
    # No pip cache, as on a new machine: every package is downloaded again.
    env.update(PORT=str(port), MOTO_PORT=str(free_port()), PIP_NO_CACHE_DIR="1")
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with log.open("ab") as output:
        process = subprocess.Popen(
            ["make", "run"],
            cwd=clone,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        while not _healthy(url):
            if process.poll() is not None:
                raise RuntimeError(f"make run ended with {process.returncode}; see {log}")
            if time.perf_counter() - started > LIMIT_SECONDS:
                raise RuntimeError(f"no /health within {LIMIT_SECONDS} s; see {log}")
            time.sleep(0.5)
        return time.perf_counter() - started
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def run() -> float:
    """Return the seconds from a fresh clone to /health."""
    work = Path(tempfile.mkdtemp(prefix="ibok-fresh-"))
    try:
        clone = work / "ibok"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        log = work / "make-run.log"
        first = _start_and_stop(clone, log)
        second = _start_and_stop(clone, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(
        "make run on a fresh clone (installs included)",
        {
            "to /health, fresh clone": f"{first:.0f} s (target ≤ {TARGET_SECONDS} s)",
            "to /health, second start": f"{second:.0f} s",
        },
    )
    return first


if __name__ == "__main__":
    run()
