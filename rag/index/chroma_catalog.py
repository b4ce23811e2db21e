"""The corpus when RAG_SEARCH_BACKEND=chroma: passages are searched in Chroma itself
(rag.index.chroma_search), and this process keeps nothing per passage.

What it does keep is small and does not grow with the passages: the speaker index (one
entry per person), counts and the date range, and word rarities estimated from a sample
of passages. They are read from the statement records at start-up and read again when the
change log has moved and `REFRESH_SECONDS` have passed (a server, from a thread); a write
is searchable at once. Republished copies are grouped among the statements a search found,
not across the corpus, so an answer's sources list no `also_published_at`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rag.index.catalog import stored_vectors
from rag.index.chroma_search import ChromaSearch, KeywordRarity
from rag.index.follower import Follower
from rag.index.passage_search import PassageSearch
from rag.index.store import ChromaStore, StatementWrite
from rag.people import Roster, SpeakerIndex, statement_country
from rag.types import QuoteRecord, Republication, StatementInfo, StoreStats

log = logging.getLogger(__name__)

REFRESH_SECONDS = 30.0
SAMPLE_PASSAGES = 5000
"""Passages the word rarities are estimated from."""


@dataclass(frozen=True, slots=True)
class _View:
    speakers: SpeakerIndex
    roster: Roster
    rarity: KeywordRarity
    stats: StoreStats
    head: int
    """The change log entry the store had reached before this view was read."""


class ChromaCatalog:
    def __init__(self, store: ChromaStore, keyword: bool) -> None:
        self.store = store
        self._keyword = keyword
        self._write_lock = threading.Lock()
        self._view_lock = threading.Lock()
        self._view: _View | None = None
        self._read_at = 0.0
        self._follower: Follower | None = None
        self._keyword_checked = False
        self._tagged = False

    # ---- writes -----------------------------------------------------------------------

    def write(self, writes: Sequence[StatementWrite]) -> None:
        with self._write_lock:
            self.store.write(writes)

    def delete(self, statement_id: str) -> bool:
        with self._write_lock:
            return self.store.delete(statement_id)

    def remove_stale_passages(self, statement_ids: Sequence[str]) -> int:
        with self._write_lock:
            return self.store.remove_stale_passages(statement_ids)

    def known_vectors(self, statement_ids: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        return stored_vectors(self.store, statement_ids)

    # ---- reads ------------------------------------------------------------------------

    @contextmanager
    def searching(self) -> Iterator[PassageSearch]:
        yield ChromaSearch(self.store, self._current().rarity, self._keyword_search())

    def _keyword_search(self) -> bool:
        if not self._keyword_checked:
            self._keyword_checked = True
            if self._keyword:
                refused = self.store.search_api()
                log.warning(
                    "RAG_SEARCH_BACKEND=chroma: %s; keyword search looks the question's "
                    "words up in Chroma's full-text index instead (BM25, sampled rarities)",
                    f"this Chroma has no Search API with sparse BM25 ({refused})"
                    if refused
                    else "the passages collection has no sparse BM25 index",
                )
        return self._keyword

    def speakers(self) -> SpeakerIndex:
        return self._current().speakers

    def roster(self) -> Roster:
        return self._current().roster

    def statements(self) -> list[StatementInfo]:
        """Every statement record (read for this call, not kept)."""
        return list(self.store.scan_infos())

    def republished(self, statement_id: str) -> tuple[Republication, ...]:
        return ()

    def quotes(self, speaker_names: Sequence[str] | None) -> list[QuoteRecord]:
        """Every quotation, read from the records for this call and not kept."""
        return [q for info in self.store.scan_infos() for q in info.quotes]

    def quotes_of(self, statement_ids: Sequence[str]) -> list[QuoteRecord]:
        infos = self.store.infos(statement_ids)
        return [q for sid in statement_ids if (i := infos.get(sid)) for q in i.quotes]

    def idf(self, stems: Sequence[str]) -> dict[str, float]:
        rarity = self._current().rarity
        return {stem: rarity.idf(stem) for stem in stems}

    def stats(self) -> StoreStats:
        return self._current().stats

    # ---- keeping the small views in step -------------------------------------------------

    def _current(self) -> _View:
        if self._view is None:
            self._refresh()
        assert self._view is not None
        return self._view

    def _refresh(self) -> None:
        with self._view_lock:
            started = time.perf_counter()
            head = self.store.log.head()
            statement_counts: Counter[str] = Counter()
            passage_counts: Counter[str] = Counter()
            offices: dict[str, set[str]] = {}
            dates: list[str] = []
            infos: list[StatementInfo] = []
            passages = 0
            for info, spoken in self.store.scan_speakers(quotes=False):  # read when asked for
                infos.append(info)
                passages += info.passage_count
                statement_counts.update(info.speakers)
                passage_counts.update(spoken)
                for office, name in info.offices:
                    offices.setdefault(name, set()).add(office)
                if info.date:
                    dates.append(info.date.text)
            statements = len(infos)
            if not self._tagged:  # once a process: stores written before passages had it
                self._tagged = True
                countries = {
                    info.id: code
                    for info in infos
                    if (code := statement_country(info.metadata, info.source_url))
                }
                if tagged := self.store.tag_passage_countries(countries):
                    log.info("gave %d passages their statement's country", tagged)
            sample, rows = self.store.sample_texts(SAMPLE_PASSAGES, seed=head)
            speakers = SpeakerIndex.build(statement_counts, passage_counts, offices)
            dates.sort()
            self._view = _View(
                speakers,
                Roster.build(speakers, infos),
                KeywordRarity(sample, max(rows, passages)),
                StoreStats(
                    statements=statements,
                    passages=passages,
                    speakers=len(speakers.entries()),
                    first_date=dates[0] if dates else None,
                    last_date=dates[-1] if dates else None,
                    location=self.store.location,
                    changes_applied=head,
                ),
                head,
            )
            self._read_at = time.monotonic()
            log.info(
                "read %d statement records and %d sample passages: %.2f s",
                statements,
                len(sample),
                time.perf_counter() - started,
            )

    def _refresh_if_changed(self) -> None:
        due = time.monotonic() - self._read_at >= REFRESH_SECONDS
        if due and self._view is not None and self.store.log.head() != self._view.head:
            self._refresh()

    def follow(self, interval: float) -> None:
        """Read the small views again from a thread when the store has changed."""
        if self._follower is None:
            self._follower = Follower("chroma-catalog-follower", interval, self._refresh_if_changed)

    def stop_following(self) -> None:
        if self._follower is not None:
            self._follower.stop()
            self._follower = None

    def save_snapshot(self) -> None:
        """Nothing to save: this process keeps nothing that takes long to read again."""
