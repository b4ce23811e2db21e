"""From a search result to an answer that can be trusted: gate, answer, verify, check, source.

1. The decline gate (rag.relevance) decides whether the passages can answer at all.
2. The answerer drafts an answer; `citations.verify` keeps only citations whose quote
   is exactly where it says in a retrieved passage.
3. Each sentence of the answer is checked against what it cites (rag.answering.claims):
   numbers, names and dates it states must be there, and its words must be. Too little
   supported: the LLM is asked once more with the failures spelled out; still too
   little: the extractive answer is given instead, and the answer says so.
4. Unsupported sentences are removed; the answer states the dates of the statements it
   rests on and lists them as sources, with their republished copies.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from rag.answering import Answerer, Question, refusal
from rag.answering.citations import Verified, renumber, verify
from rag.answering.claims import ClaimCheck, check_claims, describe, prune
from rag.catalog import Catalog
from rag.embedding import embedding_text
from rag.types import (
    Answer,
    Citation,
    ClaimResult,
    Draft,
    Republication,
    ScoredPassage,
    SearchResult,
    Source,
)

MIN_SUPPORTED = 0.5
"""Share of an answer's sentences that must be supported before it is passed on."""
FALLBACK = "extractive"


@dataclass(frozen=True, slots=True)
class Checked:
    draft: Draft
    verified: Verified
    claims: tuple[ClaimCheck, ...]

    @property
    def acceptable(self) -> bool:
        if not self.draft.answerable:
            return True
        if not self.verified.citations:
            return False
        supported = sum(1 for c in self.claims if c.supported)
        return supported >= MIN_SUPPORTED * max(len(self.claims), 1)

    def problems(self) -> list[str]:
        found = [
            f"citation [{r.marker}] to {r.passage_id}: {r.reason.replace('_', ' ')}"
            for r in self.verified.rejected
        ]
        found += describe(self.claims)
        return found or ["no citation could be verified"]


class Asker:
    def __init__(self, catalog: Catalog, answerer: Answerer, fallback: Answerer) -> None:
        self._catalog = catalog
        self._answerer = answerer
        self._fallback = fallback

    def answer(
        self, question: Question, relevant: Sequence[ScoredPassage]
    ) -> tuple[Checked, str | None]:
        """The checked draft, and the fallback used if the first answerer failed twice."""
        checked = self.check(self._answerer.answer(question, relevant), question, relevant)
        if checked.acceptable or self._answerer is self._fallback:
            return checked, None
        retry = self._answerer.answer_again(question, relevant, checked.problems())
        checked = self.check(retry, question, relevant)
        if checked.acceptable:
            return checked, None
        fallback = self._fallback.answer(question, relevant)
        return self.check(fallback, question, relevant), FALLBACK

    def check(self, draft: Draft, question: Question, relevant: Sequence[ScoredPassage]) -> Checked:
        """Verify the draft's citations, then each of its sentences against what it cites."""
        statements = sorted({p.passage.statement_id for p in relevant})
        stored = self._catalog.store.get_many(statements) if draft.citations else {}
        verified = verify(draft, relevant, stored)
        if not draft.answerable:
            return Checked(draft, verified, ())
        by_id = {p.passage.id: p.passage for p in relevant}
        # The header (title, speaker, date) is part of what a passage says.
        cited = {c.marker: embedding_text(by_id[c.passage_id]) for c in verified.citations}
        claims = check_claims(verified.text, cited, question=question.text)
        return Checked(draft, verified, claims)


def finish(
    result: SearchResult,
    checked: Checked,
    fallback: str | None,
    republished: Callable[[str], tuple[Republication, ...]],
    started: float,
) -> Answer:
    """Prune unsupported sentences, attach support to citations, add sources and dates."""
    draft, verified = checked.draft, checked.verified
    text, citations = verified.text, verified.citations
    if draft.answerable and checked.claims:
        text, citations = renumber(prune(text, checked.claims), citations)
    answerable = draft.answerable and bool(citations)
    support = _support(checked.claims)
    citations = tuple(replace(c, support=support.get(c.marker)) for c in citations)
    sources = _sources(citations, republished) if answerable else ()
    if answerable:
        text = f"{text}\n\n{_as_of(sources)}"
    elif draft.answerable:
        text = refusal(draft.answerer, UNVERIFIED).text
    return Answer(
        question=result.query.question,
        text=text,
        answerable=answerable,
        citations=citations if answerable else (),
        rejected_citations=verified.rejected,
        answerer=draft.answerer,
        prompt_hash=draft.prompt_hash,
        passages=result.passages,
        retrieval_seconds=result.seconds,
        seconds=time.perf_counter() - started,
        interpreted=result.interpreted,
        checks=tuple(
            ClaimResult(c.text, c.markers, c.support, c.supported, c.missing, c.reason)
            for c in checked.claims
        ),
        sources=sources,
        fallback=fallback,
    )


UNVERIFIED = "The answer drafted could not be verified against them, so it is withheld."


def _support(claims: Sequence[ClaimCheck]) -> dict[int, float]:
    best: dict[int, float] = {}
    for claim in claims:
        for marker in claim.markers:
            best[marker] = max(best.get(marker, 0.0), claim.support)
    return best


def _sources(
    citations: Sequence[Citation], republished: Callable[[str], tuple[Republication, ...]]
) -> tuple[Source, ...]:
    seen: dict[str, Source] = {}
    for c in citations:
        if c.statement_id not in seen:
            seen[c.statement_id] = Source(
                statement_id=c.statement_id,
                title=c.title,
                speakers=c.statement_speakers,
                date=c.date,
                source_url=c.source_url,
                also_published_at=republished(c.statement_id),
            )
    return tuple(seen.values())


def _as_of(sources: Sequence[Source]) -> str:
    dates = sorted(s.date for s in sources if s.date)
    undated = sum(1 for s in sources if not s.date)
    extra = f" (and {undated} undated)" if undated and dates else ""
    if not dates:
        return "Based on undated statements." if undated > 1 else "Based on an undated statement."
    if dates[0] == dates[-1] and len(sources) - undated == 1:
        return f"Based on a statement from {dates[0]}{extra}."
    return f"Based on statements from {dates[0]} to {dates[-1]}{extra}."
