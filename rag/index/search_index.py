"""The in-memory search index: every live passage with its vector, keywords, speakers and dates.

ChromaDB is the durable store; this is a derived copy that answers queries
without touching it: exact dense search (a matrix product over the rows that
pass the filters), BM25, and filters by speaker, date and statement as numpy
masks. Chroma's own `where` filtering costs 100+ ms at 100k passages; a mask
costs well under a millisecond. `rag.index.catalog` keeps it in step with the store.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rag.index.keyword_index import KeywordIndex
from rag.index.passage_columns import PassageColumns
from rag.index.vectors import Vectors
from rag.people import statement_country
from rag.types import DateSpan, Found, Passage, StatementInfo

_NO_DAY_FIRST = 99_999_999  # an undated statement never overlaps a date range
_NO_DAY_LAST = 0
# Rows of removed passages are reclaimed once they outnumber the live ones (and this many),
# so a server that keeps rewriting statements does not grow without end.
_COMPACT_AFTER_DEAD = 1024


def day_number(day: dt.date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


@dataclass(frozen=True, slots=True)
class RowFilter:
    """Filters in index terms: stored speaker names, countries, names in the text, a date
    range, statement ids. A row passes when it meets every filter given.

    `speakers` holds one set of name forms per person; a row passes when every person
    is among its speakers (through any of their forms). `anyone` and `countries` are one
    filter of who speaks: a row passes when any of these people is among its speakers or
    its statement speaks for any of these countries (ISO codes). `naming` passes a row
    whose text holds a word of any of these names (the other party of a call).
    """

    speakers: tuple[frozenset[str], ...] | None = None
    anyone: tuple[frozenset[str], ...] | None = None
    countries: frozenset[str] | None = None
    naming: tuple[str, ...] | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    statement_ids: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    row: int
    score: float


class PassageIndex:
    def __init__(self) -> None:
        self._vectors = Vectors()
        self._first = np.zeros(0, dtype=np.int32)
        self._last = np.zeros(0, dtype=np.int32)
        self._alive = np.zeros(0, dtype=bool)
        self._passages = PassageColumns()
        self._rows_by_statement: dict[str, range] = {}
        """A statement's rows are consecutive: added together, kept in order by `compact`."""
        self._rows_by_speaker: dict[str, array[int]] = {}
        self._rows_by_country: dict[str, array[int]] = {}
        self.statements: dict[str, StatementInfo] = {}
        self.keywords = KeywordIndex()

    # ---- snapshot -------------------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        """What a snapshot holds: the used rows only."""
        state = dict(vars(self))
        state["_vectors"] = self._vectors.trimmed(self.rows)
        for name in ("_first", "_last", "_alive"):
            state[name] = state[name][: self.rows]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)

    # ---- size -------------------------------------------------------------------------

    @property
    def rows(self) -> int:
        """Rows allocated so far (live and removed)."""
        return len(self._passages)

    @property
    def passage_count(self) -> int:
        return int(self._alive[: self.rows].sum())

    def _grow(self, needed: int, dimension: int) -> None:
        self._vectors.reserve(needed, dimension)
        capacity = len(self._alive)
        if needed <= capacity:
            return
        new = self._vectors.capacity
        self._first = np.concatenate(
            [self._first, np.full(new - capacity, _NO_DAY_FIRST, np.int32)]
        )
        self._last = np.concatenate([self._last, np.full(new - capacity, _NO_DAY_LAST, np.int32)])
        self._alive = np.concatenate([self._alive, np.zeros(new - capacity, dtype=bool)])

    def shrink(self) -> None:
        """Give back the room kept for appends (after loading many statements at once)."""
        self._vectors = self._vectors.trimmed(self.rows)
        for name in ("_first", "_last", "_alive"):
            setattr(self, name, getattr(self, name)[: self.rows].copy())
        self.keywords.shrink()

    # ---- writes -----------------------------------------------------------------------

    def put_statement(
        self,
        info: StatementInfo,
        passages: Sequence[Passage],
        vectors: NDArray[np.float32],
        keyword_texts: Sequence[str],
    ) -> None:
        """Add (or replace) a statement's passages."""
        self.remove_statement(info.id)
        start = self.rows
        width = vectors.shape[1] if vectors.ndim == 2 and len(vectors) else self._vectors.dimension
        self._grow(start + len(passages), width)
        first, last = _days(info.date)
        self._passages.append(info, passages)
        for row, passage, text in zip(
            range(start, self.rows), passages, keyword_texts, strict=True
        ):
            self.keywords.add(row, text)
            for name in passage.speakers:
                self._rows_by_speaker.setdefault(name, array("i")).append(row)
        if passages:
            self._vectors.put(start, vectors)
            self._first[start : self.rows] = first
            self._last[start : self.rows] = last
            self._alive[start : self.rows] = True
        self._rows_by_statement[info.id] = range(start, self.rows)
        country = statement_country(info.metadata, info.source_url)
        if country and passages:
            self._rows_by_country.setdefault(country, array("i")).extend(range(start, self.rows))
        self.statements[info.id] = info
        dead = self.rows - self.keywords.size
        if dead > max(_COMPACT_AFTER_DEAD, self.keywords.size):
            self.compact()

    def compact(self) -> None:
        """Drop the rows of removed passages; live rows are renumbered in order."""
        keep = np.flatnonzero(self._alive[: self.rows])
        new_of = np.full(self.rows, -1, dtype=np.int64)
        new_of[keep] = np.arange(len(keep))
        capacity, live = max(len(keep), 1024), len(keep)
        self._vectors.keep(keep, capacity)
        self._first = _head(self._first[keep], capacity, _NO_DAY_FIRST)
        self._last = _head(self._last[keep], capacity, _NO_DAY_LAST)
        self._alive = _head(np.ones(live, dtype=bool), capacity, False)
        self._passages.keep(keep)
        self._rows_by_statement = {
            sid: range(int(new_of[r.start]), int(new_of[r.start]) + len(r)) if r else r
            for sid, r in self._rows_by_statement.items()
        }
        self._rows_by_speaker = _renumbered(self._rows_by_speaker, new_of)
        self._rows_by_country = _renumbered(self._rows_by_country, new_of)
        self.keywords.renumber({int(old): new for new, old in enumerate(keep)})

    def remove_statement(self, statement_id: str) -> None:
        rows = self._rows_by_statement.pop(statement_id, range(0))
        self.statements.pop(statement_id, None)
        self._alive[rows.start : rows.stop] = False
        self._passages.remove(rows)
        self.keywords.remove(rows)

    # ---- reads ------------------------------------------------------------------------

    def passage(self, row: int) -> Passage:
        return self._passages.passage(row)

    def found(self, row: int, score: float) -> Found:
        """A row as ranked (its id, statement and speakers), its text not read."""
        return self._passages.found(row, score)

    def statement_id(self, row: int) -> str:
        """The statement of a row (cheaper than `passage(row).statement_id`)."""
        return self._passages.statement(row).id

    def passages_of(self, statement_id: str) -> list[tuple[Passage, NDArray[np.float32]]]:
        return [
            (self.passage(row), self._vectors.row(row))
            for row in self._rows_by_statement.get(statement_id, range(0))
        ]

    def speaker_names(self) -> dict[str, int]:
        """Stored speaker name -> live passages carrying it."""
        counts = {}
        for name, rows in self._rows_by_speaker.items():
            live = int(self._alive[np.frombuffer(rows, dtype=np.int32)].sum())
            if live:
                counts[name] = live
        return counts

    def mask(self, f: RowFilter) -> NDArray[np.bool_]:
        """Live rows that pass the filter."""
        mask = self._alive[: self.rows].copy()
        for person in f.speakers or ():
            mask &= self._rows_of(self._rows_by_speaker, person)
        if f.anyone is not None or f.countries is not None:
            who = self._rows_of(self._rows_by_speaker, frozenset().union(*(f.anyone or ())))
            who |= self._rows_of(self._rows_by_country, f.countries or ())
            mask &= who
        if f.naming is not None:
            named = np.zeros(self.rows, dtype=bool)
            for name in f.naming:
                named |= self.keyword_scores(name) > 0
            mask &= named
        if f.since is not None:
            mask &= self._last[: self.rows] >= day_number(f.since)
        if f.until is not None:
            mask &= self._first[: self.rows] <= day_number(f.until)
        if f.statement_ids is not None:
            by_statement = np.zeros(self.rows, dtype=bool)
            for sid in f.statement_ids:
                rows = self._rows_by_statement.get(sid, range(0))
                by_statement[rows.start : rows.stop] = True
            mask &= by_statement
        return mask

    def _rows_of(self, rows_by: dict[str, array[int]], keys: Iterable[str]) -> NDArray[np.bool_]:
        """Rows listed under any of `keys` (removed rows included; the mask drops them)."""
        found = np.zeros(self.rows, dtype=bool)
        for key in keys:
            if (rows := rows_by.get(key)) is not None:
                found[np.frombuffer(rows, dtype=np.int32)] = True
        return found

    def dense_scores(self, vector: NDArray[np.float32]) -> NDArray[np.float32]:
        """Approximate cosine of every row with the question (vectors are unit length), in
        float16: one product, shared by every ranking of one search."""
        return self._vectors.scores(vector, None, self.rows)

    def dense(
        self,
        vector: NDArray[np.float32],
        mask: NDArray[np.bool_],
        n: int,
        approximate: NDArray[np.float32] | None = None,
    ) -> list[Hit]:
        """Exhaustive cosine search over the rows in `mask`: every row scored in float16
        (`approximate`, when the search has them already), the best `n` scored again
        exactly (rag.index.vectors)."""
        rows = np.flatnonzero(mask)
        if not len(rows):
            return []
        if approximate is not None:
            scores = approximate[rows]
        elif len(rows) > 0.5 * self.rows:  # cheaper to score everything than to gather rows
            scores = self._vectors.scores(vector, None, self.rows)[rows]
        else:
            scores = self._vectors.scores(vector, rows, self.rows)
        best = np.asarray([hit.row for hit in _top(rows, scores, n)], dtype=np.int64)
        return _top(best, self._vectors.exact(vector, best), n)

    def similarities(self, vector: NDArray[np.float32], rows: Sequence[int]) -> NDArray[np.float32]:
        return self._vectors.exact(vector, np.asarray(rows, dtype=np.int64))

    def keyword_scores(self, query: str) -> NDArray[np.float32]:
        """BM25 score of every row (0 where no query word occurs)."""
        return self.keywords.scores(query, self.rows)

    def keyword(
        self,
        query: str,
        mask: NDArray[np.bool_],
        n: int,
        scores: NDArray[np.float32] | None = None,
    ) -> list[Hit]:
        """The `n` rows in `mask` with the best BM25 score above 0 (`scores`, when the
        search has them already)."""
        if scores is None:
            scores = self.keyword_scores(query)
        rows = np.flatnonzero(mask & (scores > 0))
        return _top(rows, scores[rows], n)


def _renumbered(rows_by: dict[str, array[int]], new_of: NDArray[np.int64]) -> dict[str, array[int]]:
    """Row lists after compaction (`new_of`: old row -> new row, -1 when dropped)."""
    renumbered = {}
    for key, rows in rows_by.items():
        kept = new_of[np.frombuffer(rows, dtype=np.int32)]
        if (kept >= 0).any():
            renumbered[key] = array("i", kept[kept >= 0].astype(np.int32).tobytes())
    return renumbered


def _head(values: NDArray[Any], capacity: int, fill: Any) -> NDArray[Any]:
    """`values` at the start of an array of `capacity` rows, the rest `fill`."""
    grown = np.full((capacity, *values.shape[1:]), fill, dtype=values.dtype)
    grown[: len(values)] = values
    return grown


def _days(date: DateSpan | None) -> tuple[int, int]:
    if date is None:
        return _NO_DAY_FIRST, _NO_DAY_LAST
    return day_number(date.first), day_number(date.last)


def _top(rows: NDArray[np.int64], scores: NDArray[np.float32], n: int) -> list[Hit]:
    if len(rows) > n:
        keep = np.argpartition(-scores, n)[:n]
        rows, scores = rows[keep], scores[keep]
    order = np.argsort(-scores, kind="stable")
    return [Hit(int(rows[i]), float(scores[i])) for i in order]
