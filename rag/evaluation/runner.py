"""Runs a suite: ingest its corpus into a store of its own (cached), ask every case, measure."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rag.answering.asking import answer_body
from rag.answering.checks import cited_text
from rag.answering.claims import ClaimCheck, check_claims
from rag.embedding.embedder import Embedder
from rag.errors import InputError, NotFoundError
from rag.evaluation.metrics import RANK_CUTOFF, CaseResult, compute
from rag.evaluation.reading import check_reading
from rag.evaluation.suite import EvalCase, Suite
from rag.ingest import load_paths
from rag.ingest.pipeline import content_hash
from rag.service import Service
from rag.settings import Settings
from rag.types import Answer, IngestReport, ScoredPassage, Statement
from rag.wiring import build_embedder, build_service

# Passages fetched to rank statements for hit@10 / MRR@10.
_RANKING_PASSAGES = 60
# A retrieved passage covers a gold quote when it overlaps at least this share of the shorter.
COVERAGE = 0.5


@dataclass(frozen=True, slots=True)
class EvalRun:
    suite: str
    suite_sha256: str
    corpus: tuple[str, ...]
    corpus_sha256: str
    answerer: str
    prompt_hash: str | None
    k: int
    retrieval: str
    embedding_model: str
    chunking: str
    ingest: IngestReport
    started_at: str
    seconds: float
    metrics: dict[str, float | None]
    rows: tuple[CaseResult, ...]


def corpus_fingerprint(statements: Sequence[Statement], settings: Settings, vectors: str) -> str:
    """Changes when any statement of the corpus or the way it is indexed changes; `vectors`
    names the model and encoder that embed it."""
    index = f"{vectors}|{settings.chunk_max_tokens}|{settings.chunk_overlap_tokens}"
    digest = hashlib.sha256()
    for statement in sorted(statements, key=lambda s: s.id):
        digest.update(content_hash(statement, index).encode())
    return digest.hexdigest()


def _quote_spans(case: EvalCase, corpus: Mapping[str, Statement]) -> list[tuple[str, int, int]]:
    """Where each gold quote sits: (statement id, start, end) in the first gold statement."""
    spans = []
    for quote in case.gold_quotes:
        for sid in case.gold_doc_ids:
            statement = corpus.get(sid)
            at = statement.text.find(quote) if statement else -1
            if at >= 0:
                spans.append((sid, at, at + len(quote)))
                break
        else:
            raise InputError(
                f"case {case.id}: gold quote not found in its gold statements: {quote[:60]!r}"
            )
    return spans


def _covered(span: tuple[str, int, int], passages: Sequence[ScoredPassage]) -> bool:
    sid, start, end = span
    for scored in passages:
        p = scored.passage
        if p.statement_id != sid:
            continue
        overlap = min(end, p.end) - max(start, p.start)
        if overlap > 0 and overlap >= COVERAGE * min(end - start, p.end - p.start):
            return True
    return False


def _ranked_statements(passages: Sequence[ScoredPassage]) -> tuple[str, ...]:
    ranked: list[str] = []
    for scored in passages:
        if scored.passage.statement_id not in ranked:
            ranked.append(scored.passage.statement_id)
    return tuple(ranked[:RANK_CUTOFF])


def _citation_failures(service: Service, answer: Answer) -> int:
    """An independent re-check of every returned citation against the stored text."""
    retrieved = {p.passage.id for p in answer.passages}
    failures = 0
    for c in answer.citations:
        try:
            text = service.get_statement(c.statement_id).text
        except NotFoundError:
            failures += 1
            continue
        if text[c.start : c.end] != c.quote or c.passage_id not in retrieved:
            failures += 1
    return failures


def run_case(
    service: Service, case: EvalCase, k: int, corpus: Mapping[str, Statement]
) -> CaseResult:
    query = service.query(case.question, k, case.filters)
    ranking = service.search(replace(query, k=max(_RANKING_PASSAGES, k)))
    ranked = _ranked_statements(ranking.passages)
    gold_rank = next((i for i, sid in enumerate(ranked, start=1) if sid in case.gold_doc_ids), None)
    answer = service.ask(query)
    spans = _quote_spans(case, corpus)
    text = answer.text.lower()
    shown = _recheck_claims(answer)
    return CaseResult(
        id=case.id,
        question=case.question,
        answerable=case.answerable,
        gold_doc_ids=case.gold_doc_ids,
        ranked_statement_ids=ranked,
        gold_rank=gold_rank,
        gold_quotes_covered=sum(1 for span in spans if _covered(span, answer.passages)),
        gold_quotes_total=len(spans),
        predicted_answerable=answer.answerable,
        answer=answer.text,
        cited_statement_ids=tuple(dict.fromkeys(c.statement_id for c in answer.citations)),
        citations_checked=len(answer.citations),
        citations_failing_check=_citation_failures(service, answer),
        citations_dropped=len(answer.rejected_citations),
        must_include_found=sum(1 for s in case.must_include if s in text),
        must_include_total=len(case.must_include),
        retrieval_seconds=answer.retrieval_seconds,
        answer_seconds=answer.seconds,
        claims_first=len(answer.first_checks),
        claims_first_unsupported=sum(1 for c in answer.first_checks if not c.supported),
        claims_shown=len(shown),
        claims_shown_supported=sum(1 for c in shown if c.supported),
        attempts=answer.attempts,
        fallback=answer.fallback is not None,
        reading=(
            check_reading(service, case.reading, answer, case.answerable) if case.reading else None
        ),
    )


def _recheck_claims(answer: Answer) -> tuple[ClaimCheck, ...]:
    """The sentences of the answer as shown, checked afresh against the passages it cites
    (the closing as-of line and a fallback note are not claims)."""
    if not answer.answerable:
        return ()
    body = answer_body(answer)
    by_id = {p.passage.id: p.passage for p in answer.passages}
    cited = {c.marker: cited_text(by_id[c.passage_id]) for c in answer.citations}
    return check_claims(body, cited, question=answer.question)


def run_suite(
    suite: Suite,
    corpus_paths: Sequence[Path],
    settings: Settings,
    k: int | None = None,
    embedder: Embedder | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> EvalRun:
    """`settings` choose the answerer; the store is a cache dir keyed by the corpus."""
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    progress = on_progress or (lambda _stage, _done, _total: None)
    statements = load_paths(corpus_paths, settings.file_read_limits)
    embedder = embedder or build_embedder(settings)  # the store is new or made by it
    fingerprint = corpus_fingerprint(statements, settings, embedder.name)
    store_dir = settings.cache_dir / "eval-stores" / fingerprint[:16]
    settings = settings.model_copy(update={"data_dir": store_dir, "chroma_url": None})
    service = build_service(settings, embedder=embedder)
    ingest = service.ingest(statements, lambda n: progress("ingest", n, len(statements)))
    corpus = {s.id: s for s in statements}
    missing = {sid for case in suite.cases for sid in case.gold_doc_ids} - corpus.keys()
    if missing:
        raise InputError(
            f"suite {suite.name}: gold_doc_ids not in the corpus: {sorted(missing)[:5]}",
            hint="pass the corpus files the suite was built for with --corpus",
        )
    k = k or settings.default_k
    info = service.info
    rows = []
    for case in suite.cases:
        rows.append(run_case(service, case, k, corpus))
        progress("ask", 1, len(suite.cases))
    return EvalRun(
        suite=suite.name,
        suite_sha256=suite.sha256,
        corpus=tuple(str(p) for p in corpus_paths),
        corpus_sha256=fingerprint,
        answerer=info.answerer,
        prompt_hash=info.prompt_hash,
        k=k,
        retrieval=f"hybrid={settings.hybrid} understand_questions={settings.understand_questions}",
        embedding_model=info.embedding_model,
        chunking=f"{settings.chunk_max_tokens}/{settings.chunk_overlap_tokens} tokens",
        ingest=ingest,
        started_at=started_at,
        seconds=time.perf_counter() - started,
        metrics=compute(rows),
        rows=tuple(rows),
    )
