"""Frozen domain objects: the typed chain from a statement to a cited answer.

Statement -> Passage -> ScoredPassage -> Draft (what an answerer proposes)
-> Answer (what the service verified and returns).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

Scalar = str | int | float | bool


def page_at(page_starts: Sequence[int], offset: int) -> int | None:
    """The page (from 1) that the character at `offset` is on, given where pages begin."""
    return max(1, bisect_right(page_starts, offset)) if page_starts else None


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A statement's date, which may be a day or only a year.

    `first` and `last` are the earliest and latest day the date can mean, so a
    year-only date ("2023") still takes part in `since`/`until` filtering.
    """

    text: str
    first: dt.date
    last: dt.date

    @classmethod
    def parse(cls, value: str | int | dt.date) -> DateSpan:
        """Parse an ISO date (2023-10-03), a year (2023) or a datetime string."""
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return cls(value.isoformat(), value, value)
        text = str(value).strip()
        if len(text) == 4 and text.isdigit():
            year = int(text)
            return cls(text, dt.date(year, 1, 1), dt.date(year, 12, 31))
        day = (
            dt.date.fromisoformat(text)
            if len(text) <= 10
            else dt.datetime.fromisoformat(text).date()
        )
        return cls(day.isoformat(), day, day)

    def overlaps(self, since: dt.date | None, until: dt.date | None) -> bool:
        return (since is None or self.last >= since) and (until is None or self.first <= until)


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement as ingested: its full text and what is known about it."""

    id: str
    text: str
    title: str | None = None
    speaker: str | None = None
    date: DateSpan | None = None
    source_url: str | None = None
    metadata: dict[str, Scalar] = field(default_factory=dict)
    origin: str = ""
    """Where the record came from ("file.jsonl:12"), for error messages only."""
    speakers: tuple[str, ...] = ()
    """Everyone the statement is by or between, found at ingest (metadata, title, turns)."""
    page_starts: tuple[int, ...] = ()
    """Offsets into `text` where each page begins (from a PDF): page n starts at
    `page_starts[n - 1]`. Empty for statements without pages."""


@dataclass(frozen=True, slots=True)
class StatementInfo:
    """A stored statement's metadata, without its text."""

    id: str
    title: str | None
    speaker: str | None
    date: DateSpan | None
    source_url: str | None
    content_hash: str
    passage_count: int
    metadata: dict[str, Scalar] = field(default_factory=dict)
    speakers: tuple[str, ...] = ()
    """Everyone the statement is by or between: metadata, title, transcript turns."""
    quotes: tuple[QuoteRecord, ...] = ()
    """Direct quotations in the statement, with who said them."""
    fingerprint: str | None = None
    """MinHash signature of the text, to find republished copies."""
    page_starts: tuple[int, ...] = ()
    """Offsets into the text where each page begins (a PDF's); empty without pages."""
    offices: tuple[tuple[str, str], ...] = ()
    """(office, name) its title gives: ("national security advisor", "Jake Sullivan")."""


@dataclass(frozen=True, slots=True)
class StoredStatement:
    info: StatementInfo
    text: str


@dataclass(frozen=True, slots=True)
class Passage:
    """A span of a statement: `statement.text[start:end] == text`."""

    id: str
    statement_id: str
    index: int
    start: int
    end: int
    text: str
    title: str | None = None
    speaker: str | None = None
    date: DateSpan | None = None
    source_url: str | None = None
    speakers: tuple[str, ...] = ()
    """Who speaks in this passage: the statement's speakers, or for a transcript its turns'."""
    page: int | None = None
    """The page the passage begins on (statements read from a PDF), from 1."""
    instructions: tuple[tuple[int, int], ...] = ()
    """(start, end) in `text` of the sentences that read as instructions to a model
    (rag.text.instructions), found at ingest: data that is never quoted or cited as fact."""

    def instruction_at(self, start: int, end: int) -> bool:
        """Whether `text[start:end]` overlaps a sentence flagged as an instruction."""
        return any(s < end and start < e for s, e in self.instructions)


def passage_id(statement_id: str, content_hash: str, index: int) -> str:
    """Passage ids carry the statement's content hash, so old and new versions never collide."""
    return f"{statement_id}#{content_hash[:12]}:{index}"


@dataclass(frozen=True, slots=True)
class Found:
    """A passage a search backend ranked: what fusing rankings and spreading them over
    statements needs, without its text (the `Passage` is built only for those kept)."""

    id: str
    statement_id: str
    speakers: tuple[str, ...]
    score: float
    """Dense search: cosine similarity to the question. Keyword search: the keyword score."""


@dataclass(frozen=True, slots=True)
class ScoredPassage:
    passage: Passage
    score: float
    """Cosine similarity to the question, in [-1, 1]; higher is closer."""
    rank_score: float = 0.0
    """What the ranking used (fused dense and keyword ranks, boosts); only order matters."""
    fits_reading: bool = True
    """Whether the passage is by whom and from when the question asks, as read from it
    (True when the reading names neither, or nothing read was sure enough to apply)."""


@dataclass(frozen=True, slots=True)
class Filters:
    speaker: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    statement_ids: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.speaker or self.since or self.until or self.statement_ids)


@dataclass(frozen=True, slots=True)
class Query:
    question: str
    k: int
    filters: Filters = Filters()


ReadingKind = Literal[
    "speaker", "country", "office", "party", "period", "event_year", "topic_person"
]


@dataclass(frozen=True, slots=True)
class Reading:
    """One thing read from a question about who speaks or when, and what the search did."""

    kind: ReadingKind
    text: str
    """As written in the question ("Trump", "the President", "in 2019")."""
    value: str
    """What it was taken to mean: a canonical name, a country, an office, an ISO period."""
    confidence: float
    """The share of the corpus's evidence for this meaning (1.0 for what is written out)."""
    applied: bool
    """Whether the search favoured passages that match it (it never excludes the others)."""


@dataclass(frozen=True, slots=True)
class Interpreted:
    """What the question was read to mean, and what the search did with it.

    What is read from the question only raises the rank of the passages that match it;
    only the request's own filters (`applied_*`) exclude passages."""

    speakers: tuple[str, ...]
    """People whose words the search favoured, read from the question (canonical names)."""
    since: dt.date | None
    until: dt.date | None
    """The period of statements the question names (favoured, not required)."""
    topic: str
    timeline: bool
    applied_speakers: tuple[str, ...]
    applied_since: dt.date | None
    applied_until: dt.date | None
    """The filters the request set: the only ones that exclude passages."""
    countries: tuple[str, ...] = ()
    """Countries whose statements the search favoured ("Japan", "United States")."""
    parties: tuple[str, ...] = ()
    """Countries named as the other party of a call or meeting ("with the King of Bahrain"):
    the search favoured statements that name them."""
    topic_people: tuple[str, ...] = ()
    """People the question is about, not asking the words of ("about Jimmy Carter")."""
    topic_people_words: tuple[tuple[str, ...], ...] = ()
    """For each of them, folded words any of which shows a passage speaks of them."""
    readings: tuple[Reading, ...] = ()
    """Everything read about who and when, applied or not, with its confidence."""
    period_precision: str | None = None
    """How the period was written: "day", "month", "year", "range" or "open"."""


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: Query
    passages: tuple[ScoredPassage, ...]
    matched_speakers: tuple[str, ...] = ()
    """Stored speaker names the speaker filter resolved to."""
    seconds: float = 0.0
    interpreted: Interpreted | None = None


@dataclass(frozen=True, slots=True)
class ProposedCitation:
    """What an answerer claims: this quote comes from this passage."""

    marker: int
    passage_id: str
    quote: str


@dataclass(frozen=True, slots=True)
class Draft:
    """An answerer's proposal, not yet verified.

    `text` refers to citations by markers `[n]` matching `ProposedCitation.marker`.
    """

    text: str
    citations: tuple[ProposedCitation, ...]
    answerable: bool
    answerer: str
    prompt_hash: str | None = None
    reply_format: str | None = None
    """How an LLM's reply was asked for: "json_schema" (the endpoint kept to the reply's
    schema) or "lenient" (it turned the schema down; the JSON was found in free text)."""


@dataclass(frozen=True, slots=True)
class Citation:
    """A verified citation: `quote` is exactly statement.text[start:end]."""

    marker: int
    statement_id: str
    passage_id: str
    start: int
    end: int
    quote: str
    title: str | None
    speaker: str | None
    date: str | None
    source_url: str | None
    speakers: tuple[str, ...] = ()
    """Who speaks in the cited passage."""
    statement_speakers: tuple[str, ...] = ()
    """Everyone the statement is by or between."""
    support: float | None = None
    """How well the passage supports the sentences citing it (0..1), when checked."""
    page: int | None = None
    """The page the quote begins on, for statements read from a PDF."""


RejectionReason = Literal[
    "passage_not_retrieved", "quote_too_short", "quote_not_in_passage", "offsets_mismatch"
]


@dataclass(frozen=True, slots=True)
class RejectedCitation:
    marker: int
    passage_id: str
    quote: str
    reason: RejectionReason


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    text: str
    answerable: bool
    citations: tuple[Citation, ...]
    rejected_citations: tuple[RejectedCitation, ...]
    answerer: str
    prompt_hash: str | None
    passages: tuple[ScoredPassage, ...]
    retrieval_seconds: float
    seconds: float
    interpreted: Interpreted | None = None
    checks: tuple[ClaimResult, ...] = ()
    """One per sentence of the answer: is it supported by what it cites?"""
    sources: tuple[Source, ...] = ()
    """The statements cited, once each, in order of first citation."""
    fallback: str | None = None
    """Set ("extractive") when the LLM's answer failed the checks, or the LLM failed (see
    `degraded_reason`), and the extractive answer was given instead."""
    timeline: tuple[TimelineEntry, ...] = ()
    """For questions about how something evolved: one entry per statement, by date."""
    first_checks: tuple[ClaimResult, ...] = ()
    """The checks of the answerer's first draft (before a retry or fallback)."""
    attempts: int = 1
    """Drafts asked of the answerer: 2 when it was told what failed and asked again."""
    degraded_reason: str | None = None
    """Why the LLM gave no answer (failed after retries, breaker open, malformed reply), when
    the extractive answer was given in its place."""
    reply_format: str | None = None
    """How the LLM's last reply was asked for ("json_schema" or "lenient"); None without one."""

    @property
    def degraded(self) -> bool:
        return self.degraded_reason is not None

    @property
    def as_of(self) -> tuple[str | None, str | None]:
        """The dates of the earliest and latest statements the answer rests on."""
        dates = sorted(s.date for s in self.sources if s.date)
        return (dates[0], dates[-1]) if dates else (None, None)


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """How one sentence of an answer fared against the citations it carries."""

    text: str
    markers: tuple[int, ...]
    support: float
    supported: bool
    missing: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Source:
    statement_id: str
    title: str | None
    speakers: tuple[str, ...]
    date: str | None
    source_url: str | None
    also_published_at: tuple[Republication, ...] = ()


@dataclass(frozen=True, slots=True)
class Republication:
    """Another copy of the same statement (same text, small edits), cited once as its group."""

    statement_id: str
    date: str | None
    source_url: str | None


@dataclass(frozen=True, slots=True)
class QuoteRecord:
    """A direct quotation in a statement and who said it; `text == statement.text[start:end]`."""

    statement_id: str
    start: int
    end: int
    text: str
    speaker: str | None
    cue: str
    date: str | None
    title: str | None
    source_url: str | None


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    date: str | None
    statement_id: str
    title: str | None
    speakers: tuple[str, ...]
    citation: Citation
    verbatim: bool
    """The cited line is the speaker's own words (a direct quotation, a speech or a turn of
    a transcript), not reported speech."""


@dataclass(frozen=True, slots=True)
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    passages: int = 0
    seconds: float = 0.0

    @property
    def statements(self) -> int:
        return self.added + self.updated + self.unchanged


@dataclass(frozen=True, slots=True)
class StoreStats:
    statements: int
    passages: int
    speakers: int
    first_date: str | None
    last_date: str | None
    location: str
    vectors: str = ""
    """The model and encoder that embed (what the store records)."""
    encoder: str = ""
    """How they run here: encoder, precision, device (e.g. "openvino-int8 on cpu")."""
    changes_applied: int = 0
    """The last change log entry the search index has applied (replicas that caught up with
    the store agree on it)."""
