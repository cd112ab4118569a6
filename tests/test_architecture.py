"""The house rules of docs/architecture.md, checked: the import contract, module sizes, imports at
the top of modules, and a design that lives inside the repository."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PACKAGES = ("coalition", "appeals", "config")
MAX_LINES = 700
FIRST_PARTY = re.compile(r"^(coalition|appeals|config)(\.|$)")


def _modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def test_import_contracts_hold():
    """lint-imports (pyproject.toml [tool.importlinter]): coalition never imports appeals, and
    inside each app the layers import downwards only."""
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "kept" in result.stdout.lower()  # it really checked contracts


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_at_most_700_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def _function_level_first_party_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if path.name == "apps.py" and node.name == "ready":
            continue  # Django's own hook for start-up wiring: apps are loaded by then
        for inner in ast.walk(node):
            if (
                isinstance(inner, ast.ImportFrom)
                and inner.module
                and FIRST_PARTY.match(inner.module)
            ):
                found.append(f"{node.name}: from {inner.module}")
            elif isinstance(inner, ast.Import):
                found += [
                    f"{node.name}: import {a.name}"
                    for a in inner.names
                    if FIRST_PARTY.match(a.name)
                ]
    return found


def test_no_function_level_imports_of_the_project_outside_app_ready():
    """An import inside a function is for a real reason (a heavy optional library), never to
    dodge a cycle between the project's own modules."""
    offenders = {
        str(path.relative_to(ROOT)): hits
        for path in _modules()
        if (hits := _function_level_first_party_imports(path))
    }
    assert offenders == {}


def test_no_code_points_at_documents_outside_the_repository():
    pattern = re.compile(r"DESIGN\.md|STYLE\.md|\.\./shared|DESIGN §")
    offenders = [
        str(path.relative_to(ROOT))
        for path in _modules() + sorted((ROOT / "tests").rglob("*.py"))
        if path.name != "test_architecture.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_docs_the_code_cites_exist():
    """Every docs/<page>.md a docstring or comment names is in the repository."""
    cited = set()
    for path in _modules():
        cited.update(re.findall(r"docs/([\w-]+\.md)", path.read_text(encoding="utf-8")))
    missing = sorted(name for name in cited if not (ROOT / "docs" / name).exists())
    assert missing == []
    assert (ROOT / "docs" / "architecture.md").exists()


def test_ruff_finds_nothing_to_lint_or_reformat():
    ruff = Path(sys.executable).with_name("ruff")
    for args in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run(
            [str(ruff), *args], cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
