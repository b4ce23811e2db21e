"""The ChromaDB store: the only module that imports chromadb.

Three collections: `<prefix>_passages` (one embedding per passage), `<prefix>_statements`
(the full text and metadata of each statement) and `<prefix>_changes` (the change log,
rag.index.change_log).

A statement's record is its commit marker. Every write has a token (the number of its
`begin` entry in the change log); its passages are stored under ids that carry the token,
and the record it commits names the token. A write goes: `begin` in the log, its passages,
the statement records, removal of the passages of the records it replaced, `end` in the log.
Readers take exactly the passages the committed record names, so an interrupted write never
shows a half-written statement, and two processes writing the same statement at once cannot
remove each other's passages: a write removes only the passages of a record it replaced.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import random
import re
import socket
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np

from rag.embedding.choice import vectors_match
from rag.errors import ConfigError, StoreError
from rag.index.change_log import BEGIN, Change, ChangeLog
from rag.index.chroma_calls import chroma_call
from rag.people import statement_country
from rag.types import (
    DateSpan,
    Passage,
    QuoteRecord,
    Scalar,
    StatementInfo,
    StoredStatement,
    passage_id,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

_STATEMENT_VECTOR = [1.0]  # statements are looked up by id, never by similarity
_MAX_BATCH = 1000
_SCAN_PAGE = 200  # records a page when reading them all: bounds what one page parses
LEASE_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class LoadedStatement:
    info: StatementInfo
    passages: list[Passage]
    vectors: NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class StatementReads:
    """What `ChromaStore.read_statements` found: the committed version of each statement
    (None: there is no record) unless the caller holds it already, and the ids whose
    passages changed while being read (a write replaced the record meanwhile): read those
    again."""

    found: dict[str, LoadedStatement | None]
    """Each statement read that is absent (None) or not at the hash the caller holds."""
    unsettled: frozenset[str]


@dataclass(frozen=True, slots=True)
class FoundRow:
    """A passage a Chroma search found: its score, and the row it was read from."""

    passage: Passage
    score: float
    row_id: str


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


@dataclass(frozen=True, slots=True)
class _Committed:
    """A statement record as far as its passages go: which rows it names."""

    statement_id: str
    content_hash: str
    token: str
    passage_count: int

    def row_ids(self) -> list[str]:
        return [
            row_id(passage_id(self.statement_id, self.content_hash, i), self.token)
            for i in range(self.passage_count)
        ]


def row_id(passage: str, token: str) -> str:
    """The id of a passage's row as one write stored it (records written before tokens
    existed have token "" and rows under the passage id)."""
    return f"{passage}@{token}" if token else passage


def _day(value: dt.date) -> int:
    """Dates are stored as yyyymmdd integers so Chroma can compare them."""
    return int(value.strftime("%Y%m%d"))


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
        with chroma_call(f"connect to {chroma_url}"):
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
    with chroma_call(f"open the store at {path}"):
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
    def __init__(
        self,
        client: Any,
        location: str,
        prefix: str,
        embedding_model: str,
        *,
        exclusive: bool,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        """`exclusive`: no other process writes this store (an embedded store: Chroma's
        PersistentClient is not safe for two writing processes), so rows no record names
        are left by a dead write and may be removed at once. `lease_seconds`: how long a
        write may take from its `begin` to committing (it gives up past half of it)."""
        self._client = client
        self.location = location
        self.exclusive = exclusive
        self._lease = lease_seconds
        with chroma_call("open its collections"):
            self._passages = client.get_or_create_collection(
                f"{prefix}_passages",
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedding_model": embedding_model},
            )
            self._statements = client.get_or_create_collection(
                f"{prefix}_statements", embedding_function=None
            )
            changes = client.get_or_create_collection(f"{prefix}_changes", embedding_function=None)
        writer = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.log = ChangeLog(changes, writer)
        built_with = (self._passages.metadata or {}).get("embedding_model")
        if built_with and not vectors_match(str(built_with), embedding_model):
            raise ConfigError(
                f"the store at {location} was built with the embedding model {built_with!r}, "
                f"not {embedding_model!r}",
                hint="RAG_ENCODER=auto embeds with the store's own encoder; or use another "
                "RAG_DATA_DIR (or collection prefix) and ingest again",
            )

    @property
    def passages_collection(self) -> Any:
        """The passages collection, for a search backend that queries Chroma itself."""
        return self._passages

    # ---- statements -------------------------------------------------------------------

    def content_hashes(self, statement_ids: Sequence[str]) -> dict[str, str]:
        """Committed content hash of each statement that exists."""
        return {sid: c.content_hash for sid, c in self._committed(statement_ids).items()}

    def _committed(self, statement_ids: Sequence[str]) -> dict[str, _Committed]:
        found: dict[str, _Committed] = {}
        with chroma_call("read statement records"):
            for batch in _batches(list(statement_ids), _MAX_BATCH):
                got = self._statements.get(ids=batch, include=["metadatas"])
                for sid, meta in zip(got["ids"], got["metadatas"], strict=True):
                    found[sid] = _committed(sid, meta)
        return found

    def get(self, statement_id: str) -> StoredStatement | None:
        return self.get_many([statement_id]).get(statement_id)

    def get_many(self, statement_ids: Sequence[str]) -> dict[str, StoredStatement]:
        with chroma_call("read statements"):
            got = self._statements.get(ids=list(statement_ids), include=["metadatas", "documents"])
        return {
            sid: StoredStatement(_info(sid, meta), text)
            for sid, meta, text in zip(got["ids"], got["metadatas"], got["documents"], strict=True)
        }

    def list_statements(self, offset: int, limit: int) -> list[StatementInfo]:
        with chroma_call("list statements"):
            got = self._statements.get(offset=offset, limit=limit, include=["metadatas"])
        return [_info(sid, meta) for sid, meta in zip(got["ids"], got["metadatas"], strict=True)]

    def count(self) -> int:
        with chroma_call("count statements"):
            return int(self._statements.count())

    # ---- writes -----------------------------------------------------------------------

    def write(self, items: Sequence[StatementWrite]) -> None:
        """Store new versions of statements: passages first, then the commit records."""
        if not items:
            return
        ids = [item.info.id for item in items]
        begin = self.log.begin(ids, self._lease)
        token = str(begin.seq)
        outcome: dict[str, str | None] = dict.fromkeys(ids)
        try:
            with chroma_call("store passages"):
                rows = [
                    (p, vector, _passage_metadata(p, item.info, token, begin.expires))
                    for item in items
                    for p, vector in zip(item.passages, item.vectors, strict=True)
                ]
                for batch in _batches(rows, _MAX_BATCH):
                    self._passages.upsert(
                        ids=[row_id(p.id, token) for p, _, _ in batch],
                        embeddings=[vector for _, vector, _ in batch],
                        documents=[p.text for p, _, _ in batch],
                        metadatas=[meta for _, _, meta in batch],
                    )
            replaced = self._committed(ids)
            if time.time() > begin.expires - self._lease / 2:
                raise StoreError(
                    f"storing {len(rows)} passages took more than half the write lease "
                    f"({self._lease:.0f} s); nothing was committed",
                    hint="ingest in smaller groups (RAG_INGEST_GROUP_PASSAGES) or raise "
                    "RAG_WRITE_LEASE_SECONDS",
                )
            with chroma_call("store statement records"):
                for batch in _batches(list(items), _MAX_BATCH):
                    self._statements.upsert(
                        ids=[item.info.id for item in batch],
                        embeddings=[_STATEMENT_VECTOR for _ in batch],
                        documents=[item.text for item in batch],
                        metadatas=[
                            _statement_metadata(item.info, token, item.passages) for item in batch
                        ],
                    )
            outcome = {item.info.id: item.info.content_hash for item in items}
            self._delete_rows([r for c in replaced.values() for r in c.row_ids()])
            # A write committed after ours (read after this one replaced what it read) leaves
            # our rows to nobody: they are ours, so removing them is safe.
            now = self._committed(ids)
            lost = [
                item
                for item in items
                if item.info.id not in now or now[item.info.id].token != token
            ]
            self._delete_rows([row_id(p.id, token) for item in lost for p in item.passages])
        finally:
            self._end(begin, outcome)

    def _end(self, begin: Change, outcome: Mapping[str, str | None]) -> None:
        try:
            self.log.end(begin, outcome)
        except StoreError as exc:  # replicas read these statements again when the lease ends
            log.warning("could not log the end of write %d: %s", begin.seq, exc)

    def remove_stale_passages(self, statement_ids: Sequence[str]) -> int:
        """Remove rows of these statements that no committed record names and no write can
        still commit (left by a killed write, or by one that lost a race)."""
        committed = self._committed(statement_ids)
        keep = {r for c in committed.values() for r in c.row_ids()}
        now = time.time()
        stale = []
        with chroma_call("find stale passages"):
            for batch in _batches(list(statement_ids), _MAX_BATCH):
                got = self._passages.get(
                    where={"statement_id": {"$in": batch}}, include=["metadatas"]
                )
                stale += [
                    rid
                    for rid, meta in zip(got["ids"], got["metadatas"], strict=True)
                    if rid not in keep and (self.exclusive or float(meta.get("lease", 0)) < now)
                ]
        self._delete_rows(stale)
        return len(stale)

    def _delete_rows(self, row_ids: Sequence[str]) -> None:
        with chroma_call("remove passages"):
            for batch in _batches(list(row_ids), _MAX_BATCH):
                self._passages.delete(ids=batch)

    def delete(self, statement_id: str) -> bool:
        """Remove a statement: its record first (so readers stop seeing it), then passages."""
        begin = self.log.begin([statement_id], self._lease)
        outcome: dict[str, str | None] = {statement_id: None}
        try:
            committed = self._committed([statement_id]).get(statement_id)
            with chroma_call(f"delete statement {statement_id!r}"):
                self._statements.delete(ids=[statement_id])
            outcome = {statement_id: ""}
            if committed is not None:
                self._delete_rows(committed.row_ids())
            self.remove_stale_passages([statement_id])  # what killed writes left behind
        finally:
            self._end(begin, outcome)
        return committed is not None

    # ---- reading for the search index ---------------------------------------------------

    def read_statements(
        self, statement_ids: Sequence[str], held: Mapping[str, str] | None = None
    ) -> StatementReads:
        """The committed version of each statement, with its passages (in order) and vectors.
        `held`: content hashes the caller has; statements committed with the same hash are
        left out of `found` (their passages are not read)."""
        held = held or {}
        committed: dict[str, _Committed] = {}
        infos: dict[str, StatementInfo] = {}
        absent = set(statement_ids)
        with chroma_call("read statement records"):
            for batch in _batches(list(statement_ids), _MAX_BATCH):
                got = self._statements.get(ids=batch, include=["metadatas"])
                for sid, meta in zip(got["ids"], got["metadatas"], strict=True):
                    absent.discard(sid)
                    if held.get(sid) != meta["content_hash"]:
                        committed[sid] = _committed(sid, meta)
                        infos[sid] = _info(sid, meta)
        rows: dict[str, tuple[Passage, Any]] = {}
        wanted = {r: c for c in committed.values() for r in c.row_ids()}
        with chroma_call("read passages"):
            for batch in _batches(list(wanted), _MAX_BATCH):
                got = self._passages.get(
                    ids=batch, include=["metadatas", "documents", "embeddings"]
                )
                columns = ("ids", "metadatas", "documents", "embeddings")
                for rid, meta, text, vector in zip(*(got[c] for c in columns), strict=True):
                    c = wanted[rid]
                    pid = passage_id(c.statement_id, c.content_hash, int(meta["index"]))
                    rows[rid] = (_passage(pid, meta, text), vector)
        found: dict[str, LoadedStatement | None] = dict.fromkeys(absent)
        unsettled = set()
        for sid, c in committed.items():
            items = [rows[r] for r in c.row_ids() if r in rows]
            if len(items) != c.passage_count:
                unsettled.add(sid)  # replaced while we read it
                continue
            vectors = np.asarray([v for _, v in items], dtype=np.float32)
            found[sid] = LoadedStatement(infos[sid], [p for p, _ in items], vectors)
        return StatementReads(found, frozenset(unsettled))

    # ---- reading for a search backend that asks Chroma ------------------------------------

    def query_passages(
        self,
        vector: NDArray[np.float32],
        where: Mapping[str, Any] | None,
        n: int,
        where_document: Mapping[str, Any] | None = None,
    ) -> list[FoundRow]:
        """Chroma's nearest passages to `vector` (its HNSW index) among those `where` (on
        metadata) and `where_document` (on text) let through, committed ones only, best
        first; scores are cosine similarities."""
        with chroma_call("search passages"):
            got = self._passages.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=n,
                where=where or None,
                where_document=where_document or None,
                include=["metadatas", "documents", "distances"],
            )
        rows = list(
            zip(
                got["ids"][0],
                got["metadatas"][0],
                got["documents"][0],
                got["distances"][0],
                strict=True,
            )
        )
        return self._committed_rows([(r, m, t, 1.0 - float(d)) for r, m, t, d in rows])

    def passages_containing(
        self,
        text: str,
        where: Mapping[str, Any] | None,
        limit: int,
        where_document: Mapping[str, Any] | None = None,
    ) -> list[FoundRow]:
        """Committed passages whose text holds `text` (Chroma's full-text index; any case)
        among those `where` and `where_document` let through."""
        holds: dict[str, Any] = {"$regex": "(?i)" + re.escape(text)}
        with chroma_call("search passage text"):
            got = self._passages.get(
                where=where or None,
                where_document={"$and": [holds, where_document]} if where_document else holds,
                limit=limit,
                include=["metadatas", "documents"],
            )
        rows = zip(got["ids"], got["metadatas"], got["documents"], strict=True)
        return self._committed_rows([(r, m, t, 0.0) for r, m, t in rows])

    def _committed_rows(self, rows: list[tuple[str, Any, str, float]]) -> list[FoundRow]:
        # A row with no metadata is no passage of ours (Chroma answers such rows while a
        # delete is settling, or another program wrote them): never found.
        rows = [row for row in rows if row[1] is not None]
        committed = self._committed(
            list(dict.fromkeys(str(m["statement_id"]) for _, m, _, _ in rows))
        )
        named = {r for c in committed.values() for r in c.row_ids()}
        found = []
        for rid, meta, text, score in rows:
            c = committed.get(str(meta["statement_id"]))
            if c is None or rid not in named:
                continue  # a row no committed record names: a write in progress, or lost
            pid = passage_id(c.statement_id, c.content_hash, int(meta["index"]))
            found.append(FoundRow(_passage(pid, meta, text), score, rid))
        return found

    def any_passage(
        self, where: Mapping[str, Any] | None, where_document: Mapping[str, Any] | None = None
    ) -> bool:
        with chroma_call("filter passages"):
            got = self._passages.get(
                where=where or None,
                where_document=where_document or None,
                limit=1,
                include=[],
            )
            return bool(got["ids"])

    def row_vectors(self, row_ids: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        with chroma_call("read passage vectors"):
            got = self._passages.get(ids=list(row_ids), include=["embeddings"])
        return {
            rid: np.asarray(v, dtype=np.float32)
            for rid, v in zip(got["ids"], got["embeddings"], strict=True)
        }

    def infos(self, statement_ids: Sequence[str]) -> dict[str, StatementInfo]:
        """The records of these statements, without their text."""
        found: dict[str, StatementInfo] = {}
        with chroma_call("read statement records"):
            for batch in _batches(list(statement_ids), _MAX_BATCH):
                got = self._statements.get(ids=batch, include=["metadatas"])
                found.update(
                    (sid, _info(sid, meta))
                    for sid, meta in zip(got["ids"], got["metadatas"], strict=True)
                )
        return found

    def tag_passage_countries(self, countries: Mapping[str, str], check: int = 50) -> int:
        """Give the passages of these statements (statement id -> country code) the
        `country` a search backend filters them by, where they lack it (passages written
        before they carried it); returns the rows tagged. A sample of `check` statements is
        looked at first, so a store whose passages have it costs one read."""
        wanted = sorted(countries)
        sample = wanted[:: max(1, len(wanted) // check)][:check]
        if not self._untagged(sample, countries):
            return 0
        tagged = 0
        for batch in _batches(wanted, 100):
            rows = self._untagged(batch, countries)
            with chroma_call("tag passages with their country"):
                for part in _batches(rows, _MAX_BATCH):
                    self._passages.update(
                        ids=[rid for rid, _ in part],
                        metadatas=[{"country": code} for _, code in part],
                    )
            tagged += len(rows)
        return tagged

    def _untagged(
        self, statement_ids: Sequence[str], countries: Mapping[str, str]
    ) -> list[tuple[str, str]]:
        """(row id, country) of the passages of these statements lacking their country."""
        if not statement_ids:
            return []
        with chroma_call("read passage countries"):
            got = self._passages.get(
                where={"statement_id": {"$in": list(statement_ids)}}, include=["metadatas"]
            )
        return [
            (rid, code)
            for rid, meta in zip(got["ids"], got["metadatas"], strict=True)
            if (code := countries[str(meta["statement_id"])]) != meta.get("country")
        ]

    def scan_infos(self) -> Iterator[StatementInfo]:
        """Every statement record, page by page (nothing kept)."""
        for info, _ in self.scan_speakers():
            yield info

    def scan_speakers(self, quotes: bool = True) -> Iterator[tuple[StatementInfo, dict[str, int]]]:
        """Every statement record with its passages' speakers (name -> passages), page by
        page; without its quotations unless `quotes`. Records written before they carried
        the speakers are completed from their rows."""
        with chroma_call("read statement records"):
            for offset in range(0, int(self._statements.count()), _SCAN_PAGE):
                got = self._statements.get(offset=offset, limit=_SCAN_PAGE, include=["metadatas"])
                page = [(sid, meta) for sid, meta in zip(got["ids"], got["metadatas"], strict=True)]
                older = [sid for sid, meta in page if "passage_speakers" not in meta]
                counted = self._passage_speakers(older) if older else {}
                for sid, meta in page:
                    spoken = meta.get("passage_speakers")
                    names = json.loads(str(spoken)) if spoken else counted.get(sid, {})
                    yield _info(sid, meta, quotes), names

    def _passage_speakers(self, statement_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        named = {r for c in self._committed(statement_ids).values() for r in c.row_ids()}
        counts: dict[str, Counter[str]] = {}
        got = self._passages.get(
            where={"statement_id": {"$in": list(statement_ids)}}, include=["metadatas"]
        )
        for rid, meta in zip(got["ids"], got["metadatas"], strict=True):
            if rid in named:
                sid = str(meta["statement_id"])
                counts.setdefault(sid, Counter()).update(meta.get("speakers") or ())
        return {sid: dict(c) for sid, c in counts.items()}

    def sample_texts(self, count: int, seed: int) -> tuple[list[str], int]:
        """About `count` passage texts (all of them in a smaller store), from pages at
        random places, and how many rows the passages collection holds."""
        page = 250
        rng = random.Random(seed)
        texts: list[str] = []
        with chroma_call("sample passages"):
            total = int(self._passages.count())
            if total <= count:
                starts, page = [0], count
            else:
                starts = sorted({rng.randrange(total - page) for _ in range(count // page)})
            for start in starts:
                got = self._passages.get(offset=start, limit=page, include=["documents"])
                texts += got["documents"]
        return texts, total

    def search_api(self) -> str | None:
        """None when Chroma's Search API answers here, else why not (single-node Chroma
        refuses it: only Chroma distributed and Chroma Cloud have it)."""
        from chromadb.execution.expression import Search

        try:
            self._passages.search(Search().limit(1))
        except Exception as exc:
            return str(exc)
        return None

    def all_content_hashes(self) -> dict[str, str]:
        """Committed content hash of every statement. Records removed while this reads move
        later ones towards the start, so each page starts back by as many statements as
        the writes begun meanwhile touch: no record present throughout is missed."""
        hashes: dict[str, str] = {}
        cursor = self.log.head()
        offset = 0
        while True:
            with chroma_call("read statement records"):
                got = self._statements.get(offset=offset, limit=_MAX_BATCH, include=["metadatas"])
            for sid, meta in zip(got["ids"], got["metadatas"], strict=True):
                hashes[sid] = str(meta["content_hash"])
            if len(got["ids"]) < _MAX_BATCH:
                return hashes
            touched = 0
            while (changes := self.log.read(cursor)) is not None and changes:
                touched += sum(len(c.statements) for c in changes if c.kind == BEGIN)
                cursor = changes[-1].seq
            if changes is None:  # the log was trimmed under us: start again
                return self.all_content_hashes()
            offset = max(0, offset + len(got["ids"]) - touched)

    def audit(self) -> StoreAudit:
        """Check every statement against its passages (after a crash, or in a test): each
        committed record has exactly `passage_count` passages, numbered from 0, whose text
        is the statement's text at their offsets; quotations sit at their offsets too."""
        with chroma_call("read the whole store"):
            records = _all(self._statements, ["metadatas", "documents"])
            rows = _all(self._passages, ["metadatas", "documents"])
        texts = {sid: text for sid, _, text in records}
        infos = {sid: _info(sid, meta) for sid, meta, _ in records}
        named = {
            r: c for sid, meta, _ in records for c in [_committed(sid, meta)] for r in c.row_ids()
        }
        committed: dict[str, list[Passage]] = {sid: [] for sid in infos}
        orphans: dict[str, int] = {}
        for rid, meta, text in rows:
            sid = str(meta["statement_id"])
            c = named.get(rid)
            if c is not None:
                pid = passage_id(sid, c.content_hash, int(meta["index"]))
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

    def ping(self) -> None:
        with chroma_call("answer a heartbeat"):
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


def _committed(statement_id: str, meta: Mapping[str, Any]) -> _Committed:
    return _Committed(
        statement_id,
        str(meta["content_hash"]),
        str(meta.get("write", "")),
        int(meta.get("passage_count", 0)),
    )


def _date_fields(date: DateSpan | None) -> dict[str, Scalar]:
    if date is None:
        return {}
    return {"date": date.text, "date_first": _day(date.first), "date_last": _day(date.last)}


def _passage_metadata(p: Passage, info: StatementInfo, token: str, lease: float) -> dict[str, Any]:
    """`country` (the statement's, rag.people.statement_country) lets Chroma filter passages
    by the country a statement speaks for."""
    meta: dict[str, Any] = {
        "statement_id": p.statement_id,
        "content_hash": info.content_hash,
        "write": token,
        "lease": lease,
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
    if country := statement_country(info.metadata, info.source_url):
        meta["country"] = country
    return meta


def _statement_metadata(
    info: StatementInfo, token: str, passages: Sequence[Passage]
) -> dict[str, Any]:
    """Every key, None where the statement has no value: an upsert merges metadata, and
    only a None removes a key an earlier version of the record had. `passage_speakers`
    (name -> passages naming it) lets a search backend that keeps no passages build the
    speaker index from the records alone."""
    quotes = [[q.start, q.end, q.speaker, q.cue, q.text] for q in info.quotes]
    spoken = Counter(name for p in passages for name in p.speakers)
    return {
        "content_hash": info.content_hash,
        "write": token,
        "passage_count": info.passage_count,
        "extra": json.dumps(info.metadata, ensure_ascii=False, sort_keys=True),
        "date": None,
        "date_first": None,
        "date_last": None,
        **_date_fields(info.date),
        "title": info.title or None,
        "speaker": info.speaker or None,
        "source_url": info.source_url or None,
        "speakers": list(info.speakers) or None,
        "quotes": json.dumps(quotes, ensure_ascii=False) if quotes else None,
        "fingerprint": info.fingerprint or None,
        "page_starts": json.dumps(list(info.page_starts)) if info.page_starts else None,
        "passage_speakers": json.dumps(dict(spoken), ensure_ascii=False) if spoken else None,
        "offices": (
            json.dumps([list(o) for o in info.offices], ensure_ascii=False)
            if info.offices
            else None
        ),
    }


def _date_from(meta: Mapping[str, Any]) -> DateSpan | None:
    return DateSpan.parse(str(meta["date"])) if meta.get("date") else None


def _info(statement_id: str, meta: Mapping[str, Any], with_quotes: bool = True) -> StatementInfo:
    date = _date_from(meta)
    quoted = json.loads(str(meta.get("quotes", "[]"))) if with_quotes else ()
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
        for start, end, speaker, cue, text in quoted
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
            (str(office), str(name))
            for office, name in json.loads(str(meta.get("offices") or "[]"))
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
