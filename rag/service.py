"""The service: the one facade every interface calls (ingest, ask, search, quotes, timeline).

CLI, API, MCP and the evaluation runner call `Service`; none holds logic of its own. Which
concrete parts it is given is decided in rag.wiring, from the settings.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from rag.answering import Answerer, Question, refusal
from rag.answering.asking import Asker, DraftListener, Outcome, finish
from rag.answering.extractive import ExtractiveAnswerer
from rag.answering.timeline import as_draft, entries, pick_lines
from rag.embedding.embedder import (
    Embedder,
    QueryVectors,
    SentenceTransformerEmbedder,
    embedding_text,
)
from rag.embedding.wordpieces import WordPieces
from rag.errors import InputError, NotFoundError
from rag.index.corpus import Corpus
from rag.ingest.chunking import ChunkConfig
from rag.ingest.pipeline import Ingester
from rag.people import SpeakerEntry, search_quotes
from rag.question.conversation import standalone
from rag.question.focus import read_focus
from rag.question.rewriting import Rewriter
from rag.question.understanding import interpret
from rag.retrieval.relevance import Verdict, judge
from rag.retrieval.retriever import RetrievalConfig, Retriever
from rag.settings import Settings
from rag.text.encoding import SURROGATE_HINT, surrogate_problem
from rag.text.tokens import Tokenizer
from rag.types import (
    Answer,
    Filters,
    IngestReport,
    Query,
    QuoteRecord,
    ScoredPassage,
    SearchResult,
    Statement,
    StatementInfo,
    StoredStatement,
    StoreStats,
)

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
CONTEXT_QUESTIONS = 8
"""Earlier questions of a conversation a follow-up is read against, at most."""
MAX_QUOTES = 500
TIMELINE_PASSAGES = 40
"""Passages a timeline is drawn from: enough to reach many statements."""
TIMELINE = "timeline"


def _check_encodable(text: str | None, field: str) -> None:
    """Text the tokenizer can take (a command line may hold undecodable bytes as surrogates)."""
    problem = surrogate_problem(text) if text else None
    if problem:
        raise InputError(f"{field} {problem}", field=field, hint=SURROGATE_HINT)


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """What a run's answers were made with: reported by evals and /v1/stats."""

    answerer: str
    prompt_hash: str | None
    embedding_model: str


@dataclass(frozen=True, slots=True)
class StatementPage:
    statements: tuple[StatementInfo, ...]
    total: int
    offset: int
    limit: int


class Service:
    def __init__(
        self,
        settings: Settings,
        catalog: Corpus,
        embedder: Embedder,
        tokenizer: Tokenizer,
        answerer: Answerer,
        rewriter: Rewriter | None = None,
        wordpieces: WordPieces | None = None,
    ) -> None:
        """`rewriter` (the LLM's, when one is configured) makes follow-ups standalone before
        the rules do; without it, or when it gives nothing usable, the rules do. `wordpieces`:
        the embedding model's tokenizer, so that no passage is longer than the model reads."""
        self.settings = settings
        self._rewriter = rewriter
        self.catalog = catalog
        self.store = catalog.store
        self.embedder = embedder
        self.answerer = answerer
        chunking = ChunkConfig(settings.chunk_max_tokens, settings.chunk_overlap_tokens)
        self._tokenizer = tokenizer
        self._ingester = Ingester(
            catalog, embedder, tokenizer, chunking, settings.ingest_group_passages, wordpieces
        )
        self._retriever = Retriever(
            catalog,
            QueryVectors(embedder, settings.query_cache_size),
            RetrievalConfig(
                understand=settings.understand_questions,
                keyword=settings.hybrid,
                min_confidence=settings.min_reading_confidence,
            ),
        )
        self._asker = Asker(
            catalog,
            answerer,
            ExtractiveAnswerer(),
            degrade=settings.llm_on_failure == "degrade",
        )

    # ---- ingest -----------------------------------------------------------------------

    def ingest(
        self, statements: Sequence[Statement], on_progress: Callable[[int], None] | None = None
    ) -> IngestReport:
        """Store new and changed statements; unchanged ones (same content hash) are skipped."""
        return self._ingester.ingest(statements, on_progress)

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
        total = self.store.count()
        # Past the end there is nothing to read (and Chroma fails on offsets beyond int64).
        infos = self.store.list_statements(offset, limit) if offset < total else []
        return StatementPage(tuple(infos), total, offset, limit)

    def stats(self) -> StoreStats:
        return replace(
            self.catalog.stats(), vectors=self.embedder.name, encoder=self.encoder_description
        )

    @property
    def encoder_description(self) -> str:
        """Encoder, precision and device of the embedding model (for stats and /readyz)."""
        if isinstance(self.embedder, SentenceTransformerEmbedder):
            return self.embedder.describe
        return type(self.embedder).__name__

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
        question = self._question_text(question)
        filters = filters or Filters()
        _check_encodable(filters.speaker, "filters.speaker")
        k = self.settings.default_k if k is None else k
        if not 1 <= k <= self.settings.max_k:
            raise InputError(f"k must be between 1 and {self.settings.max_k}", field="k")
        if filters.since and filters.until and filters.since > filters.until:
            raise InputError("'since' is after 'until'", field="filters.since")
        return Query(question, k, filters)

    def _question_text(
        self, question: str, field: str = "question", what: str = "the question"
    ) -> str:
        """The question, stripped, if it is one that may be asked (checked before any work
        is done on it: reading a long text costs far more than its length)."""
        question = question.strip()
        if not question:
            raise InputError(f"{what} is empty", field=field, hint="ask something")
        _check_encodable(question, field)
        if len(question) > MAX_QUESTION_CHARS:
            raise InputError(
                f"{what} is {len(question)} characters; the limit is {MAX_QUESTION_CHARS}",
                field=field,
            )
        tokens = len(self._tokenizer.encode_ordinary(question))
        if tokens > self.settings.max_question_tokens:
            raise InputError(
                f"{what} is {tokens} tokens; the limit is "
                f"{self.settings.max_question_tokens} tokens",
                field=field,
                hint="ask a shorter question (RAG_MAX_QUESTION_TOKENS sets the limit)",
            )
        return question

    def conversation_query(
        self, questions: Sequence[str], k: int | None = None, filters: Filters | None = None
    ) -> Query:
        """The query a conversation asks: its last question, made standalone by the ones
        before it ("and what about DRC?" after a question about what Ruto said on Haiti): by
        the LLM when there is one, else (or when its rewrite is unusable) by the rules.

        Only the last CONTEXT_QUESTIONS earlier questions are read, and only those that
        could have been asked (within the question limits): a conversation may hold hundreds
        of messages, and reading one costs milliseconds (20,000 took 42 s)."""
        if not questions or not questions[-1].strip():
            raise InputError(
                "the conversation has no question: its last user message is missing or empty",
                field="messages",
                hint="end the messages with a user message that asks something",
            )
        last = self._question_text(questions[-1], "messages", "the last user message")
        earlier = [q.strip() for q in questions[:-1] if self._askable(q)][-CONTEXT_QUESTIONS:]
        if self._rewriter is not None and earlier:
            rewritten = self._rewriter.rewrite([*earlier, last.strip()])
            if rewritten is not None:
                try:
                    return self.query(rewritten, k, filters)
                except InputError as exc:
                    log.warning("the LLM's rewrite %r is no question: %s", rewritten, exc)
        aliases, today = self.catalog.speakers().aliases(), dt.date.today()
        question = standalone([*earlier, last], lambda text: interpret(text, aliases, today))
        return self.query(question, k, filters)

    def _askable(self, question: str) -> bool:
        try:
            self._question_text(question)
        except InputError:
            return False
        return True

    def search(self, query: Query) -> SearchResult:
        return self._retriever.search(query, dt.date.today())

    def ask(self, query: Query) -> Answer:
        """A checked, cited answer; in timeline shape when the question asks how something
        evolved; or an honest decline."""
        started = time.perf_counter()
        return self.answer(self.retrieve(query), started)

    def retrieve(self, query: Query) -> SearchResult:
        """The search an answer to `query` rests on: a wider one when it asks for a timeline.

        `ask` is `retrieve` then `answer`; a caller that shows the passages before the
        answer (a stream) calls the two itself."""
        result = self.search(query)
        if result.interpreted is not None and result.interpreted.timeline:
            return self._timeline_search(query)
        return result

    def answer(
        self,
        result: SearchResult,
        started: float | None = None,
        on_draft: DraftListener | None = None,
    ) -> Answer:
        """The answer from a retrieval made by `retrieve`. `on_draft` sees the LLM's drafts
        as they are written (unchecked: the answer returned replaces them)."""
        started = time.perf_counter() if started is None else started
        if result.interpreted is not None and result.interpreted.timeline:
            return self._timeline(result, started)

        def asked(question: Question, relevant: Sequence[ScoredPassage]) -> Outcome:
            return self._asker.answer(question, relevant, on_draft)

        outcome = self._answer(result.query, result, asked)
        return finish(result, outcome, self.catalog.republished, started)

    def timeline(self, query: Query, started: float | None = None) -> Answer:
        """The relevant statements in date order, one cited line each."""
        started = time.perf_counter() if started is None else started
        return self._timeline(self._timeline_search(query), started)

    def _timeline_search(self, query: Query) -> SearchResult:
        return self.search(replace(query, k=max(query.k, TIMELINE_PASSAGES)))

    def _timeline(self, result: SearchResult, started: float) -> Answer:
        def by_date(question: Question, relevant: Sequence[ScoredPassage]) -> Outcome:
            lines = pick_lines(question, relevant)
            return Outcome.once(self._asker.check(as_draft(lines, TIMELINE), question, relevant))

        outcome = self._answer(result.query, result, by_date)
        answer = finish(result, outcome, self.catalog.republished, started)
        question = self._question(result, result.passages)
        return replace(answer, timeline=entries(answer.citations, question, result.passages))

    def _answer(
        self,
        query: Query,
        result: SearchResult,
        answer: Callable[[Question, Sequence[ScoredPassage]], Outcome],
    ) -> Outcome:
        relevant = tuple(p for p in result.passages if p.score >= self.settings.min_similarity)
        # Asked for someone's words (or a period's), answer from those that fit the reading.
        relevant = tuple(p for p in relevant if p.fits_reading) or relevant
        verdict = self._judge(query, result)
        if not result.passages:
            reason = self._why_nothing(query, result)
        elif not verdict.answerable:
            reason = verdict.reason
        else:
            return answer(self._question(result, relevant), relevant)
        question = self._question(result, relevant)
        return Outcome.once(
            self._asker.check(refusal(self.answerer.name, reason), question, relevant)
        )

    def _question(self, result: SearchResult, passages: Sequence[ScoredPassage]) -> Question:
        """The question with what retrieval read from it, and the quotations in reach."""
        spans = {(p.passage.statement_id, p.passage.start, p.passage.end) for p in passages}
        statement_ids = sorted({sid for sid, _, _ in spans})
        quotes = tuple(
            q
            for q in self.catalog.quotes_of(statement_ids)
            if any(s == q.statement_id and q.start < e and b < q.end for s, b, e in spans)
        )
        i = result.interpreted
        # Speakers the request's filter names count as asked about, like those the question names.
        speakers = tuple(dict.fromkeys((*(i.speakers if i else ()), *result.matched_speakers)))
        return Question(
            text=result.query.question,
            topic=i.topic if i else None,
            speakers=speakers,
            quotes=quotes,
        )

    def timeline_query(
        self,
        speaker: str | None,
        topic: str | None,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> Query:
        """A timeline request as a query: the topic searched within the speaker's statements."""
        speaker = speaker.strip() if speaker else None
        topic = topic.strip() if topic else None
        if not speaker and not topic:
            raise InputError(
                "a timeline needs a speaker or a topic",
                field="topic",
                hint="give speaker=Ruto, topic=Haiti, or both",
            )
        question = topic or f"What has {speaker} said?"
        filters = Filters(speaker=speaker, since=since, until=until)
        return self.query(question, min(TIMELINE_PASSAGES, self.settings.max_k), filters)

    def quotes(
        self,
        speaker: str | None = None,
        text: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        limit: int = 50,
    ) -> list[QuoteRecord]:
        """Direct quotations, by who said them (any form of their name), when, and about what."""
        if not 1 <= limit <= MAX_QUOTES:
            raise InputError(f"limit must be between 1 and {MAX_QUOTES}", field="limit")
        if since and until and since > until:
            raise InputError("'since' is after 'until'", field="since")
        _check_encodable(speaker, "speaker")
        _check_encodable(text, "text")
        names: list[str] | None = None
        if speaker and speaker.strip():
            entries_ = self.catalog.speakers().resolve(speaker)[:1]
            names = [n for e in entries_ for n in (e.canonical, *e.aliases)] or [speaker]
        return search_quotes(
            self.catalog.quotes(names), names, since, until, text, self.catalog.idf, limit
        )

    def _judge(self, query: Query, result: SearchResult) -> Verdict:
        i = result.interpreted
        if i is not None:
            focus = read_focus(query.question, i.topic, i.speakers)
        else:
            speakers = sorted({n for p in result.passages for n in p.passage.speakers})
            focus = read_focus(query.question, None, speakers)
        stems = [*focus.terms, *(s for thing in focus.named for s in thing.stems)]
        idf = self.catalog.idf(stems)
        return judge(
            result.passages,
            i,
            focus.terms,
            idf.__getitem__,
            lambda p: embedding_text(p.passage),
            self.settings.min_similarity,
            self.settings.min_topic_coverage,
            focus.named,
        )

    def _why_nothing(self, query: Query, result: SearchResult) -> str:
        f = query.filters
        if f.speaker and not result.matched_speakers:
            return f"No stored statement has a speaker matching {f.speaker!r}."
        if not f.is_empty():
            return "No statement matches the filters."
        return "No statements have been ingested yet."

    # ---- lifecycle --------------------------------------------------------------------

    @property
    def info(self) -> ServiceInfo:
        return ServiceInfo(
            self.answerer.name, getattr(self.answerer, "prompt_hash", None), self.embedder.name
        )

    def ping(self) -> None:
        """Raise when the store does not answer (a remote Chroma server may be down)."""
        self.store.ping()

    def follow_store(self) -> None:
        """Keep the search index in step with what other processes write, from a thread
        (a server: no request waits for the store to be read)."""
        self.catalog.follow(self.settings.sync_interval_seconds)

    def stop_following(self) -> None:
        self.catalog.stop_following()

    def warm_up(self) -> None:
        """Load the model and the search index, so the first question is not slow; the
        model loads on a thread meanwhile."""
        if isinstance(self.embedder, SentenceTransformerEmbedder):
            self.embedder.load_in_background()
        self.store.ping()
        self.catalog.stats()  # loads the search index
        self.embedder.embed(["warm up"])
