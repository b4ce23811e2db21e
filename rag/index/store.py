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
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np

from rag.embedding.choice import vectors_match
from rag.errors import ConfigError, StoreError
from rag.types import (
    DateSpan,
    Passage,
    QuoteRecord,
    Scalar,
    StatementInfo,
    StoredStatement,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

_STATEMENT_VECTOR = [1.0]  # statements are looked up by id, never by similarity
_MAX_BATCH = 1000
_GENERATION = "generation"
_WRITING = "writing:"


def settled(generation: str) -> bool:
    """Whether a generation token was set by a finished write (or an empty store)."""
    return not generation.startswith(_WRITING)


@dataclass(frozen=True, slots=True)
class LoadedStatement:
    info: StatementInfo
    passages: list[Passage]
    vectors: NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class StoreAudit:
    """What `ChromaStore.audit` found: committed statements and passages, passages no
    committed record names (statement id -> count), and every inconsistency, in words."""

    statements: int
    passages: int
    orphans: dict[str, int]
    problems: list[str]


@dataclass(frozen=True, slots=True)
class StatementWrite:
    """One statement's new version: its record, passages and their vectors."""

    info: StatementInfo
    text: str
    passages: Sequence[Passage]
    vectors: NDArray[np.float32]


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


def recorded_vectors(client: Any, prefix: str) -> str | None:
    """The model and encoder that made a store's vectors, as recorded when it was created
    (None for a store not created yet, or one that cannot be read: opening it says why)."""
    try:
        collection = client.get_collection(f"{prefix}_passages")
    except Exception:  # missing (chromadb raises several kinds) or unreachable
        return None
    recorded = (collection.metadata or {}).get("embedding_model")
    return str(recorded) if recorded else None


class ChromaStore:
    def __init__(self, client: Any, location: str, prefix: str, embedding_model: str) -> None:
        self._client = client
        self.location = location
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
            self._meta = client.get_or_create_collection(f"{prefix}_meta", embedding_function=None)
        built_with = (self._passages.metadata or {}).get("embedding_model")
        if built_with and not vectors_match(str(built_with), embedding_model):
            raise ConfigError(
                f"the store at {location} was built with the embedding model {built_with!r}, "
                f"not {embedding_model!r}",
                hint="RAG_ENCODER=auto embeds with the store's own encoder; or use another "
                "RAG_DATA_DIR (or collection prefix) and ingest again",
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
            self._bump_generation(writing=True)
            for batch in _batches(list(items), _MAX_BATCH):
                self._statements.upsert(
                    ids=[item.info.id for item in batch],
                    embeddings=[_STATEMENT_VECTOR for _ in batch],
                    documents=[item.text for item in batch],
                    metadatas=[_statement_metadata(item.info) for item in batch],
                )
        with _wrapped("remove replaced passages"):
            # One `where` for the whole batch: each costs ~0.1 s at 100k passages. (Two
            # statements of one batch with the same content hash would keep each other's
            # older passages; readers ignore passages their statement's record does not name.)
            for batch in _batches(list(items), _MAX_BATCH):
                where = {
                    "$and": [
                        {"statement_id": {"$in": [item.info.id for item in batch]}},
                        {"content_hash": {"$nin": [item.info.content_hash for item in batch]}},
                    ]
                }
                self._passages.delete(where=where)
            self._bump_generation()

    def remove_stale_passages(self, committed: Mapping[str, str]) -> int:
        """Remove passages of these statements that are not their committed version
        (`committed`: statement id -> content hash), left by an interrupted write."""
        removed = 0
        with _wrapped("remove stale passages"):
            for batch in _batches(list(committed), _MAX_BATCH):
                got = self._passages.get(
                    where={"statement_id": {"$in": batch}}, include=["metadatas"]
                )
                stale = [
                    pid
                    for pid, meta in zip(got["ids"], got["metadatas"], strict=True)
                    if meta["content_hash"] != committed[str(meta["statement_id"])]
                ]
                for ids in _batches(stale, _MAX_BATCH):
                    self._passages.delete(ids=ids)
                removed += len(stale)
        return removed

    def delete(self, statement_id: str) -> bool:
        """Remove a statement: its record first (so readers stop seeing it), then passages."""
        with _wrapped(f"delete statement {statement_id!r}"):
            existed = bool(self._statements.get(ids=[statement_id], include=[])["ids"])
            self._bump_generation(writing=True)
            self._statements.delete(ids=[statement_id])
            self._passages.delete(where={"statement_id": statement_id})
            self._bump_generation()
        return existed

    # ---- loading the search index ---------------------------------------------------

    def all_content_hashes(self) -> dict[str, str]:
        """Committed content hash of every statement."""
        hashes: dict[str, str] = {}
        with _wrapped("read statement records"):
            total = int(self._statements.count())
            for offset in range(0, total, _MAX_BATCH):
                got = self._statements.get(offset=offset, limit=_MAX_BATCH, include=["metadatas"])
                for sid, meta in zip(got["ids"], got["metadatas"], strict=True):
                    hashes[sid] = str(meta["content_hash"])
        return hashes

    def audit(self) -> StoreAudit:
        """Check every statement against its passages (after a crash, or in a test): each
        committed record has exactly `passage_count` passages, numbered from 0, whose text
        is the statement's text at their offsets; quotations sit at their offsets too."""
        with _wrapped("read the whole store"):
            records = _all(self._statements, ["metadatas", "documents"])
            rows = _all(self._passages, ["metadatas", "documents"])
        texts = {sid: text for sid, _, text in records}
        infos = {sid: _info(sid, meta) for sid, meta, _ in records}
        committed: dict[str, list[Passage]] = {sid: [] for sid in infos}
        orphans: dict[str, int] = {}
        for pid, meta, text in rows:
            sid = str(meta["statement_id"])
            if sid in infos and meta["content_hash"] == infos[sid].content_hash:
                committed[sid].append(_passage(pid, meta, text))
            else:
                orphans[sid] = orphans.get(sid, 0) + 1
        problems = []
        for sid, info in infos.items():
            passages = sorted(committed[sid], key=lambda p: p.index)
            if [p.index for p in passages] != list(range(info.passage_count)):
                problems.append(
                    f"{sid}: passages {[p.index for p in passages]} for a record of "
                    f"{info.passage_count}"
                )
            problems += [
                f"{p.id}: text differs from the statement at {p.start}:{p.end}"
                for p in passages
                if texts[sid][p.start : p.end] != p.text
            ]
            problems += [
                f"{sid}: quotation at {q.start}:{q.end} differs from the statement"
                for q in info.quotes
                if texts[sid][q.start : q.end] != q.text
            ]
        return StoreAudit(len(infos), sum(len(p) for p in committed.values()), orphans, problems)

    def load_passages(self, statement_ids: Sequence[str]) -> list[LoadedStatement]:
        """Committed statements with their passages (in order) and vectors."""
        if not statement_ids:
            return []
        with _wrapped("read statements and passages"):
            got = self._statements.get(ids=list(statement_ids), include=["metadatas"])
            infos = {
                sid: _info(sid, meta)
                for sid, meta in zip(got["ids"], got["metadatas"], strict=True)
            }
            rows = self._passages.get(
                where={"statement_id": {"$in": list(infos)}},
                include=["metadatas", "documents", "embeddings"],
            )
        grouped: dict[str, list[tuple[Passage, Any]]] = {sid: [] for sid in infos}
        columns = ("ids", "metadatas", "documents", "embeddings")
        for pid, meta, text, vector in zip(*(rows[c] for c in columns), strict=True):
            sid = str(meta["statement_id"])
            if sid in infos and meta["content_hash"] == infos[sid].content_hash:
                grouped[sid].append((_passage(pid, meta, text), vector))
        loaded = []
        for sid, items in grouped.items():
            items.sort(key=lambda item: item[0].index)
            vectors = np.asarray([v for _, v in items], dtype=np.float32)
            loaded.append(LoadedStatement(infos[sid], [p for p, _ in items], vectors))
        return loaded

    def generation(self) -> str:
        """A token that changes whenever any process writes (for keeping indexes in step)."""
        with _wrapped("read the generation marker"):
            got = self._meta.get(ids=[_GENERATION], include=["metadatas"])
        return str(got["metadatas"][0]["token"]) if got["ids"] else ""

    def _bump_generation(self, writing: bool = False) -> None:
        """A new token; one marked `writing` says a write began and has not finished (or
        was killed), so nobody may take the store as unchanged since an earlier token."""
        token = f"{_WRITING if writing else ''}{uuid.uuid4().hex}"
        self._meta.upsert(
            ids=[_GENERATION], embeddings=[_STATEMENT_VECTOR], metadatas=[{"token": token}]
        )

    def ping(self) -> None:
        with _wrapped("answer a heartbeat"):
            self._client.heartbeat()


def _all(collection: Any, include: list[str]) -> list[tuple[str, Any, Any]]:
    """Every row of a collection as (id, first included field, second), read in batches."""
    rows: list[tuple[str, Any, Any]] = []
    total = int(collection.count())
    for offset in range(0, total, _MAX_BATCH):
        got = collection.get(offset=offset, limit=_MAX_BATCH, include=include)
        rows += zip(got["ids"], got[include[0]], got[include[1]], strict=True)
    return rows


def _batches(rows: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


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
    if p.speakers:
        meta["speakers"] = list(p.speakers)
    if p.instructions:
        meta["instructions"] = json.dumps([list(span) for span in p.instructions])
    if p.title:
        meta["title"] = p.title
    if p.source_url:
        meta["source_url"] = p.source_url
    if p.page is not None:
        meta["page"] = p.page
    return meta


def _statement_metadata(info: StatementInfo) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "content_hash": info.content_hash,
        "passage_count": info.passage_count,
        "extra": json.dumps(info.metadata, ensure_ascii=False, sort_keys=True),
        **_date_fields(info.date),
    }
    for key in ("title", "speaker", "source_url"):
        value = getattr(info, key)
        if value:
            meta[key] = value
    if info.speakers:
        meta["speakers"] = list(info.speakers)
    if info.quotes:
        meta["quotes"] = json.dumps(
            [[q.start, q.end, q.speaker, q.cue, q.text] for q in info.quotes], ensure_ascii=False
        )
    if info.fingerprint:
        meta["fingerprint"] = info.fingerprint
    if info.page_starts:
        meta["page_starts"] = json.dumps(list(info.page_starts))
    if info.offices:
        meta["offices"] = json.dumps([list(o) for o in info.offices], ensure_ascii=False)
    return meta


def _date_from(meta: Mapping[str, Any]) -> DateSpan | None:
    return DateSpan.parse(str(meta["date"])) if meta.get("date") else None


def _info(statement_id: str, meta: Mapping[str, Any]) -> StatementInfo:
    date = _date_from(meta)
    quotes = tuple(
        QuoteRecord(
            statement_id=statement_id,
            start=start,
            end=end,
            text=text,
            speaker=speaker,
            cue=cue,
            date=date.text if date else None,
            title=meta.get("title"),
            source_url=meta.get("source_url"),
        )
        for start, end, speaker, cue, text in json.loads(str(meta.get("quotes", "[]")))
    )
    return StatementInfo(
        id=statement_id,
        title=meta.get("title"),
        speaker=meta.get("speaker"),
        date=date,
        source_url=meta.get("source_url"),
        content_hash=str(meta["content_hash"]),
        passage_count=int(meta.get("passage_count", 0)),
        metadata=json.loads(str(meta.get("extra", "{}"))),
        speakers=tuple(meta.get("speakers") or ()),
        quotes=quotes,
        fingerprint=meta.get("fingerprint"),
        page_starts=tuple(json.loads(str(meta.get("page_starts", "[]")))),
        offices=tuple(
            (str(office), str(name)) for office, name in json.loads(str(meta.get("offices", "[]")))
        ),
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
        speakers=tuple(meta.get("speakers") or ()),
        page=int(meta["page"]) if meta.get("page") is not None else None,
        instructions=tuple(
            (int(start), int(end)) for start, end in json.loads(str(meta.get("instructions", "[]")))
        ),
    )
