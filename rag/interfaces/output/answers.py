"""Response models for answers: citations with their support, checks, sources, timelines,
and quotations. Pydantic only; they translate the domain objects in rag.types."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from rag.interfaces.output.records import InterpretedOut
from rag.types import (
    Answer,
    Citation,
    ClaimResult,
    QuoteRecord,
    RejectedCitation,
    Republication,
    Source,
    TimelineEntry,
)


class CitationOut(BaseModel):
    marker: int = Field(description="The [n] in the answer text.")
    statement_id: str
    passage_id: str
    title: str | None
    speaker: str | None
    speakers: list[str] = Field(description="Who speaks in the cited passage.")
    date: str | None
    source_url: str | None
    start: int = Field(description="Character offset in the statement text.")
    end: int
    quote: str = Field(description="Exactly statement.text[start:end].")
    page: int | None = Field(
        None, description="The page the quote begins on, for statements read from a PDF."
    )
    support: float | None = Field(
        description="How well the cited passage supports the sentences citing it (0..1)."
    )

    @classmethod
    def of(cls, c: Citation) -> CitationOut:
        return cls(
            marker=c.marker,
            statement_id=c.statement_id,
            passage_id=c.passage_id,
            title=c.title,
            speaker=c.speaker,
            speakers=list(c.speakers),
            date=c.date,
            source_url=c.source_url,
            start=c.start,
            end=c.end,
            quote=c.quote,
            page=c.page,
            support=None if c.support is None else round(c.support, 3),
        )


class RejectedCitationOut(BaseModel):
    marker: int
    passage_id: str
    quote: str
    reason: Literal[
        "passage_not_retrieved", "quote_too_short", "quote_not_in_passage", "offsets_mismatch"
    ]

    @classmethod
    def of(cls, r: RejectedCitation) -> RejectedCitationOut:
        return cls(marker=r.marker, passage_id=r.passage_id, quote=r.quote, reason=r.reason)


class AnswerOut(BaseModel):
    question: str
    answer: str
    answerable: bool
    citations: list[CitationOut]
    rejected_citations: list[RejectedCitationOut] = Field(
        description="Citations the answerer proposed that failed verification; never in the answer."
    )
    answerer: str
    prompt_hash: str | None
    interpreted: InterpretedOut | None
    answer_checks: list[ClaimCheckOut] = Field(
        description="Each sentence of the answer checked against what it cites."
    )
    sources: list[SourceOut] = Field(description="The statements cited, once each.")
    as_of: AsOfOut = Field(description="Dates of the earliest and latest statement cited.")
    first_answer_checks: list[ClaimCheckOut] = Field(
        description="The checks of the answerer's first draft: why it was not passed on, when "
        "it was retried or replaced (the same as answer_checks otherwise)."
    )
    fallback: Literal["extractive"] | None = Field(
        description="Set when the extractive answer was given instead of the LLM's: its answer "
        "failed the checks, or the LLM failed (then `degraded` is true)."
    )
    degraded: bool = Field(
        description="The LLM failed (timed out, errors after retries, circuit breaker open, "
        "malformed reply), so this is the extractive answer."
    )
    degraded_reason: str | None = Field(description="What failed, when `degraded`.")
    timeline: list[TimelineEntryOut] = Field(
        description="For questions about how something evolved: one entry per statement."
    )
    attempts: int = Field(
        description="Drafts asked of the answerer: 2 when it was told what failed and asked again."
    )
    reply_format: Literal["json_schema", "lenient"] | None = Field(
        default=None,
        description="How the LLM's reply was asked for: `json_schema` (response_format with the "
        "reply's JSON schema) or `lenient` (the endpoint turned the schema down; the JSON was "
        "read from free text). Null without an LLM reply.",
    )
    retrieval_seconds: float
    seconds: float

    @classmethod
    def of(cls, a: Answer) -> AnswerOut:
        return cls(
            question=a.question,
            answer=a.text,
            answerable=a.answerable,
            citations=[CitationOut.of(c) for c in a.citations],
            rejected_citations=[RejectedCitationOut.of(r) for r in a.rejected_citations],
            answerer=a.answerer,
            prompt_hash=a.prompt_hash,
            interpreted=InterpretedOut.of(a.interpreted),
            answer_checks=[ClaimCheckOut.of(c) for c in a.checks],
            sources=[SourceOut.of(s) for s in a.sources],
            as_of=AsOfOut(first=a.as_of[0], last=a.as_of[1]),
            first_answer_checks=[ClaimCheckOut.of(c) for c in a.first_checks],
            fallback="extractive" if a.fallback else None,
            degraded=a.degraded,
            degraded_reason=a.degraded_reason,
            timeline=[TimelineEntryOut.of(e) for e in a.timeline],
            attempts=a.attempts,
            reply_format=a.reply_format,  # type: ignore[arg-type]
            retrieval_seconds=round(a.retrieval_seconds, 4),
            seconds=round(a.seconds, 4),
        )


class ClaimCheckOut(BaseModel):
    text: str
    markers: list[int]
    support: float
    supported: bool
    missing: list[str] = Field(description="Numbers, names or dates no cited passage contains.")
    reason: str

    @classmethod
    def of(cls, c: ClaimResult) -> ClaimCheckOut:
        return cls(
            text=c.text,
            markers=list(c.markers),
            support=round(c.support, 3),
            supported=c.supported,
            missing=list(c.missing),
            reason=c.reason,
        )


class RepublicationOut(BaseModel):
    statement_id: str
    date: str | None
    source_url: str | None

    @classmethod
    def of(cls, r: Republication) -> RepublicationOut:
        return cls(statement_id=r.statement_id, date=r.date, source_url=r.source_url)


class SourceOut(BaseModel):
    statement_id: str
    title: str | None
    speakers: list[str]
    date: str | None
    source_url: str | None
    also_published_at: list[RepublicationOut] = Field(
        description="Other copies of the same statement (same text, small edits)."
    )

    @classmethod
    def of(cls, s: Source) -> SourceOut:
        return cls(
            statement_id=s.statement_id,
            title=s.title,
            speakers=list(s.speakers),
            date=s.date,
            source_url=s.source_url,
            also_published_at=[RepublicationOut.of(r) for r in s.also_published_at],
        )


class AsOfOut(BaseModel):
    first: str | None
    last: str | None


class TimelineEntryOut(BaseModel):
    date: str | None
    statement_id: str
    title: str | None
    speakers: list[str]
    verbatim: bool = Field(description="The cited line is the speaker's own words.")
    citation: CitationOut

    @classmethod
    def of(cls, e: TimelineEntry) -> TimelineEntryOut:
        return cls(
            date=e.date,
            statement_id=e.statement_id,
            title=e.title,
            speakers=list(e.speakers),
            verbatim=e.verbatim,
            citation=CitationOut.of(e.citation),
        )


class QuoteOut(BaseModel):
    statement_id: str
    speaker: str | None
    date: str | None
    title: str | None
    source_url: str | None
    start: int = Field(description="Offset of the quoted words in the statement text.")
    end: int
    text: str = Field(description="Exactly statement.text[start:end].")
    cue: str = Field(description="How the speaker was found, e.g. 'said-after' or 'turn'.")

    @classmethod
    def of(cls, q: QuoteRecord) -> QuoteOut:
        return cls(
            statement_id=q.statement_id,
            speaker=q.speaker,
            date=q.date,
            title=q.title,
            source_url=q.source_url,
            start=q.start,
            end=q.end,
            text=q.text,
            cue=q.cue,
        )


class QuotesOut(BaseModel):
    quotes: list[QuoteOut]
    total: int
