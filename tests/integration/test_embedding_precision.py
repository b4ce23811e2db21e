"""The bf16 model path: the same vectors as fp32 to within rounding, unit length, fp32."""

from __future__ import annotations

import numpy as np

from rag.embedding.embedder import SentenceTransformerEmbedder

TEXTS = [
    "President Ruto and Secretary Rubio discussed the security situation in eastern Congo.",
    "What did Kenya say about the Multinational Security Support mission in Haiti?",
    "The leaders reviewed progress on the Kenya-led mission in Haiti and its funding.",
]


def test_bf16_vectors_match_fp32_vectors(embedder: SentenceTransformerEmbedder) -> None:
    bf16 = SentenceTransformerEmbedder(None, batch_size=8, precision="bf16")
    assert bf16.bf16 and not embedder.bf16

    vectors = bf16.embed(TEXTS)

    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(vectors * embedder.embed(TEXTS), axis=1)
    assert cosines.min() >= 0.99
