"""The one way statement files come in: their bytes read within a limit, and the statements
read from them held to a limit of their own.

Every reader gets its bytes from `file_bytes` (a file given to `rag ingest`) or
`upload_bytes` (an uploaded file). Both go through `decompressed`, which gunzips a name
ending in .gz as a stream and counts the bytes it yields: the limit is on what the readers
would hold, not on what was sent, so a 300 KB .gz that inflates to 100 MB stops at the
limit, having read no more. One budget covers one file for `rag ingest`, and all the files
of one upload together. Then `check_statement_sizes` refuses a statement whose text is over
RAG_MAX_STATEMENT_CHARS, naming the file and line it came from.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO

from rag.errors import IngestError, TooLargeError
from rag.types import Statement

DEFAULT_MAX_FILE_BYTES = 500_000_000
"""A file's bytes (decompressed) for `rag ingest`: far above the largest real corpus file
(43 MB), far below what would exhaust memory."""
DEFAULT_MAX_STATEMENT_CHARS = 1_000_000
"""One statement's text: four times the longest real statement (252,099 characters)."""
CHUNK_BYTES = 1 << 20
_BROKEN_HINT = "check the file exists and is not a broken .gz"


@dataclass(frozen=True, slots=True)
class ReadLimits:
    max_bytes: int = DEFAULT_MAX_FILE_BYTES
    """Decompressed bytes one budget may read."""
    max_statement_chars: int = DEFAULT_MAX_STATEMENT_CHARS
    bytes_setting: str = "RAG_INGEST_MAX_FILE_BYTES"
    budget_covers: str = "a file"
    """What one budget is for, as the error says it: "a file", or an upload's files."""


class ByteBudget:
    """Bytes left to read under one limit; spending past it is a TooLargeError."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self.left = limits.max_bytes

    def spend(self, count: int, path: PurePath) -> None:
        self.left -= count
        if self.left < 0:
            limit = self.limits.max_bytes
            inflated = " once decompressed" if _gzipped(path) else ""
            raise TooLargeError(
                f"{path}: more than {limit:,} bytes{inflated}; the limit is {limit:,} bytes "
                f"for {self.limits.budget_covers}",
                hint=f"split it into smaller files, or raise {self.limits.bytes_setting}",
            )


def _gzipped(path: PurePath) -> bool:
    return path.suffix.lower() == ".gz"


def decompressed(source: BinaryIO, path: PurePath, budget: ByteBudget) -> Iterator[bytes]:
    """The bytes of `source` (gunzipped when `path` ends in .gz), a chunk at a time, each
    counted against `budget` before it is yielded."""
    stream: BinaryIO | gzip.GzipFile = (
        gzip.GzipFile(fileobj=source, mode="rb") if _gzipped(path) else source
    )
    try:
        while chunk := stream.read(CHUNK_BYTES):
            budget.spend(len(chunk), path)
            yield chunk
    except (OSError, EOFError, zlib.error) as exc:
        raise IngestError(f"{path}: cannot read: {exc}", hint=_BROKEN_HINT) from exc


def file_bytes(path: Path, budget: ByteBudget) -> bytes:
    """A file's bytes, decompressed, within `budget`."""
    try:
        with path.open("rb") as source:
            return b"".join(decompressed(source, path, budget))
    except OSError as exc:
        raise IngestError(f"{path}: cannot read: {exc}", hint=_BROKEN_HINT) from exc


def upload_bytes(data: bytes, path: PurePath, budget: ByteBudget) -> bytes:
    """An uploaded file's bytes, decompressed, within `budget`."""
    return b"".join(decompressed(io.BytesIO(data), path, budget))


def check_statement_sizes(statements: Iterable[Statement], max_chars: int) -> Iterator[Statement]:
    """The statements, refusing (413) the first whose text is over `max_chars`."""
    for statement in statements:
        if len(statement.text) > max_chars:
            raise TooLargeError(
                f"{statement.origin}: the text of {statement.id!r} is {len(statement.text):,} "
                f"characters; the limit is {max_chars:,} a statement",
                field="text",
                hint="split it into several statements, or raise RAG_MAX_STATEMENT_CHARS",
            )
        yield statement
