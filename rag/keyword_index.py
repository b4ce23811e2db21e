"""BM25 over passages, in memory, with cheap incremental adds and removals.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rag.answering.terms import STOPWORDS, stem, words

K1 = 1.2
B = 0.75
_SEGMENT_SIZE = 4096
_MAX_SEGMENTS = 24

_Doc = tuple[NDArray[np.int32], NDArray[np.int32]]  # term ids, term frequencies


def keyword_terms(text: str) -> list[str]:
    """Stems of the words that count for keyword search (stopwords dropped)."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


@dataclass(frozen=True, slots=True)
class _Segment:
    """Postings of a batch of rows, sorted by term id."""

    spans: dict[int, tuple[int, int]]  # term id -> (start, end) in rows/weights
    rows: NDArray[np.int64]
    weights: NDArray[np.float32]

    @classmethod
    def build(
        cls, docs: Sequence[tuple[int, _Doc]], lengths: NDArray[np.float32], avg: float
    ) -> _Segment:
        terms = np.concatenate([d[0] for _, d in docs]).astype(np.int64)
        tfs = np.concatenate([d[1] for _, d in docs]).astype(np.float32)
        rows = np.repeat(
            np.array([r for r, _ in docs], dtype=np.int64), [len(d[0]) for _, d in docs]
        )
        order = np.argsort(terms, kind="stable")
        terms, tfs, rows = terms[order], tfs[order], rows[order]
        norm = K1 * (1 - B + B * lengths[rows] / avg)
        weights = (tfs * (K1 + 1) / (tfs + norm)).astype(np.float32)
        if len(terms) == 0:
            return cls({}, rows, weights)
        starts = np.flatnonzero(np.diff(terms, prepend=-1))
        ends = np.append(starts[1:], len(terms))
        spans = {int(terms[s]): (int(s), int(e)) for s, e in zip(starts, ends, strict=True)}
        return cls(spans, rows, weights)


class KeywordIndex:
    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self._df: list[int] = []
        self._lengths = np.zeros(0, dtype=np.float32)
        self._docs: dict[int, _Doc] = {}  # live rows
        self._segments: list[_Segment] = []
        self._pending: list[int] = []

    @property
    def size(self) -> int:
        return len(self._docs)

    def add(self, row: int, text: str) -> None:
        counts = Counter(self._term_id(t) for t in keyword_terms(text))
        if row >= len(self._lengths):
            grown = np.zeros(max(2 * len(self._lengths), row + 1, 1024), dtype=np.float32)
            grown[: len(self._lengths)] = self._lengths
            self._lengths = grown
        self._lengths[row] = float(sum(counts.values()))
        for term in counts:
            self._df[term] += 1
        self._docs[row] = (
            np.fromiter(counts.keys(), dtype=np.int32, count=len(counts)),
            np.fromiter(counts.values(), dtype=np.int32, count=len(counts)),
        )
        self._pending.append(row)
        if len(self._pending) >= _SEGMENT_SIZE:
            self._flush()

    def remove(self, rows: Iterable[int]) -> None:
        for row in rows:
            doc = self._docs.pop(row, None)
            if doc is not None:
                for term in doc[0]:
                    self._df[term] -= 1
        self._pending = [r for r in self._pending if r in self._docs]

    def renumber(self, new_row: dict[int, int]) -> None:
        """Move every live row to its new number (old -> new), as the passage index compacts."""
        lengths = np.zeros(max(len(new_row), 1024), dtype=np.float32)
        for old, new in new_row.items():
            lengths[new] = self._lengths[old]
        self._lengths = lengths
        self._docs = {new_row[row]: doc for row, doc in self._docs.items()}
        self.rebuild()

    def rebuild(self) -> None:
        """One segment from the live rows: drops postings of removed rows."""
        self._segments = []
        self._pending = sorted(self._docs)
        self._flush()

    def _term_id(self, term: str) -> int:
        term_id = self.vocab.get(term)
        if term_id is None:
            term_id = self.vocab[term] = len(self._df)
            self._df.append(0)
        return term_id

    def _flush(self) -> None:
        if not self._pending:
            return
        live = np.fromiter(self._docs.keys(), dtype=np.int64, count=len(self._docs))
        avg = float(self._lengths[live].mean()) if len(live) else 1.0
        docs = [(row, self._docs[row]) for row in self._pending]
        self._segments.append(_Segment.build(docs, self._lengths, avg or 1.0))
        self._pending = []
        if len(self._segments) > _MAX_SEGMENTS:
            self.rebuild()

    def document_frequency(self, term: str) -> int:
        term_id = self.vocab.get(term)
        return self._df[term_id] if term_id is not None else 0

    def idf(self, term: str) -> float:
        df = self.document_frequency(term)
        return math.log(1 + (max(len(self._docs), 1) - df + 0.5) / (df + 0.5))

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
                span = segment.spans.get(term_id)
                if span is not None:
                    start, end = span  # a row occurs once per term in a segment
                    scores[segment.rows[start:end]] += idf * segment.weights[start:end]
        return scores
