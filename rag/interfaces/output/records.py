"""The output schema the HTTP API, the CLI's --json and the MCP tools share: statements,
passages, search results, speakers, store stats and errors.

Pydantic only: these translate the domain objects in rag.types into JSON.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from rag.people import SpeakerEntry
from rag.types import (
    IngestReport,
    Interpreted,
    Passage,
    ScoredPassage,
    SearchResult,
    StatementInfo,
    StoredStatement,
    StoreStats,
)


class PassageOut(BaseModel):
    passage_id: str
    statement_id: str
    title: str | None
    speaker: str | None
    speakers: list[str] = Field(description="Who speaks in this passage.")
    date: str | None
    source_url: str | None
    start: int = Field(description="Offset of the passage in the statement text.")
    end: int
    page: int | None = Field(
        None, description="The page the passage begins on, for statements read from a PDF."
    )
    text: str
    score: float = Field(description="Cosine similarity of the passage to the question.")
    rank_score: float = Field(description="What the ranking sorted on (fused ranks); descending.")

    @classmethod
    def of(cls, scored: ScoredPassage) -> PassageOut:
        p: Passage = scored.passage
        return cls(
            passage_id=p.id,
            statement_id=p.statement_id,
            title=p.title,
            speaker=p.speaker,
            speakers=list(p.speakers),
            date=p.date.text if p.date else None,
            source_url=p.source_url,
            start=p.start,
            end=p.end,
            page=p.page,
            text=p.text,
            score=round(scored.score, 4),
            rank_score=round(scored.rank_score, 6),
        )


class ReadingOut(BaseModel):
    """One thing read from the question about who speaks or when."""

    kind: str = Field(description="speaker, country, office, period, event_year or topic_person.")
    text: str = Field(description="As written in the question.")
    value: str = Field(description="What it was taken to mean (a name, a country, a period).")
    confidence: float = Field(description="Its share of the corpus's evidence (0..1).")
    applied: bool = Field(
        description="Whether the search ranked passages that match it higher (it never "
        "excludes the others)."
    )


class InterpretedOut(BaseModel):
    """How the question was read. What is read only ranks matching passages higher; the
    request's own filters (`applied_*`) are the only ones that exclude passages."""

    speakers: list[str] = Field(description="People whose words the search favoured.")
    countries: list[str] = Field(description="Countries whose statements the search favoured.")
    since: dt.date | None = Field(description="Start of the period of statements favoured.")
    until: dt.date | None
    topic: str
    timeline: bool = Field(description="The question asks how something evolved over time.")
    applied_speakers: list[str] = Field(description="The request's speaker filter, resolved.")
    applied_since: dt.date | None
    applied_until: dt.date | None
    readings: list[ReadingOut] = Field(
        description="Everything read about who and when, with confidence and whether applied."
    )

    @classmethod
    def of(cls, i: Interpreted | None) -> InterpretedOut | None:
        if i is None:
            return None
        return cls(
            speakers=list(i.speakers),
            countries=list(i.countries),
            since=i.since,
            until=i.until,
            topic=i.topic,
            timeline=i.timeline,
            applied_speakers=list(i.applied_speakers),
            applied_since=i.applied_since,
            applied_until=i.applied_until,
            readings=[
                ReadingOut(
                    kind=r.kind,
                    text=r.text,
                    value=r.value,
                    confidence=r.confidence,
                    applied=r.applied,
                )
                for r in i.readings
            ],
        )


class SearchOut(BaseModel):
    question: str
    k: int
    matched_speakers: list[str]
    interpreted: InterpretedOut | None
    passages: list[PassageOut]
    seconds: float

    @classmethod
    def of(cls, result: SearchResult) -> SearchOut:
        return cls(
            question=result.query.question,
            k=result.query.k,
            matched_speakers=list(result.matched_speakers),
            interpreted=InterpretedOut.of(result.interpreted),
            passages=[PassageOut.of(p) for p in result.passages],
            seconds=round(result.seconds, 4),
        )


class IngestOut(BaseModel):
    statements: int
    added: int
    updated: int
    unchanged: int
    passages: int
    seconds: float

    @classmethod
    def of(cls, r: IngestReport) -> IngestOut:
        return cls(
            statements=r.statements,
            added=r.added,
            updated=r.updated,
            unchanged=r.unchanged,
            passages=r.passages,
            seconds=round(r.seconds, 3),
        )


class StatementInfoOut(BaseModel):
    id: str
    title: str | None
    speaker: str | None
    speakers: list[str]
    date: str | None
    source_url: str | None
    content_hash: str
    passage_count: int
    metadata: dict[str, Any]

    @classmethod
    def of(cls, i: StatementInfo) -> StatementInfoOut:
        return cls(
            id=i.id,
            title=i.title,
            speaker=i.speaker,
            speakers=list(i.speakers),
            date=i.date.text if i.date else None,
            source_url=i.source_url,
            content_hash=i.content_hash,
            passage_count=i.passage_count,
            metadata=dict(i.metadata),
        )


class StatementOut(StatementInfoOut):
    text: str

    @classmethod
    def of_stored(cls, s: StoredStatement) -> StatementOut:
        return cls(**StatementInfoOut.of(s.info).model_dump(), text=s.text)


class StatementListOut(BaseModel):
    statements: list[StatementInfoOut]
    total: int
    offset: int
    limit: int


class StatsOut(BaseModel):
    """What the store holds; not where it is (a path or URL tells a reader too much)."""

    statements: int
    passages: int
    speakers: int
    first_date: str | None
    last_date: str | None
    vectors: str = Field(description="The model and encoder that made the store's vectors.")
    encoder: str = Field(description='How they run here, e.g. "openvino-int8 on cpu".')
    changes_applied: int = Field(
        description="The last change log entry this server's index has applied; servers that "
        "have caught up with the store show the same number."
    )

    @classmethod
    def of(cls, s: StoreStats) -> StatsOut:
        return cls(
            statements=s.statements,
            passages=s.passages,
            speakers=s.speakers,
            first_date=s.first_date,
            last_date=s.last_date,
            vectors=s.vectors,
            encoder=s.encoder,
            changes_applied=s.changes_applied,
        )


class SpeakerOut(BaseModel):
    canonical: str
    aliases: list[str]
    statements: int = Field(description="Statements naming this person as a speaker.")
    passages: int = Field(description="Passages attributed to this person.")

    @classmethod
    def of(cls, e: SpeakerEntry) -> SpeakerOut:
        return cls(
            canonical=e.canonical,
            aliases=list(e.aliases),
            statements=e.statements,
            passages=e.passages,
        )


class SpeakersOut(BaseModel):
    speakers: list[SpeakerOut]
    total: int


class ErrorOut(BaseModel):
    error: str = Field(description="A machine-readable kind, such as 'invalid_input'.")
    message: str
    field: str | None = None
    hint: str | None = None
