"""Files and folders -> Statements, in any format of the reader registry (rag.ingest.formats),
each optionally gzip-compressed.

Everything is read and validated before anything is stored, so a bad line in a
big file, or a PDF that cannot be read, aborts the ingest with its location and
nothing half-written. Uploaded files (a name and bytes, no path) go through the
same readers via `load_upload`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePath

from rag.errors import IngestError
from rag.ingest.formats import SUPPORTED, by_suffix, read_document, sniff, suffix_of
from rag.ingest.reading import (
    ByteBudget,
    ReadLimits,
    check_statement_sizes,
    file_bytes,
    upload_bytes,
)
from rag.types import Statement

log = logging.getLogger(__name__)

_SNIFF_BYTES = 4096


def _stable_id(path: PurePath, root: PurePath) -> str:
    """A file's id: its path below the folder given (or its name), without suffixes."""
    relative = path.relative_to(root) if root != path else PurePath(path.name)
    name = relative.name
    kind = suffix_of(path) if by_suffix(path) else ""
    cut = name.lower().rfind(kind) if kind else -1
    stem = name[:cut] if cut > 0 else name
    return (relative.parent / stem).as_posix()


def _readable(path: Path) -> bool:
    """Whether a file in a folder is one to read: a known suffix, or content that shows one."""
    if by_suffix(path) is not None:
        return True
    if path.suffix.lower() == ".gz":
        return False
    try:
        with path.open("rb") as f:
            return sniff(f.read(_SNIFF_BYTES)) is not None
    except OSError:
        return False


def _files(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root  # a file named explicitly is read whatever its suffix (or refused by it)
        return
    if not root.is_dir():
        raise IngestError(f"{root}: no such file or folder")
    for path in sorted(root.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if path.is_file():
            if not _readable(path):
                log.info("skipping %s (not one of %s)", path, SUPPORTED)
                continue
            yield path


def _load_file(path: Path, root: Path, budget: ByteBudget) -> list[Statement]:
    return read_document(file_bytes(path, budget), path, _stable_id(path, root))


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
    statements = read_document(upload_bytes(data, path, budget), path, _stable_id(path, path))
    return list(check_statement_sizes(statements, budget.limits.max_statement_chars))
