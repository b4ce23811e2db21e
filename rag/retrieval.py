"""Question -> ranked passages: dense search over the store, with filters."""

from __future__ import annotations

import time

from rag.embedding import Embedder
from rag.speakers import resolve_speakers
from rag.store import ChromaStore, PassageFilter
from rag.types import Query, SearchResult


class Retriever:
    def __init__(self, store: ChromaStore, embedder: Embedder) -> None:
        self._store = store
        self._embedder = embedder

    def search(self, query: Query) -> SearchResult:
        started = time.perf_counter()
        filters = query.filters
        speakers: tuple[str, ...] = ()
        if filters.speaker:
            speakers = resolve_speakers(filters.speaker, self._store.speakers())
            if not speakers:
                return SearchResult(query, (), (), time.perf_counter() - started)
        vector = self._embedder.embed([query.question])[0]
        where = PassageFilter(
            speakers=speakers,
            since=filters.since,
            until=filters.until,
            statement_ids=filters.statement_ids,
        )
        passages = self._store.query(vector, query.k, where)
        return SearchResult(query, tuple(passages), speakers, time.perf_counter() - started)
