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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rag.index.keyword_index import KeywordIndex
from rag.index.passage_columns import PassageColumns
from rag.index.vectors import Vectors
from rag.types import DateSpan, Passage, StatementInfo

_NO_DAY_FIRST = 99_999_999  # an undated statement never overlaps a date range
_NO_DAY_LAST = 0
# Rows of removed passages are reclaimed once they outnumber the live ones (and this many),
# so a server that keeps rewriting statements does not grow without end.
_COMPACT_AFTER_DEAD = 1024


def day_number(day: dt.date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


@dataclass(frozen=True, slots=True)
class RowFilter:
    """Filters in index terms: stored speaker names, a date range, statement ids.

    `speakers` holds one set of name forms per person; a row passes when every person
    is among its speakers (through any of their forms).
    """

    speakers: tuple[frozenset[str], ...] | None = None
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
        by_speaker = {
            name: new_of[np.frombuffer(rows, dtype=np.int32)]
            for name, rows in self._rows_by_speaker.items()
        }
        self._rows_by_speaker = {
            name: array("i", rows[rows >= 0].astype(np.int32).tobytes())
            for name, rows in by_speaker.items()
            if (rows >= 0).any()
        }
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
            by_person = np.zeros(self.rows, dtype=bool)
            for name in person:
                if (spoken := self._rows_by_speaker.get(name)) is not None:
                    by_person[np.frombuffer(spoken, dtype=np.int32)] = True
            mask &= by_person
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

    def dense(self, vector: NDArray[np.float32], mask: NDArray[np.bool_], n: int) -> list[Hit]:
        """Exhaustive cosine search (vectors are unit length) over the rows in `mask`: every
        row scored in float16, the best `n` scored again exactly (rag.index.vectors)."""
        rows = np.flatnonzero(mask)
        if not len(rows):
            return []
        if len(rows) > 0.5 * self.rows:  # cheaper to score everything than to gather rows
            scores = self._vectors.scores(vector, None, self.rows)[rows]
        else:
            scores = self._vectors.scores(vector, rows, self.rows)
        best = np.asarray([hit.row for hit in _top(rows, scores, n)], dtype=np.int64)
        return _top(best, self._vectors.exact(vector, best), n)

    def similarities(self, vector: NDArray[np.float32], rows: Sequence[int]) -> NDArray[np.float32]:
        return self._vectors.exact(vector, np.asarray(rows, dtype=np.int64))

    def keyword(self, query: str, mask: NDArray[np.bool_], n: int) -> list[Hit]:
        scores = self.keywords.scores(query, self.rows)
        scores[~mask] = 0
        rows = np.flatnonzero(scores > 0)
        return _top(rows, scores[rows], n)


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
