"""rag/embedding/embedder.py QueryVectors: a question asked again is not embedded again."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from rag.embedding.embedder import QueryVectors
from tests.support.hash_embedder import HashEmbedder


class CountingEmbedder(HashEmbedder):
    """The hash embedder, remembering every text it was asked to embed."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.asked.extend(texts)
        return super().embed(texts)


def test_a_question_asked_again_is_embedded_once() -> None:
    embedder = CountingEmbedder()
    queries = QueryVectors(embedder, size=8)

    first = queries.vector("What did Ruto say about Haiti?")
    again = queries.vector("What did Ruto say about Haiti?")

    assert embedder.asked == ["What did Ruto say about Haiti?"]
    np.testing.assert_array_equal(
        first, HashEmbedder().embed(["What did Ruto say about Haiti?"])[0]
    )
    np.testing.assert_array_equal(again, first)


def test_the_least_recently_used_question_goes_first() -> None:
    embedder = CountingEmbedder()
    queries = QueryVectors(embedder, size=2)
    for question in ("haiti", "kenya", "haiti", "congo", "haiti", "kenya"):
        queries.vector(question)
    # "kenya" was the oldest when "congo" came, so it is embedded again at the end.
    assert embedder.asked == ["haiti", "kenya", "congo", "kenya"]


def test_size_zero_keeps_nothing() -> None:
    embedder = CountingEmbedder()
    queries = QueryVectors(embedder, size=0)
    queries.vector("haiti")
    queries.vector("haiti")
    assert embedder.asked == ["haiti", "haiti"]


def test_a_shared_vector_cannot_be_changed_by_one_caller() -> None:
    vector = QueryVectors(HashEmbedder(), size=4).vector("haiti")
    with pytest.raises(ValueError):
        vector[0] = 1.0
