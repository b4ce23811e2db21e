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
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from rag.embedding.embedder import QueryVectors
from rag.index.corpus import Corpus
from rag.index.passage_search import PassageSearch
from rag.index.search_index import RowFilter
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
from rag.types import (
    Filters,
    Found,
    Interpreted,
    Query,
    Reading,
    ScoredPassage,
    SearchResult,
)

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


def placed_period(
    unplaced: Sequence[DateMention], people: Sequence[str], roster: Roster
) -> tuple[dt.date, dt.date] | None:
    """The latest year in which the people asked about (canonical names) spoke within a date
    written without a year ("in October": the latest October any of them spoke in), or None
    when there is no one to place it by or they never spoke in it."""
    if not people or roster.years is None:
        return None
    for mention in unplaced:
        if mention.since is None or mention.until is None:
            continue
        for year in range(mention.since.year, roster.years[0] - 1, -1):
            shift = year - mention.since.year
            try:
                since = mention.since.replace(year=year)
                until = mention.until.replace(year=mention.until.year + shift)
            except ValueError:  # 29 February in a common year
                continue
            if any(roster.spoke(name, since, until) for name in people):
                return since, until
    return None


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
    placed: tuple[dt.date, dt.date] | None = None
    """A date written without a year, placed in the latest year the people asked about
    spoke in it ("Biden ... in October": October 2024): ranked, never a filter, and not
    something the decline gate holds the passages to."""

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
    def __init__(self, catalog: Corpus, queries: QueryVectors, config: RetrievalConfig) -> None:
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
        with self._catalog.searching() as search:
            if not search.matches(base):
                return result((), matched)
            found = _fuse(search, [base], vector, query.question if self._config.keyword else None)
            if meaning is not None:
                # Who a name means, weighed with who speaks of what the question is about.
                on_topic = _on_topic(search, roster, meaning.topic, base)
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
                reading = self._reading(meaning, resolved, roster, explicit, f)
            passages = self._rank(search, query, vector, base, found, reading)
            return result(passages, matched)

    def _reading(
        self,
        meaning: Interpretation,
        resolved: Sequence[Resolved],
        roster: Roster,
        explicit: tuple[str, ...],
        f: Filters,
    ) -> _Reading:
        """What the search favours: the readings applied; the request's filters win."""
        since, until = widened(meaning.dates) if not (f.since or f.until) else (None, None)
        people = () if explicit else applied_people(resolved)
        placed = None
        if not (since or until or f.since or f.until):
            placed = placed_period(meaning.unplaced_dates, explicit or people, roster)
        return _Reading(
            tuple(forms for n in people if (forms := _forms(roster.speakers, n))),
            frozenset(applied_countries(resolved)),
            since,
            until,
            applied_parties(resolved),
            (meaning.since, meaning.until) if since or until else (None, None),
            placed,
        )

    def _rank(
        self,
        search: PassageSearch,
        query: Query,
        vector: NDArray[np.float32],
        base: RowFilter,
        fused: _Fused,
        reading: _Reading,
    ) -> list[ScoredPassage]:
        """`fused` (the ranking of every passage the request's filters allow) fused with the
        rankings of those that fit the reading."""
        rankings: list[RowFilter] = []
        fits: RowFilter | None = None
        if reading.who or reading.when:
            who = replace(
                base,
                anyone=reading.people or None,
                countries=reading.countries or None,
                naming=reading.parties or None,
            )
            fits = replace(who, since=reading.since, until=reading.until) if reading.when else who
            rankings.append(fits)
            if reading.who and reading.when:  # partly right readings still count
                rankings += [who, replace(base, since=reading.since, until=reading.until)]
            if len(reading.people) > 1:  # both parties of a call rank above either
                fits = replace(fits, speakers=reading.people)
                rankings.append(fits)
            if reading.when and reading.exact != (reading.since, reading.until):
                rankings.append(replace(fits, since=reading.exact[0], until=reading.exact[1]))
        if reading.placed is not None:  # a soft period: one more ranking, no `fits`
            rankings.append(
                replace(
                    base,
                    anyone=reading.people or None,
                    since=reading.placed[0],
                    until=reading.placed[1],
                )
            )
        question = query.question if self._config.keyword else None
        more = _fuse(search, rankings, vector, question)
        fused.add(more)
        # A fitting passage the answer keeps is among the best of `fits` by the same score
        # that brought it in (`fits` narrows every filter it is ranked within).
        fitting = more.by_filter.get(fits, frozenset()) if fits is not None else None
        ranked = sorted(fused.score, key=lambda p: -fused.score[p])
        candidates = [fused.found[p] for p in ranked]
        copies = search.copies(list(dict.fromkeys(c.statement_id for c in candidates)))
        chosen = _spread(candidates, query.k, self._config.per_statement, copies, fitting)
        ids = [c.id for c in chosen]
        unscored = [pid for pid in ids if pid not in fused.cosine]
        cosine = dict(fused.cosine)
        cosine.update(zip(unscored, search.similarities(vector, unscored), strict=True))
        return [
            ScoredPassage(p, cosine[p.id], fused.score[p.id], fitting is None or p.id in fitting)
            for p in search.passages(ids)
        ]


@dataclass(slots=True)
class _Fused:
    """Reciprocal-rank fusion of rankings: passage id -> fused score, the passages found,
    the exact cosine of those dense search found, and which were found within each filter."""

    score: dict[str, float]
    found: dict[str, Found]
    cosine: dict[str, float]
    by_filter: dict[RowFilter, frozenset[str]]

    def add(self, other: _Fused) -> None:
        for pid, score in other.score.items():
            self.score[pid] = self.score.get(pid, 0.0) + score
        self.found.update(other.found)
        self.cosine.update(other.cosine)
        self.by_filter.update(other.by_filter)


def _fuse(
    search: PassageSearch,
    filters: Sequence[RowFilter],
    vector: NDArray[np.float32],
    question: str | None,
) -> _Fused:
    """Reciprocal-rank fusion of the dense and keyword rankings within each filter (keyword
    ones only when `question` is given and the backend can rank words)."""
    fused = _Fused({}, {}, {}, {})
    for f in filters:
        if f in fused.by_filter or not search.matches(f):
            fused.by_filter.setdefault(f, frozenset())
            continue
        dense = search.dense(vector, f, CANDIDATES)
        fused.cosine.update((hit.id, hit.score) for hit in dense)
        lists: list[list[Found]] = [dense]
        if question is not None and search.keyword_search:
            lists.append(search.keyword(question, f, CANDIDATES))
        for hits in lists:
            for rank, hit in enumerate(hits):
                fused.found.setdefault(hit.id, hit)
                fused.score[hit.id] = fused.score.get(hit.id, 0.0) + 1.0 / (RRF_K + rank + 1)
        fused.by_filter[f] = frozenset(h.id for hits in lists for h in hits)
    return fused


def _on_topic(
    search: PassageSearch, roster: Roster, topic: str, base: RowFilter
) -> dict[str, float]:
    """How much each person speaks in the passages that best match the question's topic
    (its words without the names and dates: BM25), the first ones counting most."""
    if not topic or not search.keyword_search:
        return {}
    weights: dict[str, float] = {}
    for rank, hit in enumerate(search.keyword(topic, base, CANDIDATES)):
        for name in {roster.speakers.canonical(raw) for raw in hit.speakers}:
            if name:
                weights[name] = weights.get(name, 0.0) + TOPIC_RANK_K / (TOPIC_RANK_K + rank)
    return weights


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
        Reading("period", d.text, _unplaced_value(d, reading.placed), 1.0, False)
        for d in meaning.unplaced_dates
    ]
    readings += [
        Reading("event_year", d.text, _event_value(d), 1.0, False) for d in meaning.event_years
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


def _unplaced_value(mention: DateMention, placed: tuple[dt.date, dt.date] | None) -> str:
    """A date written without a year: the period it was placed in for ranking, else its
    days without a year ("--10-01..--10-31", ISO 8601's form for a date without a year)."""
    if placed is not None:
        return _iso(*placed)
    if mention.since is None or mention.until is None:
        return mention.text
    return f"--{mention.since:%m-%d}..--{mention.until:%m-%d}"


def _event_value(date: DateMention) -> str:
    """An event's year ("1994"), or its period when the question gives more ("the October 7,
    2023 attack": "2023-10-07..2023-10-07")."""
    if date.since is None:
        return date.text
    if date.precision == "year":
        return str(date.since.year)
    return _iso(date.since, date.until)


def _iso(since: dt.date | None, until: dt.date | None) -> str:
    return f"{since.isoformat() if since else ''}..{until.isoformat() if until else ''}"


def _spread(
    passages: Sequence[Found],
    k: int,
    per_statement: int,
    copies: Mapping[str, DuplicateGroup],
    fitting: frozenset[str] | None = None,
) -> list[Found]:
    """Top passages, at most `per_statement` from one statement unless there is nothing
    else (twice as many of a statement that fits the reading: the speech asked about holds
    more of the answer than one passage elsewhere); of a statement published more than
    once, only the copy that ranks first."""
    chosen: list[Found] = []
    taken: dict[str, int] = {}
    spill: list[Found] = []
    shown: dict[str, str] = {}  # group -> the copy shown
    for passage in passages:
        sid = passage.statement_id
        group = copies[sid].canonical if sid in copies else sid
        if shown.setdefault(group, sid) != sid:
            continue
        cap = per_statement * (FIT_SHARE if fitting is not None and passage.id in fitting else 1)
        if taken.get(sid, 0) < cap:
            chosen.append(passage)
            taken[sid] = taken.get(sid, 0) + 1
            if len(chosen) == k:
                return chosen
        else:
            spill.append(passage)
    return chosen + spill[: k - len(chosen)]
