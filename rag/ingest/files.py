"""Files and folders -> Statements: .txt/.md (optional YAML front matter), .jsonl/.json, gzip.

Everything is read and validated before anything is stored, so a bad line in a
big file aborts the ingest with its location and nothing half-written. Uploaded
files (a name and bytes, no path) go through the same parsing via `load_upload`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePath
from typing import Any

import yaml

from rag.errors import IngestError
from rag.ingest.reading import (
    ByteBudget,
    ReadLimits,
    check_statement_sizes,
    file_bytes,
    upload_bytes,
)
from rag.ingest.records import statement_from_record
from rag.types import Statement

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md")
RECORD_SUFFIXES = (".jsonl", ".json")
_FRONT_MATTER_HINT = "write front matter as lines 'key: value' between two lines of '---'"
SUPPORTED = ", ".join(s + gz for s in TEXT_SUFFIXES + RECORD_SUFFIXES for gz in ("", ".gz"))


def _kind(path: PurePath) -> str | None:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    return last if last in TEXT_SUFFIXES + RECORD_SUFFIXES else None


def _read_text(path: Path, budget: ByteBudget) -> str:
    return _decode(file_bytes(path, budget), path)


def _decode(raw: bytes, path: PurePath) -> str:
    """A file's bytes (decompressed by rag.ingest.reading) as UTF-8 text."""
    if b"\x00" in raw[:8192]:
        raise IngestError(f"{path}: looks like a binary file, not text", hint=f"use {SUPPORTED}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            hint="convert the file to UTF-8, e.g. with iconv -t UTF-8",
        ) from exc


def _split_front_matter(content: str, path: PurePath) -> tuple[dict[str, Any], str]:
    if not content.startswith("---"):
        return {}, content
    lines = content.split("\n")
    if lines[0].strip() != "---":
        return {}, content
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            try:
                meta = yaml.safe_load("\n".join(lines[1:i])) or {}
            except yaml.YAMLError as exc:
                raise IngestError(
                    f"{path}: front matter is not valid YAML: {exc}", hint=_FRONT_MATTER_HINT
                ) from exc
            if not isinstance(meta, dict):
                raise IngestError(
                    f"{path}: front matter must be a mapping of fields", hint=_FRONT_MATTER_HINT
                )
            return meta, "\n".join(lines[i + 1 :])
    raise IngestError(
        f"{path}: front matter starts with '---' but never ends", hint=_FRONT_MATTER_HINT
    )


def _text_statement(content: str, path: PurePath, default_id: str) -> Statement:
    meta, body = _split_front_matter(content, path)
    return statement_from_record({**meta, "text": body}, str(path), default_id)


def _record_statements(content: str, path: PurePath, default_id: str) -> Iterator[Statement]:
    if _kind(path) == ".jsonl":
        # Split on "\n" only: str.splitlines() also breaks at U+2028 and friends,
        # which are legal inside JSON strings (the UN corpus has them).
        for lineno, line in enumerate(content.split("\n"), start=1):
            if not line.strip():
                continue
            origin = f"{path}:{lineno}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise IngestError(
                    f"{origin}: invalid JSON ({exc.msg} at column {exc.colno})",
                    hint="each line of a .jsonl file must be one JSON object",
                ) from exc
            yield statement_from_record(record, origin, f"{default_id}:{lineno}")
        return
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise IngestError(
            f"{path}: invalid JSON ({exc.msg} at line {exc.lineno})",
            hint='a .json file holds one object, a list of objects, or {"statements": [...]}',
        ) from exc
    if isinstance(data, dict) and isinstance(data.get("statements"), list):
        data = data["statements"]
    if isinstance(data, dict):
        yield statement_from_record(data, str(path), default_id)
        return
    if not isinstance(data, list):
        raise IngestError(
            f"{path}: expected a JSON object or a list of objects",
            hint='a .json file holds one object, a list of objects, or {"statements": [...]}',
        )
    for i, record in enumerate(data):
        yield statement_from_record(record, f"{path}[{i}]", f"{default_id}:{i}")


def _stable_id(path: PurePath, root: PurePath) -> str:
    """A file's id: its path below the folder given (or its name), without suffixes."""
    relative = path.relative_to(root) if root != path else PurePath(path.name)
    name = relative.name
    kind = _kind(path) or ""
    cut = name.lower().rfind(kind) if kind else -1
    stem = name[:cut] if cut > 0 else name
    return (relative.parent / stem).as_posix()


def _files(root: Path) -> Iterator[Path]:
    if root.is_file():
        if _kind(root) is None:
            raise IngestError(f"{root}: unsupported file type", hint=f"use {SUPPORTED}")
        yield root
        return
    if not root.is_dir():
        raise IngestError(f"{root}: no such file or folder")
    for path in sorted(root.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if path.is_file():
            if _kind(path) is None:
                log.info("skipping %s (not one of %s)", path, SUPPORTED)
                continue
            yield path


def _load_file(path: Path, root: Path, budget: ByteBudget) -> Iterator[Statement]:
    yield from _parse(_read_text(path, budget), path, _stable_id(path, root))


def _parse(content: str, path: PurePath, default_id: str) -> Iterator[Statement]:
    if _kind(path) in TEXT_SUFFIXES:
        yield _text_statement(content, path, default_id)
    else:
        yield from _record_statements(content, path, default_id)


def load_paths(paths: Iterable[Path], limits: ReadLimits | None = None) -> list[Statement]:
    """All statements under `paths`, validated (duplicate ids are checked by the service);
    each file read within `limits` (rag.ingest.reading)."""
    limits = limits or ReadLimits()
    statements = (
        statement
        for root in paths
        for path in _files(root)
        for statement in _load_file(path, root, ByteBudget(limits))
    )
    return list(check_statement_sizes(statements, limits.max_statement_chars))


def load_upload(name: str, data: bytes, budget: ByteBudget | None = None) -> list[Statement]:
    """The statements of one uploaded file, validated as `load_paths` would a file of that name,
    its bytes counted against `budget` (all of an upload's files share one).

    Only the file's own name counts (any folders in it are dropped); errors name it.
    """
    budget = budget or ByteBudget(ReadLimits())
    path = PurePath(PurePath(name.replace("\\", "/")).name or "upload")
    if _kind(path) is None:
        raise IngestError(f"{path}: unsupported file type", hint=f"use {SUPPORTED}")
    statements = _parse(
        _decode(upload_bytes(data, path, budget), path), path, _stable_id(path, path)
    )
    return list(check_statement_sizes(statements, budget.limits.max_statement_chars))
