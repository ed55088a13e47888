"""docs/architecture.md's "where each rule lives" table names files and functions that
exist, so it cannot silently go stale when code moves."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def _rule_rows() -> list[str]:
    section = DOC.split("## Where each rule lives", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| ") and "`" in line]


def test_the_table_has_rules():
    assert len(_rule_rows()) >= 20


def test_every_file_and_function_named_in_the_rule_table_exists():
    missing = []
    for row in _rule_rows():
        where = row.rsplit("|", 2)[-2]
        for path, names in re.findall(r"`(chalicelib/[\w/]+\.py)`(?: \(([^)]*)\))?", where):
            source = ROOT / path
            if not source.exists():
                missing.append(path)
                continue
            text = source.read_text(encoding="utf-8")
            for name in re.findall(r"`(\w+)`", names):
                if not re.search(rf"^(?:async )?def {name}\b", text, re.M):
                    missing.append(f"{path}: {name}")
    assert missing == []
