"""rag/ingest/reading.py: bytes read within a limit (counted decompressed, while streaming)
and statements within the text limit; through load_paths, as `rag ingest` reads."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path, PurePath

import pytest

from rag.errors import IngestError, TooLargeError
from rag.ingest import load_paths
from rag.ingest.reading import CHUNK_BYTES, ByteBudget, ReadLimits, decompressed

LINE = json.dumps({"id": "kenya", "text": "Kenya will lead the mission to Haiti."}) + "\n"


def bomb(inflated: int) -> bytes:
    """A .gz of many small records that inflates to `inflated` bytes from a few KB."""
    return gzip.compress(b"\n" * inflated, compresslevel=9)


def test_decompression_stops_at_the_limit_without_inflating_the_rest() -> None:
    data = bomb(10 * CHUNK_BYTES)  # 10 MB inflated
    assert len(data) < 20_000
    budget = ByteBudget(ReadLimits(max_bytes=2 * CHUNK_BYTES))
    chunks = decompressed(io.BytesIO(data), PurePath("b.jsonl.gz"), budget)
    read = 0
    with pytest.raises(TooLargeError) as caught:
        for chunk in chunks:
            read += len(chunk)
    assert read == 2 * CHUNK_BYTES  # every chunk yielded was within the limit, no more read
    assert caught.value.message == (
        f"b.jsonl.gz: more than {2 * CHUNK_BYTES:,} bytes once decompressed; the limit is "
        f"{2 * CHUNK_BYTES:,} bytes for a file"
    )
    assert caught.value.hint is not None and "RAG_INGEST_MAX_FILE_BYTES" in caught.value.hint


def test_rag_ingest_counts_each_file_on_its_own(tmp_path: Path) -> None:
    for name in ("a.jsonl", "b.jsonl"):
        (tmp_path / name).write_text(LINE.replace("kenya", name))
    limits = ReadLimits(max_bytes=len(LINE) + 5)
    assert len(load_paths([tmp_path], limits)) == 2
    (tmp_path / "c.jsonl.gz").write_bytes(gzip.compress((LINE * 2).encode()))
    with pytest.raises(TooLargeError, match=r"c\.jsonl\.gz: more than"):
        load_paths([tmp_path], limits)


def test_a_plain_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_text(LINE * 3)
    with pytest.raises(TooLargeError, match=r"big.jsonl: more than 100 bytes; the limit is 100"):
        load_paths([path], ReadLimits(max_bytes=100))


def test_a_statement_over_the_text_limit_names_its_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    long = json.dumps({"id": "long", "text": "Kenya. " * 20})
    path.write_text(LINE + long + "\n")
    with pytest.raises(TooLargeError) as caught:
        load_paths([path], ReadLimits(max_statement_chars=100))
    assert caught.value.message == (
        f"{path}:2: the text of 'long' is 140 characters; the limit is 100 a statement"
    )
    assert caught.value.field == "text"
    assert len(load_paths([path], ReadLimits(max_statement_chars=140))) == 2


def test_broken_gzip_is_an_ingest_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(gzip.compress((LINE * 100).encode())[:-20])
    with pytest.raises(IngestError, match=r"cut\.jsonl\.gz: cannot read"):
        load_paths([path])
