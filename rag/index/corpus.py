"""What the service asks of the statements it answers from: the store, kept-in-step views of
it (speakers, quotations, keyword rarity, counts) and passage search.

Two implementations: `rag.index.catalog.Catalog` keeps an index of every passage in this
process (fast, limited by one machine's memory), `rag.index.chroma_catalog.ChromaCatalog`
asks Chroma for passages and keeps nothing per passage. rag.wiring picks one from
RAG_SEARCH_BACKEND.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from rag.index.passage_search import PassageSearch
from rag.index.store import ChromaStore, StatementWrite
from rag.people import Roster, SpeakerIndex
from rag.types import QuoteRecord, Republication, StatementInfo, StoreStats


class Corpus(Protocol):
    store: ChromaStore

    def write(self, writes: Sequence[StatementWrite]) -> None: ...

    def delete(self, statement_id: str) -> bool: ...

    def remove_stale_passages(self, statement_ids: Sequence[str]) -> int: ...

    def known_vectors(self, statement_ids: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        """Embedded text -> vector, for the stored passages of these statements."""
        ...

    def searching(self) -> AbstractContextManager[PassageSearch]: ...

    def speakers(self) -> SpeakerIndex: ...

    def roster(self) -> Roster:
        """Who the corpus has: people, when they spoke, offices, countries."""
        ...

    def statements(self) -> list[StatementInfo]:
        """Every statement record, without its text."""
        ...

    def republished(self, statement_id: str) -> tuple[Republication, ...]: ...

    def quotes(self, speaker_names: Sequence[str] | None) -> list[QuoteRecord]:
        """Quotations to search: all of them, or at least those by these names."""
        ...

    def quotes_of(self, statement_ids: Sequence[str]) -> list[QuoteRecord]: ...

    def idf(self, stems: Sequence[str]) -> dict[str, float]: ...

    def stats(self) -> StoreStats: ...

    def follow(self, interval: float) -> None: ...

    def stop_following(self) -> None: ...

    def save_snapshot(self) -> None: ...
