"""BM25 over passages, in memory, with cheap incremental adds and removals.

Each row's distinct term ids and their frequencies are appended to two flat arrays;
per-row offsets, widths, lengths and a live mask say where a row's terms are, and
removed rows' terms stay until a rebuild or renumbering compacts the arrays. Plain
arrays rather than two small arrays per row keep the index small in memory and
quick to pickle and load: it travels in the index snapshot read at every start.

Postings live in immutable segments (numpy arrays sorted by term) plus a small
pending list; a segment is built once enough rows are pending, and segments are
merged when there are too many. Removed rows leave the document frequencies at
once; their postings are skipped by the caller's `alive` mask until a merge
drops them. Term-frequency weights use the average length at segment build
time; idf is computed at query time from live counts.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rag.text.vocabulary import STOPWORDS
from rag.text.words import stem, words

K1 = 1.2
B = 0.75
_SEGMENT_SIZE = 4096
_MAX_SEGMENTS = 24
_MIN_CAPACITY = 1024


def keyword_terms(text: str) -> list[str]:
    """Stems of the words that count for keyword search (stopwords dropped)."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


def _grown(array: NDArray[Any], needed: int) -> NDArray[Any]:
    """`array` with room for `needed` items: doubled (amortised O(1) appends), zero-filled."""
    if needed <= len(array):
        return array
    grown = np.zeros(max(2 * len(array), needed, _MIN_CAPACITY), dtype=array.dtype)
    grown[: len(array)] = array
    return grown


def _positions(starts: NDArray[np.int64], widths: NDArray[np.int32]) -> NDArray[np.int64]:
    """Positions of the slices [start, start + width), one after another."""
    ends = np.cumsum(widths, dtype=np.int64)
    return np.repeat(starts - ends + widths, widths) + np.arange(ends[-1] if len(ends) else 0)


@dataclass(frozen=True, slots=True)
class _Segment:
    """Postings of a batch of rows, sorted by term id: term t holds
    rows/weights[bounds[t]:bounds[t + 1]] (nothing when t is past the end of `bounds`)."""

    bounds: NDArray[np.int64]
    rows: NDArray[np.int32]
    weights: NDArray[np.float32]

    @classmethod
    def build(
        cls,
        terms: NDArray[np.int64],
        tfs: NDArray[np.float32],
        rows: NDArray[np.int64],
        lengths: NDArray[np.float32],
        avg: float,
    ) -> _Segment:
        order = np.argsort(terms, kind="stable")
        terms, tfs, rows = terms[order], tfs[order], rows[order]
        norm = K1 * (1 - B + B * lengths[rows] / avg)
        weights = (tfs * (K1 + 1) / (tfs + norm)).astype(np.float32)
        bounds = np.concatenate([[0], np.cumsum(np.bincount(terms))]).astype(np.int64)
        return cls(bounds, rows.astype(np.int32), weights)  # rows fit: 4 bytes a posting saved

    def span(self, term_id: int) -> tuple[int, int]:
        """Where the term's postings start and end (an empty span when it has none here)."""
        if term_id + 1 >= len(self.bounds):
            return 0, 0
        return int(self.bounds[term_id]), int(self.bounds[term_id + 1])


class KeywordIndex:
    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self._df = np.zeros(0, dtype=np.int64)  # by term id
        # Terms of the rows, a row's distinct term ids and their counts side by side;
        # `_used` items are filled. Removed rows' items stay until `_compact`.
        self._terms = np.zeros(0, dtype=np.int32)
        self._tfs = np.zeros(0, dtype=np.uint8)  # a term's count in one passage, up to 255
        self._used = 0
        # By row: where its terms start, how many there are, its length, whether it is live.
        self._starts = np.zeros(0, dtype=np.int64)
        self._widths = np.zeros(0, dtype=np.int32)
        self._lengths = np.zeros(0, dtype=np.float32)
        self._live = np.zeros(0, dtype=bool)
        self._size = 0
        self._segments: list[_Segment] = []
        self._pending: list[int] = []

    @property
    def size(self) -> int:
        return self._size

    def add(self, row: int, text: str) -> None:
        """Index `row`, which must not be live (remove it first to replace its text)."""
        if row < len(self._live) and self._live[row]:
            raise ValueError(f"row {row} is already in the keyword index; remove it first")
        vocab = self.vocab
        counts = Counter(vocab.setdefault(t, len(vocab)) for t in keyword_terms(text))
        terms = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
        start, end = self._used, self._used + len(counts)
        self._terms = _grown(self._terms, end)
        self._tfs = _grown(self._tfs, end)
        self._terms[start:end] = terms
        tfs = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
        self._tfs[start:end] = np.minimum(tfs, np.iinfo(np.uint8).max)  # BM25 saturates long before
        self._used = end
        self._df = _grown(self._df, len(vocab))
        self._df[terms] += 1  # a term occurs once in `terms`
        self._grow_rows(row + 1)
        self._starts[row] = start
        self._widths[row] = len(counts)
        self._lengths[row] = float(sum(counts.values()))
        self._live[row] = True
        self._size += 1
        self._pending.append(row)
        if len(self._pending) >= _SEGMENT_SIZE:
            self._flush()

    def remove(self, rows: Iterable[int]) -> None:
        for row in rows:
            if 0 <= row < len(self._live) and self._live[row]:
                self._live[row] = False
                self._size -= 1
                start = self._starts[row]
                self._df[self._terms[start : start + self._widths[row]]] -= 1
        self._pending = [r for r in self._pending if self._live[r]]

    def renumber(self, new_row: dict[int, int]) -> None:
        """Move every live row to its new number (old -> new), as the passage index compacts."""
        old = np.fromiter(new_row.keys(), dtype=np.int64, count=len(new_row))
        new = np.fromiter(new_row.values(), dtype=np.int64, count=len(new_row))
        live = self._is_live(old)
        if live.sum() != self._size:
            lost = np.setdiff1d(np.flatnonzero(self._live), old)
            raise KeyError(f"live row {int(lost[0])} has no new number")
        self._compact(old[live], new[live], max(len(new_row), int(new.max(initial=-1)) + 1))
        self._segment_all()

    def rebuild(self) -> None:
        """One segment from the live rows: drops postings (and terms) of removed rows."""
        rows = np.flatnonzero(self._live)
        self._compact(rows, rows, len(self._live))
        self._segment_all()

    def _segment_all(self) -> None:
        self._segments = []
        self._pending = np.flatnonzero(self._live).tolist()
        self._flush()

    def _is_live(self, rows: NDArray[np.int64]) -> NDArray[np.bool_]:
        inside = (rows >= 0) & (rows < len(self._live))
        live = np.zeros(len(rows), dtype=bool)
        live[inside] = self._live[rows[inside]]
        return live

    def _grow_rows(self, needed: int) -> None:
        self._starts = _grown(self._starts, needed)
        self._widths = _grown(self._widths, needed)
        self._lengths = _grown(self._lengths, needed)
        self._live = _grown(self._live, needed)

    def _compact(self, old: NDArray[np.int64], new: NDArray[np.int64], rows: int) -> None:
        """Keep only the live rows `old`, moved to the rows `new`, in arrays of `rows` rows."""
        order = np.argsort(new, kind="stable")  # terms stored in row order
        old, new = old[order], new[order]
        widths = self._widths[old]
        picked = _positions(self._starts[old], widths)
        self._terms, self._tfs = self._terms[picked], self._tfs[picked]
        self._used = len(picked)
        lengths = self._lengths[old]
        capacity = max(rows, _MIN_CAPACITY)
        self._starts = np.zeros(capacity, dtype=np.int64)
        self._widths = np.zeros(capacity, dtype=np.int32)
        self._lengths = np.zeros(capacity, dtype=np.float32)
        self._live = np.zeros(capacity, dtype=bool)
        self._starts[new] = np.cumsum(widths, dtype=np.int64) - widths
        self._widths[new] = widths
        self._lengths[new] = lengths
        self._live[new] = True

    def _flush(self) -> None:
        if not self._pending:
            return
        live = np.flatnonzero(self._live)
        avg = float(self._lengths[live].mean()) if len(live) else 1.0
        rows = np.array(self._pending, dtype=np.int64)
        widths = self._widths[rows]
        picked = _positions(self._starts[rows], widths)
        self._segments.append(
            _Segment.build(
                self._terms[picked].astype(np.int64),
                self._tfs[picked].astype(np.float32),
                np.repeat(rows, widths),
                self._lengths,
                avg or 1.0,
            )
        )
        self._pending = []
        if len(self._segments) > _MAX_SEGMENTS:
            self.rebuild()

    def document_frequency(self, term: str) -> int:
        term_id = self.vocab.get(term)
        return int(self._df[term_id]) if term_id is not None else 0

    def idf(self, term: str) -> float:
        df = self.document_frequency(term)
        return math.log(1 + (max(self._size, 1) - df + 0.5) / (df + 0.5))

    def scores(self, query: str, capacity: int) -> NDArray[np.float32]:
        """BM25 score of every row (0 without a query term), as an array of `capacity`."""
        self._flush()
        scores = np.zeros(capacity, dtype=np.float32)
        for term in dict.fromkeys(keyword_terms(query)):
            if self.document_frequency(term) == 0:
                continue
            term_id = self.vocab[term]
            idf = np.float32(self.idf(term))
            for segment in self._segments:
                start, end = segment.span(term_id)  # a row occurs once per term in a segment
                if start < end:
                    scores[segment.rows[start:end]] += idf * segment.weights[start:end]
        return scores

    def shrink(self) -> None:
        """Give back the room kept for appends (after loading many rows at once)."""
        state = self.__getstate__()  # the used part of each array: views, so copied
        vars(self).update(
            {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in state.items()}
        )

    # ---- pickling: the index travels in the snapshot read at every start ----------------

    def __getstate__(self) -> dict[str, Any]:
        """Only the filled part of each array (not the room left for appends)."""
        rows = int(np.flatnonzero(self._live)[-1]) + 1 if self._size else 0
        state = dict(vars(self))
        state["_df"] = self._df[: len(self.vocab)]
        state["_terms"] = self._terms[: self._used]
        state["_tfs"] = self._tfs[: self._used]
        for name in ("_starts", "_widths", "_lengths", "_live"):
            state[name] = state[name][:rows]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if set(state) != set(vars(KeywordIndex())):
            # Catalog reads such a snapshot as unusable and rebuilds the index from the store.
            raise ValueError("the keyword index was saved in another layout (an older release)")
        vars(self).update(state)
