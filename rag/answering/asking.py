"""From a search result to an answer that can be trusted: gate, answer, verify, check, source.

1. The decline gate (rag.retrieval.relevance) decides whether the passages can answer at all.
2. The answerer drafts an answer; `citations.verify` keeps only citations whose quote
   is exactly where it says in a retrieved passage.
3. Each sentence of the answer is checked against what it cites (rag.answering.claims):
   numbers, names and dates it states must be there, and its words must be. Too little
   supported: the LLM is asked once more with the failures spelled out; still too
   little: the extractive answer is given instead, and the answer says so.
   The output guard (rag.answering.leaks) runs with the claim checks: a draft that repeats
   the system prompt, says what an instruction inside a statement asked for, or holds a
   link is not passed on, whatever its citations.
4. Unsupported sentences are removed; the answer states the dates of the statements it
   rests on and lists them as sources, with their republished copies.

When the LLM fails (after its retries, with its circuit breaker open, or with a reply that
is not the JSON asked for), the extractive answer is given instead and the answer is marked
degraded, with the reason; with `degrade=False` (RAG_LLM_ON_FAILURE=error) the LLMError
propagates (HTTP 502).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from rag.answering import Answerer, Question, TextListener, recount
from rag.answering.checks import check_answer
from rag.answering.citations import Verified, renumber, verify
from rag.answering.claims import ClaimCheck, describe, prune
from rag.answering.leaks import screen
from rag.errors import LLMError
from rag.index.corpus import Corpus
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

log = logging.getLogger(__name__)

MIN_SUPPORTED = 0.5
"""Share of an answer's sentences that must be supported before it is passed on."""
FALLBACK = "extractive"
FALLBACK_NOTE = "The answer drafted did not hold up against the statements it cited, twice"
"""Opens an answer whose drafts both failed the checks, before why and what the statements say."""
PARTIAL_NOTE = "Only what could be verified against the statements is shown"
"""Closes an answer that kept the verified sentences of a draft that failed the checks."""
MAX_REASONS = 2
DEGRADED_NOTE = (
    "(The language model could not give an answer just now, so these are the statements' own "
    "sentences instead.)"
)
UNVERIFIED = (
    "The statements don't say: the answer drafted could not be verified against them, "
    "so it is withheld."
)


DraftListener = Callable[[int, str], None]
"""Takes (attempt, text): the answerer's draft as its model writes it, piece by piece,
unchecked; attempt 2 is the draft asked for again after attempt 1 failed its checks."""


@dataclass(frozen=True, slots=True)
class Checked:
    draft: Draft
    verified: Verified
    claims: tuple[ClaimCheck, ...]
    blocked: tuple[str, ...] = ()
    """Why the output guard withholds the whole draft (rag.answering.leaks)."""

    @property
    def acceptable(self) -> bool:
        if self.blocked:
            return False
        if not self.draft.answerable:
            return True
        if not self.verified.citations:
            return False
        supported = sum(1 for c in self.claims if c.supported)
        return supported >= MIN_SUPPORTED * max(len(self.claims), 1)

    @property
    def supported(self) -> int:
        return sum(1 for c in self.claims if c.supported) if self.verified.citations else 0

    def problems(self) -> list[str]:
        found = [
            f"citation [{r.marker}] to {r.passage_id}: {r.reason.replace('_', ' ')}"
            for r in self.verified.rejected
        ]
        found += describe(self.claims)
        return found or ["no citation could be verified"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What answering came to: the draft passed on, and how it got there."""

    checked: Checked
    first: Checked
    """The first draft's checks (the same as `checked` when it was accepted)."""
    attempts: int = 1
    """Drafts the answerer was asked for (2 when it was told what failed and asked again)."""
    fallback: str | None = None
    degraded: str | None = None
    """Why the LLM gave no draft to check, when it failed and the fallback answered."""
    unverified: tuple[str, ...] = ()
    """Why the drafts were not passed on whole, when both failed the checks: said in the answer."""
    partial: bool = False
    """The verified sentences of a draft that failed the checks are what is shown."""

    @classmethod
    def once(cls, checked: Checked) -> Outcome:
        return cls(checked, checked)


class Asker:
    def __init__(
        self, catalog: Corpus, answerer: Answerer, fallback: Answerer, *, degrade: bool = True
    ) -> None:
        self._catalog = catalog
        self._answerer = answerer
        self._fallback = fallback
        self._degrade = degrade

    def answer(
        self,
        question: Question,
        relevant: Sequence[ScoredPassage],
        on_draft: DraftListener | None = None,
    ) -> Outcome:
        """Draft, check; if too little holds, once more with the failures spelled out; if
        still too little, the fallback answerer's draft. If the answerer fails, the fallback's
        draft, marked degraded (unless degrading is off: then the LLMError propagates).
        `on_draft` sees each draft as it is written (only an answerer that writes over time,
        the LLM, has such drafts)."""
        try:
            draft = self._answerer.answer(question, relevant, _attempt(on_draft, 1))
            first = self.check(draft, question, relevant)
        except LLMError as exc:
            if not self._degrade:
                raise
            return self._degraded(question, relevant, exc, None)
        if first.acceptable or self._answerer.name == self._fallback.name:
            # The fallback's own draft: asking it again, or falling back to it, would build the
            # same answer and blame a model that never ran.
            return Outcome.once(first)
        try:
            retry = self._answerer.answer_again(
                question, relevant, first.problems(), _attempt(on_draft, 2)
            )
        except LLMError as exc:
            if not self._degrade:
                raise
            return self._degraded(question, relevant, exc, first)
        second = self.check(retry, question, relevant)
        if second.acceptable:
            return Outcome(second, first, attempts=2)
        # Twice not enough holds. Say so, and show what could be verified: the supported
        # sentences of the better draft, else the statements' own sentences.
        better = max((second, first), key=lambda c: c.supported)
        why = _why(second)
        if better.supported and not better.blocked and better.draft.answerable:
            return Outcome(better, first, attempts=2, unverified=why, partial=True)
        fallback = self.check(self._fallback.answer(question, relevant), question, relevant)
        return Outcome(fallback, first, attempts=2, fallback=FALLBACK, unverified=why)

    def _degraded(
        self,
        question: Question,
        relevant: Sequence[ScoredPassage],
        failure: LLMError,
        first: Checked | None,
    ) -> Outcome:
        log.warning("answering without the LLM: %s", failure)
        fallback = self.check(self._fallback.answer(question, relevant), question, relevant)
        return Outcome(
            fallback,
            first or fallback,
            attempts=1 if first is None else 2,
            fallback=FALLBACK,
            degraded=failure.message,
        )

    def check(self, draft: Draft, question: Question, relevant: Sequence[ScoredPassage]) -> Checked:
        """Verify the draft's citations, then each of its sentences against what it cites."""
        statements = sorted({p.passage.statement_id for p in relevant})
        stored = self._catalog.store.get_many(statements) if draft.citations else {}
        verified = verify(draft, relevant, stored)
        passages = [p.passage for p in relevant]
        instructions = self._answerer.instructions
        if not draft.answerable:
            refused = screen(draft.text, (), (), passages, instructions)
            return Checked(draft, verified, refused.claims, refused.blocked)
        screened = check_answer(
            verified.text,
            verified.citations,
            passages,
            question=question.text,
            quotes=question.quotes,
            instructions=instructions,
        )
        return Checked(draft, verified, screened.claims, screened.blocked)


def _attempt(on_draft: DraftListener | None, attempt: int) -> TextListener | None:
    if on_draft is None:
        return None
    return lambda text: on_draft(attempt, text)


def finish(
    result: SearchResult,
    outcome: Outcome,
    republished: Callable[[str], tuple[Republication, ...]],
    started: float,
) -> Answer:
    """Prune unsupported sentences, attach support to citations, add sources and dates."""
    checked, fallback = outcome.checked, outcome.fallback
    draft, verified = checked.draft, checked.verified
    text, citations = verified.text, verified.citations
    if draft.answerable and checked.claims:
        text, citations = renumber(prune(text, checked.claims), citations)
        text = recount(text, len({c.statement_id for c in citations}))
    answerable = draft.answerable and bool(citations)
    support = _support(checked.claims)
    citations = tuple(replace(c, support=support.get(c.marker)) for c in citations)
    sources = _sources(citations, republished) if answerable else ()
    if answerable:
        text = f"{_noted(text, outcome)}\n\n{as_of_line(sources)}"
    elif draft.answerable:
        text = UNVERIFIED
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
        checks=_results(checked.claims),
        first_checks=_results(outcome.first.claims),
        attempts=outcome.attempts,
        sources=sources,
        fallback=fallback,
        degraded_reason=outcome.degraded,
        reply_format=draft.reply_format or outcome.first.draft.reply_format,
    )


def _why(checked: Checked) -> tuple[str, ...]:
    """The first reasons a draft failed, for the reader, without repeating what the draft made
    up ("states 5,000 which ..." becomes "states a number, date or name ...")."""
    reasons = [*checked.blocked, *(_general(c.reason) for c in checked.claims if not c.supported)]
    reasons += [f"citation {r.reason.replace('_', ' ')}" for r in checked.verified.rejected]
    return tuple(dict.fromkeys(reasons))[:MAX_REASONS] or ("no citation could be verified",)


def _general(reason: str) -> str:
    if reason.startswith("states "):
        return "it states a number, date or name that the cited passages do not contain"
    if reason.startswith("puts in quotation marks"):
        return "it puts in quotation marks words the cited passage does not contain"
    return reason


def _noted(text: str, outcome: Outcome) -> str:
    """The answer's text with what the reader must know about how it came about."""
    if outcome.degraded:
        return f"{text}\n\n{DEGRADED_NOTE}"
    why = "; ".join(outcome.unverified)
    if outcome.fallback:
        return f"{FALLBACK_NOTE} ({why}). What the statements say:\n\n{text}"
    if outcome.partial:
        return f"{text}\n\n({PARTIAL_NOTE}; the rest of the answer drafted did not hold up: {why}.)"
    return text


def answer_body(answer: Answer) -> str:
    """The sentences of an answer as shown, without the notes and the closing as-of line."""
    body = answer.text.removesuffix(f"\n\n{as_of_line(answer.sources)}")
    body = body.removesuffix(f"\n\n{DEGRADED_NOTE}")
    if body.startswith(FALLBACK_NOTE):
        body = body.split("\n\n", 1)[-1]
    note = body.rfind(f"\n\n({PARTIAL_NOTE}")
    return body[:note] if note >= 0 else body


def _results(claims: Sequence[ClaimCheck]) -> tuple[ClaimResult, ...]:
    return tuple(
        ClaimResult(c.text, c.markers, c.support, c.supported, c.missing, c.reason) for c in claims
    )


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


def as_of_line(sources: Sequence[Source]) -> str:
    """ "Based on statements from A to B.": the dates an answer rests on, in words."""
    dates = sorted(s.date for s in sources if s.date)
    undated = sum(1 for s in sources if not s.date)
    extra = f" (and {undated} undated)" if undated and dates else ""
    if not dates:
        return "Based on undated statements." if undated > 1 else "Based on an undated statement."
    if dates[0] == dates[-1] and len(sources) - undated == 1:
        return f"Based on a statement from {dates[0]}{extra}."
    return f"Based on statements from {dates[0]} to {dates[-1]}{extra}."
