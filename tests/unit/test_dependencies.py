"""Every third-party module rag/ imports comes from a distribution pyproject.toml declares, so
`pip install` of the package brings what it needs and never relies on a transitive dependency
happening to be there."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = set()
    for requirement in project["dependencies"]:
        match = _NAME.match(requirement)
        assert match is not None, requirement
        found.add(_canonical(match.group(1)))
    return found


def _imported() -> dict[str, set[str]]:
    """Top-level module -> the files under rag/ that import it (absolute imports only)."""
    modules: dict[str, set[str]] = {}
    for path in sorted((REPO / "rag").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                modules.setdefault(name.split(".")[0], set()).add(str(path.relative_to(REPO)))
    return modules


def test_every_imported_distribution_is_declared() -> None:
    declared, distributions = _declared(), packages_distributions()
    missing = {
        module: sorted(files)
        for module, files in _imported().items()
        if module != "rag" and module not in sys.stdlib_module_names
        if not {_canonical(d) for d in distributions.get(module, [module])} & declared
    }
    assert missing == {}, f"declare these in pyproject.toml's dependencies: {missing}"


def test_the_license_file_is_the_one_pyproject_names() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "Copyright (c) 2026" in text
