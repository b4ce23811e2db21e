"""A deterministic stand-in embedder for fast unit tests of logic that ignores meaning."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

DIMENSION = 32


class HashEmbedder:
    name = "hash-embedder"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = []
        for text in texts:
            vector = np.zeros(DIMENSION, dtype=np.float32)
            for word in text.lower().split():
                digest = hashlib.sha256(word.encode()).digest()
                vector[digest[0] % DIMENSION] += 1.0
            norm = float(np.linalg.norm(vector)) or 1.0
            rows.append(vector / norm)
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), DIMENSION)
