"""Text and record files -> Statements: .txt/.md (optional YAML front matter), .jsonl/.json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

import yaml

from rag.errors import IngestError
from rag.ingest.records import statement_from_record
from rag.types import Statement

_FRONT_MATTER_HINT = "write front matter as lines 'key: value' between two lines of '---'"
_TEXT_HINT = "name web pages, PDFs, Word files and feeds by their suffix (.html, .pdf, .docx, .xml)"


def decode(raw: bytes, path: PurePath) -> str:
    """A text file's bytes as UTF-8 text."""
    if b"\x00" in raw[:8192]:
        raise IngestError(f"{path}: looks like a binary file, not text", hint=_TEXT_HINT)
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


def read_text_file(data: bytes, path: PurePath, default_id: str) -> list[Statement]:
    meta, body = _split_front_matter(decode(data, path), path)
    return [statement_from_record({**meta, "text": body}, str(path), default_id)]


def read_records(data: bytes, path: PurePath, default_id: str) -> list[Statement]:
    return list(_records(decode(data, path), path, default_id))


def _records(content: str, path: PurePath, default_id: str) -> Iterator[Statement]:
    if _is_jsonl(path):
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


def _is_jsonl(path: PurePath) -> bool:
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    return bool(suffixes) and suffixes[-1] == ".jsonl"
