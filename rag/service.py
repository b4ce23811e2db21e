"""The service: the one place where concrete parts are chosen (from settings) and wired.

CLI and API both call `Service`; neither holds any logic of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rag.answering import Answerer, refusal
from rag.answering.citations import verify
from rag.answering.extractive import ExtractiveAnswerer
from rag.answering.terms import content_terms, topic_terms
from rag.attribution import attribute
from rag.catalog import Catalog
from rag.chunking import ChunkConfig, chunk_statement
from rag.embedding import Embedder, SentenceTransformerEmbedder, embedding_text
from rag.errors import InputError, NotFoundError
from rag.ingest import unique_statements
from rag.relevance import Verdict, judge
from rag.retrieval import RetrievalConfig, Retriever
from rag.settings import Settings
from rag.speaker_index import SpeakerEntry
from rag.store import ChromaStore, StatementWrite, open_client
from rag.tokens import Tokenizer, get_tokenizer
from rag.types import (
    Answer,
    Filters,
    IngestReport,
    Passage,
    Query,
    SearchResult,
    Statement,
    StatementInfo,
    StoredStatement,
    StoreStats,
)

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
# Statements are embedded and stored in groups: big enough to batch the model well,
# small enough that an interrupted ingest loses little work.
_GROUP_PASSAGES = 512
UNVERIFIED = (
    "The statements don't say: the answer drafted could not be verified against them, "
    "so it is withheld."
)


@dataclass(frozen=True, slots=True)
class StatementPage:
    statements: tuple[StatementInfo, ...]
    total: int
    offset: int
    limit: int


def content_hash(statement: Statement, index_version: str) -> str:
    """What decides whether a statement changed: its text, metadata and how it is indexed."""
    payload = json.dumps(
        {
            "text": statement.text,
            "title": statement.title,
            "speaker": statement.speaker,
            "date": statement.date.text if statement.date else None,
            "source_url": statement.source_url,
            "metadata": statement.metadata,
            "index": index_version,
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


class Service:
    def __init__(
        self,
        settings: Settings,
        catalog: Catalog,
        embedder: Embedder,
        tokenizer: Tokenizer,
        answerer: Answerer,
    ) -> None:
        self.settings = settings
        self.catalog = catalog
        self.store = catalog.store
        self.embedder = embedder
        self.answerer = answerer
        self._tokenizer = tokenizer
        self._chunking = ChunkConfig(settings.chunk_max_tokens, settings.chunk_overlap_tokens)
        self._retriever = Retriever(
            catalog,
            embedder,
            RetrievalConfig(understand=settings.understand_questions, keyword=settings.hybrid),
        )
        # The last part counts changes in how statements are processed (2: speakers).
        self._index_version = (
            f"{embedder.name}|{self._chunking.max_tokens}|{self._chunking.overlap_tokens}|2"
        )

    # ---- ingest -----------------------------------------------------------------------

    def ingest(
        self, statements: Sequence[Statement], on_progress: Callable[[int], None] | None = None
    ) -> IngestReport:
        """Store new and changed statements; unchanged ones (same content hash) are skipped.

        `on_progress(n)` is called as statements are done, skipped ones included.
        """
        started = time.perf_counter()
        progress = on_progress or (lambda _n: None)
        statements = unique_statements(statements)
        hashes = {s.id: content_hash(s, self._index_version) for s in statements}
        existing = self.store.content_hashes(list(hashes))
        todo = [s for s in statements if existing.get(s.id) != hashes[s.id]]
        progress(len(statements) - len(todo))
        passages = 0
        for group in self._groups(todo):
            writes = self._prepare(group, hashes)
            self.catalog.write(writes)
            passages += sum(len(w.passages) for w in writes)
            progress(len(group))
        updated = sum(1 for s in todo if s.id in existing)
        return IngestReport(
            added=len(todo) - updated,
            updated=updated,
            unchanged=len(statements) - len(todo),
            passages=passages,
            seconds=time.perf_counter() - started,
        )

    def _groups(self, statements: list[Statement]) -> Iterator[list[Statement]]:
        group: list[Statement] = []
        size = 0
        for statement in statements:
            group.append(statement)
            size += 1 + len(statement.text) // 800  # about one passage per 800 characters
            if size >= _GROUP_PASSAGES:
                yield group
                group, size = [], 0
        if group:
            yield group

    def _prepare(self, group: list[Statement], hashes: dict[str, str]) -> list[StatementWrite]:
        """Chunk, attribute speakers and embed a group of statements."""
        chunked = [self._chunk(s, hashes[s.id]) for s in group]
        texts = [embedding_text(p) for _, passages in chunked for p in passages]
        vectors = self._vectors(texts, [s.id for s in group])
        writes: list[StatementWrite] = []
        at = 0
        for statement, passages in chunked:
            info = StatementInfo(
                id=statement.id,
                title=statement.title,
                speaker=statement.speaker,
                date=statement.date,
                source_url=statement.source_url,
                content_hash=hashes[statement.id],
                passage_count=len(passages),
                metadata=statement.metadata,
                speakers=statement.speakers,
            )
            writes.append(
                StatementWrite(info, statement.text, passages, vectors[at : at + len(passages)])
            )
            at += len(passages)
        return writes

    def _chunk(self, statement: Statement, content_hash: str) -> tuple[Statement, list[Passage]]:
        passages = chunk_statement(statement, content_hash, self._tokenizer, self._chunking)
        who = attribute(
            statement.text, statement.title, statement.speaker, [(p.start, p.end) for p in passages]
        )
        return (
            replace(statement, speakers=who.statement_speakers),
            [
                replace(p, speakers=names)
                for p, names in zip(passages, who.passage_speakers, strict=True)
            ],
        )

    def _vectors(self, texts: list[str], statement_ids: list[str]) -> NDArray[np.float32]:
        """Vectors for `texts`, embedding only those the statements' stored versions lack.

        A statement whose metadata changed, or that is re-processed after an upgrade,
        mostly keeps its passages' texts: their vectors are reused, not recomputed.
        """
        known = self.catalog.known_vectors(statement_ids)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            known.update(zip(missing, self.embedder.embed(missing), strict=True))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([known[t] for t in texts]).astype(np.float32)

    def delete(self, statement_id: str) -> None:
        if not self.catalog.delete(statement_id):
            raise NotFoundError(
                f"no statement with id {statement_id!r}",
                hint="list ids with `rag list` or GET /v1/statements",
            )

    # ---- read -------------------------------------------------------------------------

    def get_statement(self, statement_id: str) -> StoredStatement:
        stored = self.store.get(statement_id)
        if stored is None:
            raise NotFoundError(
                f"no statement with id {statement_id!r}",
                hint="list ids with `rag list` or GET /v1/statements",
            )
        return stored

    def list_statements(self, offset: int = 0, limit: int = 50) -> StatementPage:
        if offset < 0 or not 1 <= limit <= 1000:
            raise InputError("offset must be >= 0 and limit between 1 and 1000", field="limit")
        infos = self.store.list_statements(offset, limit)
        return StatementPage(tuple(infos), self.store.count(), offset, limit)

    def stats(self) -> StoreStats:
        return self.catalog.stats()

    def speakers(self, name: str | None = None) -> tuple[SpeakerEntry, ...]:
        """The speaker index, most statements first; or the entries a name resolves to."""
        index = self.catalog.speakers()
        return index.resolve(name) if name and name.strip() else index.entries()

    def persist_index(self) -> None:
        """Save the search index snapshot (a faster start next time; never needed for truth)."""
        self.catalog.save_snapshot()

    # ---- questions --------------------------------------------------------------------

    def query(self, question: str, k: int | None = None, filters: Filters | None = None) -> Query:
        """A validated query; every entry point builds its queries here."""
        question = question.strip()
        if not question:
            raise InputError("the question is empty", field="question", hint="ask something")
        if len(question) > MAX_QUESTION_CHARS:
            raise InputError(
                f"the question is {len(question)} characters; the limit is {MAX_QUESTION_CHARS}",
                field="question",
            )
        k = self.settings.default_k if k is None else k
        if not 1 <= k <= self.settings.max_k:
            raise InputError(f"k must be between 1 and {self.settings.max_k}", field="k")
        filters = filters or Filters()
        if filters.since and filters.until and filters.since > filters.until:
            raise InputError("'since' is after 'until'", field="filters.since")
        return Query(question, k, filters)

    def search(self, query: Query) -> SearchResult:
        return self._retriever.search(query, dt.date.today())

    def ask(self, query: Query) -> Answer:
        started = time.perf_counter()
        result = self.search(query)
        relevant = tuple(p for p in result.passages if p.score >= self.settings.min_similarity)
        verdict = self._judge(query, result)
        if not result.passages:
            draft = refusal(self.answerer.name, self._why_nothing(query, result))
        elif not verdict.answerable:
            draft = refusal(self.answerer.name, verdict.reason)
        else:
            topic = result.interpreted.topic if result.interpreted else None
            draft = self.answerer.answer(query.question, relevant, topic)
        cited = sorted({p.passage.statement_id for p in relevant})
        verified = verify(draft, relevant, self.store.get_many(cited) if draft.citations else {})
        answerable = draft.answerable and bool(verified.citations)
        text = verified.text if answerable or not draft.answerable else UNVERIFIED
        return Answer(
            question=query.question,
            text=text,
            answerable=answerable,
            citations=verified.citations if answerable else (),
            rejected_citations=verified.rejected,
            answerer=draft.answerer,
            prompt_hash=draft.prompt_hash,
            passages=result.passages,
            retrieval_seconds=result.seconds,
            seconds=time.perf_counter() - started,
            interpreted=result.interpreted,
        )

    def _judge(self, query: Query, result: SearchResult) -> Verdict:
        if result.interpreted is not None:
            topic = content_terms(result.interpreted.topic)
        else:
            speakers = sorted({n for p in result.passages for n in p.passage.speakers})
            topic = topic_terms(query.question, speakers)
        idf = self.catalog.idf(list(topic))
        return judge(
            result.passages,
            result.interpreted,
            topic,
            idf.__getitem__,
            lambda p: embedding_text(p.passage),
            self.settings.min_similarity,
            self.settings.min_topic_coverage,
        )

    def _why_nothing(self, query: Query, result: SearchResult) -> str:
        f = query.filters
        if f.speaker and not result.matched_speakers:
            return f"No stored statement has a speaker matching {f.speaker!r}."
        if not f.is_empty():
            return "No statement matches the filters."
        return "No statements have been ingested yet."

    # ---- lifecycle --------------------------------------------------------------------

    def warm_up(self) -> None:
        """Load the model and touch the store, so the first question is not slow."""
        self.embedder.embed(["warm up"])
        self.store.ping()
        self.catalog.stats()  # loads the search index


def build_answerer(settings: Settings) -> Answerer:
    if settings.resolved_answerer == "extractive":
        return ExtractiveAnswerer()
    from openai import OpenAI

    from rag.answering.llm import OpenAIAnswerer
    from rag.prompts import load_prompt

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    client = OpenAI(
        api_key=key,
        base_url=settings.llm_base_url,
        timeout=settings.llm_timeout_seconds,
        max_retries=2,
    )
    return OpenAIAnswerer(
        client,
        settings.llm_model,
        system=load_prompt(settings.prompts_dir, "answer_system", set()),
        user=load_prompt(settings.prompts_dir, "answer_user", {"question", "passages"}),
        temperature=settings.llm_temperature,
    )


def build_service(settings: Settings, embedder: Embedder | None = None) -> Service:
    """Wire the real parts. `embedder` lets a process share one loaded model."""
    embedder = embedder or SentenceTransformerEmbedder(
        settings.embedding_model, settings.embedding_batch_size, settings.torch_threads
    )
    client, location = open_client(settings.data_dir, settings.chroma_url)
    store = ChromaStore(client, location, settings.collection_prefix, embedder.name)
    catalog = Catalog(store, embedder.name, _snapshot_path(settings))
    return Service(
        settings,
        catalog,
        embedder,
        get_tokenizer(settings.cache_dir),
        build_answerer(settings),
    )


def _snapshot_path(settings: Settings) -> Path:
    if settings.chroma_url is None:
        return settings.data_dir / f"index-{settings.collection_prefix}.pickle"
    key = hashlib.sha256(f"{settings.chroma_url}|{settings.collection_prefix}".encode()).hexdigest()
    return settings.cache_dir / "index" / f"{key[:16]}.pickle"
