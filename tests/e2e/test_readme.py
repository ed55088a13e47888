"""README's demo walk-through, run as written: every `sh` block of its "Demo walk-through"
section, in order, in one bash with `set -euo pipefail`, against a fresh local stack, with
curl and python3 only. If the README drifts from the product, this fails."""

from __future__ import annotations

import os
import re
import subprocess
import textwrap
from pathlib import Path

from tests.e2e.test_local_stack import ROOT, Stack

BLOCK = re.compile(r"^( *)```sh\n(.*?)^\1```$", re.MULTILINE | re.DOTALL)


def walk_through_script() -> str:
    """The README's walk-through blocks as one script."""
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Demo walk-through", 1)[1].split("\n## ", 1)[0]
    blocks = [textwrap.dedent(match.group(2)) for match in BLOCK.finditer(section)]
    assert len(blocks) >= 6, "the walk-through lost its blocks"
    return "set -euo pipefail\n" + "\n".join(blocks)


def test_readme_walk_through_with_curl_only(tmp_path: Path) -> None:
    stack = Stack(tmp_path / "outbox")
    try:
        stack.wait_healthy()
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AWS_", "STAGE", "BCRYPT", "MAKE", "MFLAGS"))
        }
        env.update(
            PORT=str(stack.port),
            MOTO_PORT=str(stack.moto_port),
            LOCAL_OUTBOX_DIR=str(tmp_path / "outbox"),
        )
        run = subprocess.run(
            ["bash", "-c", walk_through_script()],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    finally:
        stack.stop()
    shown = run.stdout + run.stderr
    assert run.returncode == 0, shown
    # Registration, activation, profile, reset, the demo reads, the reading and the payment.
    assert '"activation_expires_at"' in shown
    assert '"customer_number":"100002"' in shown
    assert '"value":"109.250"' in shown
    assert re.search(r'"items":\[(\{"date"[^}]*\},?){3}\],"next_cursor":"', shown), shown
    assert re.search(r'\{"id":"\w+","source":"online","status":"paid"', shown), shown
