"""The ChromaDB store: the only module that imports chromadb.

Two collections: `<prefix>_passages` (one embedding per passage) and
`<prefix>_statements` (the full text and metadata of each statement).

A statement's record is its commit marker. Writes go: new passages (ids carry
the content hash), then the statement record, then removal of the old version's
passages. Readers keep only passages whose hash matches the committed record, so
an interrupted write never shows a half-written statement.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from rag.errors import ConfigError, StoreError
from rag.types import (
    DateSpan,
    Passage,
    Scalar,
    ScoredPassage,
    StatementInfo,
    StoredStatement,
    StoreStats,
)

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

_STATEMENT_VECTOR = [1.0]  # statements are looked up by id, never by similarity
_MAX_BATCH = 1000
SPEAKERS_TTL = 10.0


@dataclass(frozen=True, slots=True)
class StatementWrite:
    """One statement's new version: its record, passages and their vectors."""

    info: StatementInfo
    text: str
    passages: Sequence[Passage]
    vectors: NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class PassageFilter:
    """Filters in store terms: exact stored speaker names, a date range, statement ids."""

    speakers: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    statement_ids: tuple[str, ...] = ()


def _day(value: dt.date) -> int:
    """Dates are stored as yyyymmdd integers so Chroma can compare them."""
    return int(value.strftime("%Y%m%d"))


@contextmanager
def _wrapped(action: str) -> Iterator[None]:
    try:
        yield
    except (StoreError, ConfigError):
        raise
    except Exception as exc:
        raise StoreError(f"ChromaDB failed to {action}: {exc}") from exc


def open_client(data_dir: Path, chroma_url: str | None) -> tuple[Any, str]:
    """A Chroma client and a description of where it points."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigError(f"RAG_CHROMA_URL must look like http://host:8000, got {chroma_url!r}")
        port = url.port or (443 if url.scheme == "https" else 8000)
        with _wrapped(f"connect to {chroma_url}"):
            client = chromadb.HttpClient(
                host=url.hostname, port=port, ssl=url.scheme == "https", settings=chroma_settings
            )
            client.heartbeat()
        return client, chroma_url
    path = data_dir / "chroma"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the data directory {path}: {exc}") from exc
    with _wrapped(f"open the store at {path}"):
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings), str(path)


class ChromaStore:
    def __init__(self, client: Any, location: str, prefix: str, embedding_model: str) -> None:
        self._client = client
        self.location = location
        self._speakers: dict[str, int] | None = None
        self._speakers_count = 0
        self._speakers_at = 0.0
        self._lock = threading.Lock()
        with _wrapped("open its collections"):
            self._passages = client.get_or_create_collection(
                f"{prefix}_passages",
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedding_model": embedding_model},
            )
            self._statements = client.get_or_create_collection(
                f"{prefix}_statements", embedding_function=None
            )
        built_with = (self._passages.metadata or {}).get("embedding_model")
        if built_with and built_with != embedding_model:
            raise ConfigError(
                f"the store at {location} was built with the embedding model {built_with!r}, "
                f"not {embedding_model!r}",
                hint="use another RAG_DATA_DIR (or collection prefix) and ingest again",
            )

    # ---- statements -------------------------------------------------------------

    def content_hashes(self, statement_ids: Sequence[str]) -> dict[str, str]:
        """Committed content hash of each statement that exists."""
        if not statement_ids:
            return {}
        hashes: dict[str, str] = {}
        with _wrapped("read statement records"):
            for batch in _batches(list(statement_ids), _MAX_BATCH):
                got = self._statements.get(ids=batch, include=["metadatas"])
                for sid, meta in zip(got["ids"], got["metadatas"], strict=True):
                    hashes[sid] = str(meta["content_hash"])
        return hashes

    def get(self, statement_id: str) -> StoredStatement | None:
        return self.get_many([statement_id]).get(statement_id)

    def get_many(self, statement_ids: Sequence[str]) -> dict[str, StoredStatement]:
        with _wrapped("read statements"):
            got = self._statements.get(ids=list(statement_ids), include=["metadatas", "documents"])
        return {
            sid: StoredStatement(_info(sid, meta), text)
            for sid, meta, text in zip(got["ids"], got["metadatas"], got["documents"], strict=True)
        }

    def list_statements(self, offset: int, limit: int) -> list[StatementInfo]:
        with _wrapped("list statements"):
            got = self._statements.get(offset=offset, limit=limit, include=["metadatas"])
        return [_info(sid, meta) for sid, meta in zip(got["ids"], got["metadatas"], strict=True)]

    def count(self) -> int:
        with _wrapped("count statements"):
            return int(self._statements.count())

    def speakers(self) -> dict[str, int]:
        """Each stored speaker name and how many statements carry it.

        Cached; re-read after this store's own writes, when the number of statements
        changes, or after SPEAKERS_TTL seconds (another process may have written).
        """
        with self._lock:
            with _wrapped("count statements"):
                count = int(self._statements.count())
            stale = (
                self._speakers is None
                or count != self._speakers_count
                or time.monotonic() - self._speakers_at > SPEAKERS_TTL
            )
            if stale:
                counts: dict[str, int] = {}
                with _wrapped("read speakers"):
                    got = self._statements.get(include=["metadatas"])
                for meta in got["metadatas"]:
                    if meta.get("speaker"):
                        counts[meta["speaker"]] = counts.get(meta["speaker"], 0) + 1
                self._speakers = counts
                self._speakers_count = count
                self._speakers_at = time.monotonic()
            return dict(self._speakers or {})

    # ---- writes -------------------------------------------------------------------

    def write(self, items: Sequence[StatementWrite]) -> None:
        """Store new versions of statements: passages first, then the commit record."""
        if not items:
            return
        with _wrapped("store passages"):
            rows = [
                (p, vector, _passage_metadata(p, item.info.content_hash))
                for item in items
                for p, vector in zip(item.passages, item.vectors, strict=True)
            ]
            for batch in _batches(rows, _MAX_BATCH):
                self._passages.upsert(
                    ids=[p.id for p, _, _ in batch],
                    embeddings=[vector for _, vector, _ in batch],
                    documents=[p.text for p, _, _ in batch],
                    metadatas=[meta for _, _, meta in batch],
                )
        with _wrapped("store statement records"):
            for batch in _batches(list(items), _MAX_BATCH):
                self._statements.upsert(
                    ids=[item.info.id for item in batch],
                    embeddings=[_STATEMENT_VECTOR for _ in batch],
                    documents=[item.text for item in batch],
                    metadatas=[_statement_metadata(item.info) for item in batch],
                )
        with _wrapped("remove replaced passages"):
            for item in items:
                self._passages.delete(
                    where={
                        "$and": [
                            {"statement_id": item.info.id},
                            {"content_hash": {"$ne": item.info.content_hash}},
                        ]
                    }
                )
        self._invalidate()

    def delete(self, statement_id: str) -> bool:
        """Remove a statement: its record first (so readers stop seeing it), then passages."""
        with _wrapped(f"delete statement {statement_id!r}"):
            existed = bool(self._statements.get(ids=[statement_id], include=[])["ids"])
            self._statements.delete(ids=[statement_id])
            self._passages.delete(where={"statement_id": statement_id})
        self._invalidate()
        return existed

    def _invalidate(self) -> None:
        with self._lock:
            self._speakers = None

    # ---- search -------------------------------------------------------------------

    def query(
        self, vector: NDArray[np.float32], n: int, where: PassageFilter
    ) -> list[ScoredPassage]:
        """Nearest passages to `vector` that pass `where`, best first."""
        with _wrapped("search passages"):
            total = self._passages.count()
            if total == 0:
                return []
            result = self._passages.query(
                query_embeddings=[vector.tolist()],
                n_results=min(n, total),
                where=_where(where),
                include=["metadatas", "documents", "distances"],
            )
        rows = zip(
            result["ids"][0],
            result["metadatas"][0],
            result["documents"][0],
            result["distances"][0],
            strict=True,
        )
        scored = [
            (ScoredPassage(_passage(pid, meta, text), 1.0 - float(dist)), str(meta["content_hash"]))
            for pid, meta, text, dist in rows
        ]
        committed = self.content_hashes(sorted({sp.passage.statement_id for sp, _ in scored}))
        return [sp for sp, h in scored if committed.get(sp.passage.statement_id) == h]

    def stats(self) -> StoreStats:
        with _wrapped("read statistics"):
            got = self._statements.get(include=["metadatas"])
            passages = int(self._passages.count())
        dates = sorted(str(m["date"]) for m in got["metadatas"] if m.get("date"))
        return StoreStats(
            statements=len(got["ids"]),
            passages=passages,
            speakers=len(self.speakers()),
            first_date=dates[0] if dates else None,
            last_date=dates[-1] if dates else None,
            location=self.location,
        )

    def ping(self) -> None:
        with _wrapped("answer a heartbeat"):
            self._client.heartbeat()


def _batches(rows: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _where(f: PassageFilter) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if f.speakers:
        by_speaker = [{"speakers": {"$contains": name}} for name in f.speakers]
        clauses.append(by_speaker[0] if len(by_speaker) == 1 else {"$or": by_speaker})
    if f.since is not None:
        clauses.append({"date_last": {"$gte": _day(f.since)}})
    if f.until is not None:
        clauses.append({"date_first": {"$lte": _day(f.until)}})
    if f.statement_ids:
        clauses.append({"statement_id": {"$in": list(f.statement_ids)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _date_fields(date: DateSpan | None) -> dict[str, Scalar]:
    if date is None:
        return {}
    return {"date": date.text, "date_first": _day(date.first), "date_last": _day(date.last)}


def _passage_metadata(p: Passage, content_hash: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "statement_id": p.statement_id,
        "content_hash": content_hash,
        "index": p.index,
        "start": p.start,
        "end": p.end,
        **_date_fields(p.date),
    }
    if p.speaker:
        meta["speaker"] = p.speaker
        meta["speakers"] = [p.speaker]
    if p.title:
        meta["title"] = p.title
    if p.source_url:
        meta["source_url"] = p.source_url
    return meta


def _statement_metadata(info: StatementInfo) -> dict[str, Scalar]:
    meta: dict[str, Scalar] = {
        "content_hash": info.content_hash,
        "passage_count": info.passage_count,
        "extra": json.dumps(info.metadata, ensure_ascii=False, sort_keys=True),
        **_date_fields(info.date),
    }
    for key in ("title", "speaker", "source_url"):
        value = getattr(info, key)
        if value:
            meta[key] = value
    return meta


def _date_from(meta: Mapping[str, Any]) -> DateSpan | None:
    return DateSpan.parse(str(meta["date"])) if meta.get("date") else None


def _info(statement_id: str, meta: Mapping[str, Any]) -> StatementInfo:
    return StatementInfo(
        id=statement_id,
        title=meta.get("title"),
        speaker=meta.get("speaker"),
        date=_date_from(meta),
        source_url=meta.get("source_url"),
        content_hash=str(meta["content_hash"]),
        passage_count=int(meta.get("passage_count", 0)),
        metadata=json.loads(str(meta.get("extra", "{}"))),
    )


def _passage(passage_id: str, meta: Mapping[str, Any], text: str) -> Passage:
    return Passage(
        id=passage_id,
        statement_id=str(meta["statement_id"]),
        index=int(meta["index"]),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=text,
        title=meta.get("title"),
        speaker=meta.get("speaker"),
        date=_date_from(meta),
        source_url=meta.get("source_url"),
    )
