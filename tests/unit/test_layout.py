"""The package's shape: no private names cross a module boundary, and packages are entered
through their public surface.

Read from the source with `ast`, so a violation fails here before anyone has to find it in a
review.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

RAG = Path(__file__).resolve().parents[2] / "rag"
# Packages whose modules are private to them: code outside imports `rag.<package>` only.
SEALED = ("rag.people",)


def _module_name(path: Path) -> str:
    parts = path.relative_to(RAG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(RAG.rglob("*.py")):
        yield _module_name(path), ast.parse(path.read_text(encoding="utf-8"), str(path))


def _imports(tree: ast.Module) -> Iterator[tuple[str, str, int]]:
    """(module imported from, name imported, line) for every `from rag... import name`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("rag"):
            for alias in node.names:
                yield node.module, alias.name, node.lineno


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_no_private_name_is_imported_from_another_module() -> None:
    crossings = [
        f"{module}:{line} imports {name} from {source}"
        for module, tree in _modules()
        for source, name, line in _imports(tree)
        if _private(name) and source != module
    ]
    assert crossings == []


def test_no_private_attribute_of_another_module_is_used() -> None:
    """`import rag.x as x; x._thing` is the same crossing by another road."""
    crossings = []
    for module, tree in _modules():
        aliases = {
            alias.asname or alias.name: alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
            if alias.name.startswith("rag")
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and _private(node.attr)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
            ):
                crossings.append(f"{module}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert crossings == []


def test_sealed_packages_are_entered_through_their_surface() -> None:
    reaching_in = [
        f"{module}:{line} imports {name} from {source}"
        for module, tree in _modules()
        for source, name, line in _imports(tree)
        for package in SEALED
        if source.startswith(package + ".") and not module.startswith(package)
    ]
    assert reaching_in == []


def test_the_checks_see_the_package() -> None:
    """The walks above read real modules (a wrong root would make them pass vacuously)."""
    names = {module for module, _ in _modules()}
    assert {"rag.people", "rag.service", "rag.text.words", "rag.index.store"} <= names
    imported = {source for _, tree in _modules() for source, _, _ in _imports(tree)}
    assert "rag.types" in imported
