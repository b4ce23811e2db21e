"""Question -> ranked passages: hybrid (dense + BM25, fused by reciprocal rank), aware of
who is speaking and when.

Filters come from the request (explicit: always applied) and from the question
itself (a speaker or a period it names). A filter read from the question is
relaxed when nothing passes it, and the result says so. Ranking spreads the
top passages over statements so that one long speech cannot fill every slot.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from rag.embedding.embedder import QueryVectors
from rag.index.catalog import Catalog
from rag.index.search_index import PassageIndex, RowFilter
from rag.ingest.near_duplicates import DuplicateGroup
from rag.people import SpeakerIndex
from rag.question.dates import DateMention
from rag.question.understanding import interpret
from rag.types import Interpreted, Query, ScoredPassage, SearchResult

RRF_K = 60
CANDIDATES = 100
PER_STATEMENT = 2
# How far a date the question names is widened: statements are dated when
# published, often a day or more after the call or meeting they report.
_WIDEN_BEFORE = {"day": 1, "month": 0}
_WIDEN_AFTER = {"day": 3, "month": 3}


@dataclass(frozen=True, slots=True)
class RetrievalConfig:
    understand: bool = True
    """Read speakers and dates from the question (off: explicit filters only)."""
    keyword: bool = True
    """Fuse BM25 with dense search (off: dense only)."""
    per_statement: int = PER_STATEMENT


def widened(mentions: Sequence[DateMention]) -> tuple[dt.date | None, dt.date | None]:
    """The period the question names, widened for publication lag."""
    since: dt.date | None = None
    until: dt.date | None = None
    for m in mentions:
        before = dt.timedelta(days=_WIDEN_BEFORE.get(m.precision, 0))
        after = dt.timedelta(days=_WIDEN_AFTER.get(m.precision, 0))
        if m.since is not None:
            start = m.since - before
            since = start if since is None else min(since, start)
        if m.until is not None:
            end = m.until + after
            until = end if until is None else max(until, end)
    return since, until


@dataclass(frozen=True, slots=True)
class _Attempt:
    filter: RowFilter
    relaxed: tuple[str, ...]


def _attempts(
    base: RowFilter,
    people: tuple[frozenset[str], ...],
    period: tuple[dt.date | None, dt.date | None] | None,
) -> list[_Attempt]:
    """Filters to try, strictest first. Explicit filters (`base`) always hold. What the
    question names is loosened step by step when nothing passes: all the people it names
    to any of them, then its period, then its people."""
    anyone = (frozenset().union(*people),) if len(people) > 1 else None
    attempts: list[_Attempt] = []

    def attempt(speakers: tuple[frozenset[str], ...] | None, dated: bool, *relaxed: str) -> None:
        row_filter = replace(base, speakers=speakers or base.speakers)
        if dated and period:
            row_filter = replace(row_filter, since=period[0], until=period[1])
        attempts.append(_Attempt(row_filter, relaxed))

    attempt(people, True)
    if anyone:
        attempt(anyone, True, "all speakers")
    if period:
        attempt(people, False, "dates")
        if anyone:
            attempt(anyone, False, "dates", "all speakers")
    if people:
        attempt(None, False, *(("dates",) if period else ()), "speakers")
    return attempts


def _people(speakers: SpeakerIndex, names: Sequence[str]) -> tuple[frozenset[str], ...]:
    """For each name, the forms of it stored on statements and passages."""
    people = []
    for name in names:
        for entry in speakers.resolve(name)[:1]:
            people.append(frozenset(speakers.variants(entry)))
    return tuple(people)


class Retriever:
    def __init__(self, catalog: Catalog, queries: QueryVectors, config: RetrievalConfig) -> None:
        self._catalog = catalog
        self._queries = queries
        self._config = config

    def search(self, query: Query, today: dt.date) -> SearchResult:
        started = time.perf_counter()
        speakers = self._catalog.speakers()
        f = query.filters
        explicit = tuple(e.canonical for e in speakers.resolve(f.speaker)[:1]) if f.speaker else ()
        meaning = None
        if self._config.understand:
            meaning = interpret(query.question, speakers.aliases(), today)
        named = (
            tuple(dict.fromkeys(m.names[0] for m in meaning.speakers if m.names)) if meaning else ()
        )
        period = widened(meaning.dates) if meaning else (None, None)

        def result(passages: Sequence[ScoredPassage], attempt: _Attempt | None) -> SearchResult:
            applied = attempt.filter if attempt else RowFilter()
            people = frozenset().union(*applied.speakers) if applied.speakers else frozenset()
            interpreted = None
            if meaning is not None:
                interpreted = Interpreted(
                    speakers=named,
                    since=meaning.since,
                    until=meaning.until,
                    topic=meaning.topic,
                    timeline=meaning.timeline,
                    applied_speakers=(explicit or named) if applied.speakers else (),
                    applied_since=applied.since,
                    applied_until=applied.until,
                    relaxed=attempt.relaxed if attempt else (),
                )
            seconds = time.perf_counter() - started
            return SearchResult(query, tuple(passages), tuple(sorted(people)), seconds, interpreted)

        if f.speaker and not explicit:  # an explicit filter that matches nobody: nothing
            return result((), None)
        base = RowFilter(
            speakers=_people(speakers, explicit) if explicit else None,
            since=f.since,
            until=f.until,
            statement_ids=frozenset(f.statement_ids) if f.statement_ids else None,
        )
        attempts = _attempts(
            base,
            _people(speakers, named) if not explicit else (),
            period if period != (None, None) and not (f.since or f.until) else None,
        )
        vector = self._queries.vector(query.question)
        copies = self._catalog.duplicates()
        with self._catalog.reading() as index:
            chosen = next(((a, m) for a in attempts if (m := index.mask(a.filter)).any()), None)
            if chosen is None:
                return result((), None)
            attempt, mask = chosen
            passages = self._rank(index, query, vector, mask, period, copies)
            return result(passages, attempt)

    def _rank(
        self,
        index: PassageIndex,
        query: Query,
        vector: np.ndarray,
        mask: np.ndarray,
        period: tuple[dt.date | None, dt.date | None],
        copies: Mapping[str, DuplicateGroup],
    ) -> list[ScoredPassage]:
        fused: dict[int, float] = {}
        for rank, hit in enumerate(index.dense(vector, mask, CANDIDATES)):
            fused[hit.row] = fused.get(hit.row, 0.0) + 1.0 / (RRF_K + rank + 1)
        if self._config.keyword:
            for rank, hit in enumerate(index.keyword(query.question, mask, CANDIDATES)):
                fused[hit.row] = fused.get(hit.row, 0.0) + 1.0 / (RRF_K + rank + 1)
        rows = sorted(fused, key=lambda r: -fused[r])
        if period != (None, None):  # prefer the period asked about, when it was relaxed
            distance = dict(zip(rows, index.date_distance(rows, *period), strict=True))
            rows.sort(key=lambda r: -fused[r] / (1 + distance[r] / 365))
        chosen = _spread(index, rows, query.k, self._config.per_statement, copies)
        sims = index.similarities(vector, chosen)
        return [
            ScoredPassage(index.passage(r), float(s), fused[r])
            for r, s in zip(chosen, sims, strict=True)
        ]


def _spread(
    index: PassageIndex,
    rows: Sequence[int],
    k: int,
    per_statement: int,
    copies: Mapping[str, DuplicateGroup],
) -> list[int]:
    """Top rows, at most `per_statement` from one statement unless there is nothing else;
    of a statement published more than once, only the copy that ranks first."""
    chosen: list[int] = []
    taken: dict[str, int] = {}
    spill: list[int] = []
    shown: dict[str, str] = {}  # group -> the copy shown
    for row in rows:
        sid = index.passage(row).statement_id
        group = copies[sid].canonical if sid in copies else sid
        if shown.setdefault(group, sid) != sid:
            continue
        if taken.get(sid, 0) < per_statement:
            chosen.append(row)
            taken[sid] = taken.get(sid, 0) + 1
            if len(chosen) == k:
                return chosen
        else:
            spill.append(row)
    return chosen + spill[: k - len(chosen)]
