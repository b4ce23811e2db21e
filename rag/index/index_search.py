"""Passage search on the in-memory index of this process (rag.index.search_index): filters as
numpy masks, exhaustive dense search, BM25. The default backend, for a corpus that fits in
one machine's memory (docs/scaling.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from rag.index.search_index import PassageIndex, RowFilter
from rag.ingest.near_duplicates import DuplicateGroup
from rag.types import Found, Passage


class IndexSearch:
    """One search's view of the index (used under the catalog's lock)."""

    keyword_search = True

    def __init__(self, index: PassageIndex, groups: Mapping[str, DuplicateGroup]) -> None:
        self._index = index
        self._groups = groups
        self._masks: dict[RowFilter, NDArray[np.bool_]] = {}
        self._rows: dict[str, int] = {}  # passage id -> row, of the passages found
        # Scores of every row, computed once per search and shared by its rankings.
        self._dense: tuple[NDArray[np.float32], NDArray[np.float32]] | None = None
        self._keyword: dict[str, NDArray[np.float32]] = {}

    def _mask(self, f: RowFilter) -> NDArray[np.bool_]:
        if f not in self._masks:
            self._masks[f] = self._index.mask(f)
        return self._masks[f]

    def _found(self, row: int, score: float) -> Found:
        found = self._index.found(row, score)
        self._rows[found.id] = row
        return found

    def matches(self, f: RowFilter) -> bool:
        return bool(self._mask(f).any())

    def dense(self, vector: NDArray[np.float32], f: RowFilter, n: int) -> list[Found]:
        if self._dense is None or self._dense[0] is not vector:
            self._dense = (vector, self._index.dense_scores(vector))
        hits = self._index.dense(vector, self._mask(f), n, self._dense[1])
        return [self._found(h.row, h.score) for h in hits]

    def keyword(self, question: str, f: RowFilter, n: int) -> list[Found]:
        if question not in self._keyword:
            self._keyword[question] = self._index.keyword_scores(question)
        hits = self._index.keyword(question, self._mask(f), n, self._keyword[question])
        return [self._found(h.row, h.score) for h in hits]

    def passages(self, ids: Sequence[str]) -> list[Passage]:
        return [self._index.passage(self._rows[pid]) for pid in ids]

    def similarities(self, vector: NDArray[np.float32], ids: Sequence[str]) -> list[float]:
        rows = [self._rows[pid] for pid in ids]
        return [float(s) for s in self._index.similarities(vector, rows)]

    def copies(self, statement_ids: Sequence[str]) -> Mapping[str, DuplicateGroup]:
        return {sid: self._groups[sid] for sid in statement_ids if sid in self._groups}
