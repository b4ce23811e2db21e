"""The in-memory search index: every live passage with its vector, keywords, speakers and dates.

ChromaDB is the durable store; this is a derived copy that answers queries
without touching it: exact dense search (a matrix product over the rows that
pass the filters), BM25, and filters by speaker, date and statement as numpy
masks. Chroma's own `where` filtering costs 100+ ms at 100k passages; a mask
costs well under a millisecond. `rag.index.catalog` keeps it in step with the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rag.index.keyword_index import KeywordIndex
from rag.index.passage_columns import PassageColumns
from rag.people import statement_country
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
    is among its speakers (through any of their forms). `anyone` passes a row when any of
    them is; `countries` when its statement speaks for one of these countries (ISO codes).
    """

    speakers: tuple[frozenset[str], ...] | None = None
    anyone: tuple[frozenset[str], ...] | None = None
    countries: frozenset[str] | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    statement_ids: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    row: int
    score: float


class PassageIndex:
    def __init__(self) -> None:
        self._vectors = np.zeros((0, 0), dtype=np.float32)
        self._first = np.zeros(0, dtype=np.int32)
        self._last = np.zeros(0, dtype=np.int32)
        self._alive = np.zeros(0, dtype=bool)
        self._passages: list[Passage | None] = []
        self._rows_by_statement: dict[str, list[int]] = {}
        self._rows_by_speaker: dict[str, list[int]] = {}
        self._rows_by_country: dict[str, list[int]] = {}
        self.statements: dict[str, StatementInfo] = {}
        self.keywords = KeywordIndex()

    # ---- snapshot -------------------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        """What a snapshot holds: the used rows only, passages as columns."""
        state = dict(vars(self))
        for name in ("_vectors", "_first", "_last", "_alive"):
            state[name] = state[name][: self.rows]
        state["_passages"] = PassageColumns.of(self._passages)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state["_passages"] = state["_passages"].passages()
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
        capacity = len(self._alive)
        if needed <= capacity:
            return
        new = max(needed, 2 * capacity, 1024)
        vectors = np.zeros((new, dimension), dtype=np.float32)
        if capacity:
            vectors[:capacity] = self._vectors
        self._vectors = vectors
        self._first = np.concatenate(
            [self._first, np.full(new - capacity, _NO_DAY_FIRST, np.int32)]
        )
        self._last = np.concatenate([self._last, np.full(new - capacity, _NO_DAY_LAST, np.int32)])
        self._alive = np.concatenate([self._alive, np.zeros(new - capacity, dtype=bool)])

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
        width = vectors.shape[1] if vectors.ndim == 2 and len(vectors) else self._vectors.shape[1]
        self._grow(start + len(passages), width)
        first, last = _days(info.date)
        rows = list(range(start, start + len(passages)))
        for row, passage, text in zip(rows, passages, keyword_texts, strict=True):
            self._passages.append(passage)
            self.keywords.add(row, text)
            for name in passage.speakers:
                self._rows_by_speaker.setdefault(name, []).append(row)
        if passages:
            self._vectors[start : start + len(passages)] = vectors
            self._first[start : start + len(passages)] = first
            self._last[start : start + len(passages)] = last
            self._alive[start : start + len(passages)] = True
        self._rows_by_statement[info.id] = rows
        country = statement_country(info.metadata, info.source_url)
        if country:
            self._rows_by_country.setdefault(country, []).extend(rows)
        self.statements[info.id] = info
        dead = self.rows - self.keywords.size
        if dead > max(_COMPACT_AFTER_DEAD, self.keywords.size):
            self.compact()

    def compact(self) -> None:
        """Drop the rows of removed passages; live rows are renumbered in order."""
        keep = np.flatnonzero(self._alive[: self.rows])
        new_row = {int(old): new for new, old in enumerate(keep)}
        capacity, live = max(len(keep), 1024), len(keep)
        self._vectors = _head(self._vectors[keep], capacity, 0.0)
        self._first = _head(self._first[keep], capacity, _NO_DAY_FIRST)
        self._last = _head(self._last[keep], capacity, _NO_DAY_LAST)
        self._alive = _head(np.ones(live, dtype=bool), capacity, False)
        self._passages = [self._passages[row] for row in keep]
        self._rows_by_statement = {
            sid: [new_row[row] for row in rows] for sid, rows in self._rows_by_statement.items()
        }
        by_speaker = {
            name: [new_row[row] for row in rows if row in new_row]
            for name, rows in self._rows_by_speaker.items()
        }
        self._rows_by_speaker = {name: rows for name, rows in by_speaker.items() if rows}
        by_country = {
            code: [new_row[row] for row in rows if row in new_row]
            for code, rows in self._rows_by_country.items()
        }
        self._rows_by_country = {code: rows for code, rows in by_country.items() if rows}
        self.keywords.renumber(new_row)

    def remove_statement(self, statement_id: str) -> None:
        rows = self._rows_by_statement.pop(statement_id, [])
        self.statements.pop(statement_id, None)
        for row in rows:
            self._alive[row] = False
            self._passages[row] = None
        self.keywords.remove(rows)

    # ---- reads ------------------------------------------------------------------------

    def passage(self, row: int) -> Passage:
        passage = self._passages[row]
        if passage is None:
            raise KeyError(f"row {row} was removed")
        return passage

    def passages_of(self, statement_id: str) -> list[tuple[Passage, NDArray[np.float32]]]:
        return [
            (self.passage(row), self._vectors[row])
            for row in self._rows_by_statement.get(statement_id, [])
        ]

    def speaker_names(self) -> dict[str, int]:
        """Stored speaker name -> live passages carrying it."""
        counts = {}
        for name, rows in self._rows_by_speaker.items():
            live = int(self._alive[np.asarray(rows, dtype=np.int64)].sum())
            if live:
                counts[name] = live
        return counts

    def mask(self, f: RowFilter) -> NDArray[np.bool_]:
        """Live rows that pass the filter."""
        mask = self._alive[: self.rows].copy()
        for person in f.speakers or ():
            mask &= self._rows_of(self._rows_by_speaker, person)
        if f.anyone is not None:
            mask &= self._rows_of(self._rows_by_speaker, frozenset().union(*f.anyone))
        if f.countries is not None:
            mask &= self._rows_of(self._rows_by_country, f.countries)
        if f.since is not None:
            mask &= self._last[: self.rows] >= day_number(f.since)
        if f.until is not None:
            mask &= self._first[: self.rows] <= day_number(f.until)
        if f.statement_ids is not None:
            by_statement = np.zeros(self.rows, dtype=bool)
            for sid in f.statement_ids:
                by_statement[np.asarray(self._rows_by_statement.get(sid, []), dtype=np.int64)] = (
                    True
                )
            mask &= by_statement
        return mask

    def _rows_of(self, rows_by: dict[str, list[int]], keys: Iterable[str]) -> NDArray[np.bool_]:
        """Rows listed under any of `keys` (removed rows included; the mask drops them)."""
        found = np.zeros(self.rows, dtype=bool)
        for key in keys:
            found[np.asarray(rows_by.get(key, []), dtype=np.int64)] = True
        return found

    def dense_scores(self, vector: NDArray[np.float32]) -> NDArray[np.float32]:
        """Cosine similarity of every row to the question (vectors are unit length): one
        matrix product, shared by every ranking of one search."""
        return self._vectors[: self.rows] @ vector

    def similarities(self, vector: NDArray[np.float32], rows: Sequence[int]) -> NDArray[np.float32]:
        return self._vectors[np.asarray(rows, dtype=np.int64)] @ vector

    def keyword_scores(self, query: str) -> NDArray[np.float32]:
        """BM25 score of every row (0 where no query word occurs)."""
        return self.keywords.scores(query, self.rows)

    def top(
        self, scores: NDArray[np.float32], mask: NDArray[np.bool_], n: int, positive: bool = False
    ) -> list[Hit]:
        """The `n` best rows in `mask` by `scores` (only those above 0 when `positive`)."""
        keep = mask & (scores > 0) if positive else mask
        rows = np.flatnonzero(keep)
        return _top(rows, scores[rows], n)

    def date_mask(self, since: dt.date | None, until: dt.date | None) -> NDArray[np.bool_]:
        """Rows whose statement's date overlaps [since, until] (a year-only date counts for
        any day of its year); undated rows never do."""
        return self.mask(RowFilter(since=since, until=until))


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
