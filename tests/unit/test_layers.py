"""The layers of docs/architecture.md, as the code imports them (import-linter checks the
whole graph in `make test`; this reads the services' own import statements)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "chalicelib" / "services"
FORBIDDEN = ("chalicelib.models", "chalicelib.http", "pynamodb", "boto3", "botocore")


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _forbidden(names: set[str]) -> set[str]:
    return {
        name for name in names for root in FORBIDDEN if name == root or name.startswith(f"{root}.")
    }


def test_the_check_sees_a_forbidden_import():
    assert _forbidden({"chalicelib.models.billing", "pynamodb.exceptions", "chalicelib.clock"}) == {
        "chalicelib.models.billing",
        "pynamodb.exceptions",
    }


@pytest.mark.parametrize("path", sorted(SERVICES.glob("*.py")), ids=lambda p: p.name)
def test_no_service_imports_models_http_or_aws_sdks(path):
    assert _forbidden(_imported(path)) == set()
