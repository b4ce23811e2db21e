"""Passage search that asks Chroma (RAG_SEARCH_BACKEND=chroma): nothing per passage is kept
in the process, so a replica's memory does not grow with the corpus.

Dense search is Chroma's own query (its HNSW index, approximate), with the filters as its
`where`: speakers through the passages' `speakers` list, dates as overlapping day ranges,
statement ids. Only rows a committed statement record names are kept (a write in progress,
or one that lost a race, has rows no reader may see), so each search asks for more than it
needs. Keyword search: Chroma's sparse BM25 index is offered by Chroma distributed and
Chroma Cloud only (single-node Chroma refuses its Search API), so the words of the question
are looked up in Chroma's full-text index instead: passages holding the question's rarer
words, ranked by BM25 over the words of the question they hold, with word rarities and the
mean passage length estimated from a sample (`KeywordRarity`). It differs from the in-memory
BM25 in those estimates and in finding at most `TEXT_MATCHES` rows per word.
Readings of who and when are filters too: speakers or countries (`country` on passages),
the other party of a call as a `where_document` regex, periods as day ranges.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rag.index.keyword_index import K1, B, keyword_terms
from rag.index.search_index import RowFilter
from rag.index.store import ChromaStore, FoundRow
from rag.ingest.near_duplicates import DuplicateGroup, DuplicateIndex, Fingerprint
from rag.types import Found, Passage

OVERFETCH = 2
"""Rows asked for per passage wanted: some rows found may be uncommitted."""
TEXT_MATCHES = 200
"""Rows read per word of the question from the full-text index."""
KEYWORD_WORDS = 6
"""The rarest words of a question looked up in the full-text index."""


def _day(value: dt.date) -> int:
    return value.year * 10_000 + value.month * 100 + value.day


def _any(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


def where(f: RowFilter) -> dict[str, Any] | None:
    """A filter as a Chroma `where` on passage metadata (None: no filter)."""
    clauses: list[dict[str, Any]] = []
    for person in f.speakers or ():
        clauses.append(_any([{"speakers": {"$contains": name}} for name in sorted(person)]))
    if f.anyone is not None or f.countries is not None:
        names = sorted(frozenset().union(*(f.anyone or ())))
        who: list[dict[str, Any]] = [{"speakers": {"$contains": name}} for name in names]
        if f.countries:
            who.append({"country": {"$in": sorted(f.countries)}})
        clauses.append(_any(who) if who else {"statement_id": {"$in": [""]}})
    if f.since is not None:
        clauses.append({"date_last": {"$gte": _day(f.since)}})
    if f.until is not None:
        clauses.append({"date_first": {"$lte": _day(f.until)}})
    if f.statement_ids is not None:
        clauses.append({"statement_id": {"$in": sorted(f.statement_ids) or [""]}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def where_document(f: RowFilter) -> dict[str, Any] | None:
    """A filter as a Chroma `where_document` on passage text (None: no filter): `naming`
    as a word of any of the names, in any case (the in-memory index matches word stems)."""
    if not f.naming:
        return None
    words = sorted({w for name in f.naming for w in re.findall(r"\w+", name) if len(w) > 1})
    if not words:
        return None
    return {"$regex": r"(?i)\b(?:" + "|".join(re.escape(w) for w in words) + ")"}


class KeywordRarity:
    """Document frequencies of words, estimated from a sample of passages: a fixed-size
    stand-in for the corpus statistics the in-memory index keeps for every passage."""

    def __init__(self, sample: Sequence[str], total: int) -> None:
        terms = [keyword_terms(text) for text in sample]
        self._counts = Counter(t for found in terms for t in set(found))
        self._scale = total / max(1, len(sample))
        self.total = total
        self.mean_length = sum(map(len, terms)) / len(terms) if terms else 1.0

    def idf(self, stem: str) -> float:
        df = self._counts.get(stem, 0) * self._scale
        return math.log(1 + (max(self.total, 1) - df + 0.5) / (df + 0.5))

    def bm25(self, question_terms: Sequence[str], text: str) -> float:
        """BM25 of a text for the question's terms (k1, b as the in-memory index's)."""
        terms = Counter(keyword_terms(text))
        norm = K1 * (1 - B + B * sum(terms.values()) / max(self.mean_length, 1.0))
        return sum(
            self.idf(t) * terms[t] * (K1 + 1) / (terms[t] + norm)
            for t in question_terms
            if terms[t]
        )


class ChromaSearch:
    def __init__(self, store: ChromaStore, rarity: KeywordRarity, keyword_search: bool) -> None:
        self._store = store
        self._rarity = rarity
        self.keyword_search = keyword_search
        self._rows: dict[str, FoundRow] = {}  # passage id -> what Chroma gave, of those found

    def _found(self, rows: Sequence[FoundRow]) -> list[Found]:
        self._rows.update((r.passage.id, r) for r in rows)
        return [
            Found(r.passage.id, r.passage.statement_id, r.passage.speakers, r.score) for r in rows
        ]

    def matches(self, f: RowFilter) -> bool:
        return self._store.any_passage(where(f), where_document(f))

    def dense(self, vector: NDArray[np.float32], f: RowFilter, n: int) -> list[Found]:
        found = self._store.query_passages(vector, where(f), n * OVERFETCH, where_document(f))
        return self._found(found[:n])

    def keyword(self, question: str, f: RowFilter, n: int) -> list[Found]:
        terms = sorted(set(keyword_terms(question)), key=self._rarity.idf, reverse=True)
        found: dict[str, FoundRow] = {}
        for term in terms[:KEYWORD_WORDS]:
            rows = self._store.passages_containing(term, where(f), TEXT_MATCHES, where_document(f))
            for row in rows:
                found.setdefault(row.passage.id, row)
        scores = {pid: self._rarity.bm25(terms, row.passage.text) for pid, row in found.items()}
        best = sorted((p for p in scores if scores[p] > 0), key=lambda p: -scores[p])[:n]
        return self._found([FoundRow(found[p].passage, scores[p], found[p].row_id) for p in best])

    def passages(self, ids: Sequence[str]) -> list[Passage]:
        return [self._rows[pid].passage for pid in ids]

    def similarities(self, vector: NDArray[np.float32], ids: Sequence[str]) -> list[float]:
        if not ids:
            return []
        rows = [self._rows[pid].row_id for pid in ids]
        vectors = self._store.row_vectors(rows)
        return [float(vectors[row] @ vector) for row in rows]

    def copies(self, statement_ids: Sequence[str]) -> Mapping[str, DuplicateGroup]:
        """Republished copies among these statements (the others are not looked for)."""
        found = DuplicateIndex()
        for sid, info in self._store.infos(statement_ids).items():
            if info.fingerprint:
                found.add(sid, Fingerprint.from_string(info.fingerprint), info.date)
        return {sid: g for g in found.groups() for sid in (g.canonical, *g.others)}
