"""Question -> ranked passages: hybrid (dense + BM25, fused by reciprocal rank), aware of
who is speaking and when.

Filters the request sets (a speaker, dates, statement ids) are hard: nothing else is
searched. What the question itself says about who and when ("What did Trump say ...",
"Kenya's president ... in 2022") is evidence, not a wall: the ranking within the passages
that match the reading is fused with the ranking of all of them, so matching passages rise
and the others stay in reach when the reading is wrong. Each passage says whether it fits
the reading, for the decline gate. Ranking spreads the top passages over statements so that
one long speech cannot fill every slot.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rag.embedding.embedder import QueryVectors
from rag.index.catalog import Catalog
from rag.index.search_index import PassageIndex, RowFilter
from rag.ingest.near_duplicates import DuplicateGroup
from rag.people import Roster, SpeakerIndex
from rag.question.dates import DateMention
from rag.question.understanding import Interpretation, interpret, with_topic
from rag.question.who import (
    MIN_CONFIDENCE,
    Resolved,
    applied_countries,
    applied_parties,
    applied_people,
    resolve,
    topic_people,
)
from rag.types import Filters, Interpreted, Query, Reading, ScoredPassage, SearchResult

RRF_K = 60
TOPIC_RANK_K = 10
"""How fast the weight of a passage falls with its rank, when counting who speaks in the
passages that best match a question (rank 10 counts half as much as rank 0)."""
CANDIDATES = 100
PER_STATEMENT = 2
FIT_SHARE = 2
"""How many times `per_statement` a statement that fits the reading may fill."""
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
    min_confidence: float = MIN_CONFIDENCE
    """How sure a reading of who speaks must be to be favoured (rag.question.who)."""


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
class _Reading:
    """What the search favours: people (each a set of stored name forms), countries, a
    period. Empty when nothing was read or nothing was sure enough."""

    people: tuple[frozenset[str], ...] = ()
    countries: frozenset[str] = frozenset()
    since: dt.date | None = None
    until: dt.date | None = None
    parties: tuple[str, ...] = ()
    """Names of the other party of a call, which a statement of it writes ("Bahrain")."""
    exact: tuple[dt.date | None, dt.date | None] = (None, None)
    """The period as written, before widening for publication lag."""

    @property
    def who(self) -> bool:
        return bool(self.people or self.countries or self.parties)

    @property
    def when(self) -> bool:
        return self.since is not None or self.until is not None


def _forms(speakers: SpeakerIndex, canonical: str) -> frozenset[str]:
    entry = speakers.entry(canonical)
    return frozenset(speakers.variants(entry)) if entry else frozenset()


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
        roster = self._catalog.roster()
        speakers = roster.speakers
        f = query.filters
        explicit = tuple(e.canonical for e in speakers.resolve(f.speaker)[:1]) if f.speaker else ()
        meaning = None
        if self._config.understand:
            meaning = interpret(query.question, speakers.aliases(), today, roster.years)
        resolved: tuple[Resolved, ...] = ()
        reading = _Reading()

        def result(passages: Sequence[ScoredPassage], matched: frozenset[str]) -> SearchResult:
            interpreted = None
            if meaning is not None:
                interpreted = _interpreted(
                    meaning, resolved, reading, roster, explicit, f.since, f.until
                )
            seconds = time.perf_counter() - started
            return SearchResult(
                query, tuple(passages), tuple(sorted(matched)), seconds, interpreted
            )

        if f.speaker and not explicit:  # an explicit filter that matches nobody: nothing
            return result((), frozenset())
        base = RowFilter(
            speakers=_people(speakers, explicit) if explicit else None,
            since=f.since,
            until=f.until,
            statement_ids=frozenset(f.statement_ids) if f.statement_ids else None,
        )
        matched = frozenset().union(*base.speakers) if base.speakers else frozenset()
        vector = self._queries.vector(query.question)
        copies = self._catalog.duplicates()
        with self._catalog.reading() as index:
            mask = index.mask(base)
            if not mask.any():
                return result((), matched)
            dense = index.dense_scores(vector)
            keyword = index.keyword_scores(query.question) if self._config.keyword else None
            found = _fuse(index, [mask], dense, keyword)
            if meaning is not None:
                # Who a name means, weighed with who speaks of what the question is about.
                on_topic = _on_topic(index, roster, meaning.topic, mask)
                resolved = resolve(
                    meaning,
                    roster,
                    meaning.since,
                    meaning.until,
                    self._config.min_confidence,
                    on_topic,
                )
                applied = {r.text for r in resolved if r.applied}
                meaning = with_topic(  # who could not be resolved is what it asks about
                    meaning,
                    [w for w in meaning.who if w.role == "speaker" and w.text not in applied],
                )
                reading = self._reading(meaning, resolved, speakers, explicit, f)
            passages = self._rank(index, query, dense, keyword, mask, found, reading, copies)
            return result(passages, matched)

    def _reading(
        self,
        meaning: Interpretation,
        resolved: Sequence[Resolved],
        speakers: SpeakerIndex,
        explicit: tuple[str, ...],
        f: Filters,
    ) -> _Reading:
        """What the search favours: the readings applied; the request's filters win."""
        since, until = widened(meaning.dates) if not (f.since or f.until) else (None, None)
        people = () if explicit else applied_people(resolved)
        return _Reading(
            tuple(forms for n in people if (forms := _forms(speakers, n))),
            frozenset(applied_countries(resolved)),
            since,
            until,
            applied_parties(resolved),
            (meaning.since, meaning.until) if since or until else (None, None),
        )

    def _rank(
        self,
        index: PassageIndex,
        query: Query,
        dense: NDArray[np.float32],
        keyword: NDArray[np.float32] | None,
        mask: NDArray[np.bool_],
        fused: dict[int, float],
        reading: _Reading,
        copies: Mapping[str, DuplicateGroup],
    ) -> list[ScoredPassage]:
        """`fused` (the ranking of every passage the request's filters allow) fused with the
        rankings of those that fit the reading."""
        fits = mask
        rankings = []
        if reading.who or reading.when:
            who = _who_mask(index, reading) if reading.who else mask
            when = index.date_mask(reading.since, reading.until) if reading.when else mask
            fits = mask & who & when
            rankings.append(fits)
            if reading.who and reading.when:  # partly right readings still count
                rankings += [mask & who, mask & when]
            if len(reading.people) > 1:  # both parties of a call rank above either
                fits = fits & index.mask(RowFilter(speakers=reading.people))
                rankings.append(fits)
            if reading.when and reading.exact != (reading.since, reading.until):
                rankings.append(fits & index.date_mask(*reading.exact))  # the very day first
        for row, score in _fuse(index, rankings, dense, keyword).items():
            fused[row] = fused.get(row, 0.0) + score
        rows = sorted(fused, key=lambda r: -fused[r])
        fitting = fits if (reading.who or reading.when) else None
        chosen = _spread(index, rows, query.k, self._config.per_statement, copies, fitting)
        sims = dense[np.asarray(chosen, dtype=np.int64)]
        return [
            ScoredPassage(index.passage(r), float(s), fused[r], bool(fits[r]))
            for r, s in zip(chosen, sims, strict=True)
        ]


def _fuse(
    index: PassageIndex,
    rankings: Sequence[NDArray[np.bool_]],
    dense: NDArray[np.float32],
    keyword: NDArray[np.float32] | None,
) -> dict[int, float]:
    """Reciprocal-rank fusion of the dense and keyword rankings within each mask."""
    fused: dict[int, float] = {}
    for ranked in rankings:
        if not ranked.any():
            continue
        lists = [index.top(dense, ranked, CANDIDATES)]
        if keyword is not None:
            lists.append(index.top(keyword, ranked, CANDIDATES, positive=True))
        for hits in lists:
            for rank, hit in enumerate(hits):
                fused[hit.row] = fused.get(hit.row, 0.0) + 1.0 / (RRF_K + rank + 1)
    return fused


def _on_topic(
    index: PassageIndex, roster: Roster, topic: str, mask: NDArray[np.bool_]
) -> dict[str, float]:
    """How much each person speaks in the passages that best match the question's topic
    (its words without the names and dates: BM25), the first ones counting most."""
    if not topic:
        return {}
    hits = index.top(index.keyword_scores(topic), mask, CANDIDATES, positive=True)
    weights: dict[str, float] = {}
    for rank, row in enumerate(hit.row for hit in hits):
        for name in {roster.speakers.canonical(raw) for raw in index.passage(row).speakers}:
            if name:
                weights[name] = weights.get(name, 0.0) + TOPIC_RANK_K / (TOPIC_RANK_K + rank)
    return weights


def _who_mask(index: PassageIndex, reading: _Reading) -> NDArray[np.bool_]:
    """Rows spoken by any person read, or from statements of any country read; of those,
    the ones that name the other party of the call asked about."""
    found = np.zeros(index.rows, dtype=bool)
    if reading.people:
        found |= index.mask(RowFilter(anyone=reading.people))
    if reading.countries:
        found |= index.mask(RowFilter(countries=reading.countries))
    if reading.parties:
        named = np.zeros(index.rows, dtype=bool)
        for name in reading.parties:
            named |= index.keyword_scores(name) > 0
        found = found & named if reading.people or reading.countries else named
    return found


def _interpreted(
    meaning: Interpretation,
    resolved: Sequence[Resolved],
    reading: _Reading,
    roster: Roster,
    explicit: tuple[str, ...],
    since: dt.date | None,
    until: dt.date | None,
) -> Interpreted:
    readings: list[Reading] = [
        Reading(r.kind, r.text, r.value, r.confidence, r.applied and not explicit) for r in resolved
    ]
    readings += [
        Reading("period", d.text, _iso(d.since, d.until), 1.0, reading.when) for d in meaning.dates
    ]
    readings += [
        Reading("event_year", d.text, str(d.since.year) if d.since else d.text, 1.0, False)
        for d in meaning.event_years
    ]
    about = topic_people(meaning, roster)
    readings += [Reading("topic_person", p.name, p.name, 1.0, False) for p in about]
    favoured = () if explicit else applied_people(resolved)
    precisions = {d.precision for d in meaning.dates}
    return Interpreted(
        speakers=favoured,
        since=meaning.since if reading.when else None,
        until=meaning.until if reading.when else None,
        topic=meaning.topic,
        timeline=meaning.timeline,
        applied_speakers=explicit,
        applied_since=since,
        applied_until=until,
        countries=tuple(r.value for r in resolved if r.applied and r.kind == "country"),
        parties=reading.parties,
        topic_people=tuple(p.name for p in about),
        topic_people_words=tuple(p.words for p in about),
        readings=tuple(readings),
        period_precision=precisions.pop() if len(precisions) == 1 else None,
    )


def _iso(since: dt.date | None, until: dt.date | None) -> str:
    return f"{since.isoformat() if since else ''}..{until.isoformat() if until else ''}"


def _spread(
    index: PassageIndex,
    rows: Sequence[int],
    k: int,
    per_statement: int,
    copies: Mapping[str, DuplicateGroup],
    fitting: NDArray[np.bool_] | None = None,
) -> list[int]:
    """Top rows, at most `per_statement` from one statement unless there is nothing else
    (twice as many of a statement that fits the reading: the speech asked about holds more
    of the answer than one passage elsewhere); of a statement published more than once,
    only the copy that ranks first."""
    chosen: list[int] = []
    taken: dict[str, int] = {}
    spill: list[int] = []
    shown: dict[str, str] = {}  # group -> the copy shown
    for row in rows:
        sid = index.passage(row).statement_id
        group = copies[sid].canonical if sid in copies else sid
        if shown.setdefault(group, sid) != sid:
            continue
        cap = per_statement * (FIT_SHARE if fitting is not None and fitting[row] else 1)
        if taken.get(sid, 0) < cap:
            chosen.append(row)
            taken[sid] = taken.get(sid, 0) + 1
            if len(chosen) == k:
                return chosen
        else:
            spill.append(row)
    return chosen + spill[: k - len(chosen)]
