"""The passage vectors of the search index, as float16 rows: half the memory of float32.

numpy has no fast float16 product (it converts element by element, ~20x slower than a
float32 product), so the scan runs in torch, already loaded for the model: a float16
matrix-vector product about as fast as numpy's float32 one. Its scores carry the rounding
of float16 sums (~1e-4); the few candidates a search keeps are scored again exactly, in
float32 from the same stored values (`exact`), and those scores are what callers see.
docs/scaling.md has the measurements.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

STORED = np.float16


class Vectors:
    def __init__(self) -> None:
        self._rows: NDArray[np.float16] = np.zeros((0, 0), dtype=STORED)

    @property
    def capacity(self) -> int:
        return len(self._rows)

    @property
    def dimension(self) -> int:
        return int(self._rows.shape[1])

    def reserve(self, needed: int, dimension: int) -> None:
        """Room for `needed` rows (grown by half again, so appends stay cheap)."""
        if needed <= self.capacity:
            return
        grown = np.zeros((max(needed, self.capacity * 3 // 2, 1024), dimension), dtype=STORED)
        if self.capacity:
            grown[: self.capacity] = self._rows
        self._rows = grown

    def put(self, start: int, vectors: NDArray[np.float32]) -> None:
        self._rows[start : start + len(vectors)] = vectors

    def row(self, row: int) -> NDArray[np.float32]:
        vector: NDArray[np.float32] = self._rows[row].astype(np.float32)
        return vector

    def keep(self, rows: NDArray[np.int64], capacity: int) -> None:
        """Only `rows`, in order, at the start of `capacity` rows (the index compacting)."""
        kept = np.zeros((capacity, self.dimension), dtype=STORED)
        kept[: len(rows)] = self._rows[rows]
        self._rows = kept

    def trimmed(self, rows: int) -> Vectors:
        """A copy holding the first `rows` rows and no room to spare (for a snapshot)."""
        copy = Vectors()
        copy._rows = self._rows[:rows].copy()
        return copy

    def scores(
        self, query: NDArray[np.float32], rows: NDArray[np.int64] | None, upto: int
    ) -> NDArray[np.float32]:
        """Approximate cosine of `query` with each of `rows` (all of the first `upto` rows
        when None), in float16."""
        import torch

        matrix = torch.from_numpy(self._rows[:upto])
        if rows is not None:
            matrix = matrix.index_select(0, torch.from_numpy(rows))
        vector = torch.from_numpy(np.ascontiguousarray(query, dtype=STORED))
        scores: NDArray[np.float32] = torch.mv(matrix, vector).float().numpy()
        return scores

    def exact(self, query: NDArray[np.float32], rows: NDArray[np.int64]) -> NDArray[np.float32]:
        """Cosine of `query` with each of `rows` in float32 (for the few rows a search keeps)."""
        scores: NDArray[np.float32] = self._rows[rows].astype(np.float32) @ query.astype(np.float32)
        return scores

    def __getstate__(self) -> dict[str, Any]:
        return {"_rows": self._rows}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._rows = state["_rows"]
