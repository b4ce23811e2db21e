"""The catalog: the durable store plus the in-memory search index, kept in step.

Every write goes to ChromaDB first (passages, then the statement record as the
commit marker) and then to the index of this process. Other processes (a CLI
ingest beside a running server, a second API worker on a Chroma server) are
noticed through the store's generation token, checked at most once a second;
the index then reconciles by content hash. At start-up the index is read from a
snapshot file when one exists and reconciled the same way, so a snapshot can be
stale or missing without any harm: Chroma is the truth.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import pickle
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rag.embedding.embedder import embedding_text
from rag.index.search_index import PassageIndex
from rag.index.store import ChromaStore, StatementWrite, settled
from rag.ingest.near_duplicates import DuplicateGroup, DuplicateIndex, Fingerprint
from rag.people import Roster, SpeakerIndex
from rag.types import DateSpan, Passage, QuoteRecord, Republication, StatementInfo, StoreStats

log = logging.getLogger(__name__)

CHECK_EVERY_SECONDS = 1.0
_LOAD_BATCH = 200
_SNAPSHOT_VERSION = 4


def _snapshot_layout() -> str:
    """The fields of the objects a snapshot pickles: a snapshot written by code whose objects
    had other fields (an older release) is not loaded, rather than failing later on use."""
    kinds = (StatementInfo, Passage, QuoteRecord, DateSpan)
    fields = ";".join(
        f"{k.__name__}:{','.join(f.name for f in dataclasses.fields(k))}" for k in kinds
    )
    return f"{_SNAPSHOT_VERSION}|{fields}|{','.join(sorted(vars(PassageIndex())))}"


class Catalog:
    def __init__(self, store: ChromaStore, model: str, snapshot: Path | None) -> None:
        self.store = store
        self._model = model
        self._snapshot = snapshot
        self._lock = threading.RLock()
        # Writes of this process go one at a time: a delete racing a write of the same
        # statement could otherwise leave the index holding what the store no longer does.
        self._write_lock = threading.Lock()
        self._index: PassageIndex | None = None
        self._speakers: SpeakerIndex | None = None
        self._roster: Roster | None = None
        self._groups: dict[str, DuplicateGroup] | None = None
        self._generation = ""
        self._checked_at = 0.0

    # ---- access -----------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[PassageIndex]:
        """The index, current with the store (within a second), locked while in use."""
        with self._lock:
            self._refresh_if_stale()
            assert self._index is not None
            yield self._index

    def speakers(self) -> SpeakerIndex:
        with self.reading() as index:
            if self._speakers is None:
                statement_counts: dict[str, int] = {}
                offices: dict[str, set[str]] = {}
                for info in index.statements.values():
                    for name in info.speakers:
                        statement_counts[name] = statement_counts.get(name, 0) + 1
                    for office, name in info.offices:
                        offices.setdefault(name, set()).add(office)
                self._speakers = SpeakerIndex.build(
                    statement_counts, index.speaker_names(), offices
                )
            return self._speakers

    def roster(self) -> Roster:
        """Who the corpus has: people, when they spoke, offices, countries (built once per
        change of the store, like the speaker index)."""
        speakers = self.speakers()
        with self.reading() as index:
            if self._roster is None or self._roster.speakers is not speakers:
                self._roster = Roster.build(speakers, index.statements.values())
            return self._roster

    def known_vectors(self, statement_ids: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        """Embedded text -> vector, for the stored passages of these statements."""
        with self.reading() as index:
            return {
                embedding_text(passage): vector
                for sid in statement_ids
                for passage, vector in index.passages_of(sid)
            }

    def duplicates(self) -> Mapping[str, DuplicateGroup]:
        """Statement id -> its group of republished copies (for statements that have copies)."""
        with self.reading() as index:
            if self._groups is None:
                found = DuplicateIndex()
                for sid, info in index.statements.items():
                    if info.fingerprint:
                        found.add(sid, Fingerprint.from_string(info.fingerprint), info.date)
                self._groups = {
                    sid: group
                    for group in found.groups()
                    for sid in (group.canonical, *group.others)
                }
            return self._groups

    def republished(self, statement_id: str) -> tuple[Republication, ...]:
        """The other copies of a statement, for 'also published at'."""
        group = self.duplicates().get(statement_id)
        if group is None:
            return ()
        with self.reading() as index:
            copies = (sid for sid in (group.canonical, *group.others) if sid != statement_id)
            return tuple(
                Republication(sid, info.date.text if info.date else None, info.source_url)
                for sid in copies
                if (info := index.statements.get(sid)) is not None
            )

    def all_quotes(self) -> list[QuoteRecord]:
        with self.reading() as index:
            return [q for info in index.statements.values() for q in info.quotes]

    def idf(self, stems: Sequence[str]) -> dict[str, float]:
        """Keyword rarity of each stem in the whole corpus (high for words it lacks)."""
        with self.reading() as index:
            return {stem: index.keywords.idf(stem) for stem in stems}

    def stats(self) -> StoreStats:
        speakers = len(self.speakers().entries())
        with self.reading() as index:
            dates = sorted(i.date.text for i in index.statements.values() if i.date)
            return StoreStats(
                statements=len(index.statements),
                passages=index.passage_count,
                speakers=speakers,
                first_date=dates[0] if dates else None,
                last_date=dates[-1] if dates else None,
                location=self.store.location,
            )

    # ---- writes -----------------------------------------------------------------------

    def write(self, writes: Sequence[StatementWrite]) -> None:
        with self._write_lock:
            others_wrote = self._others_wrote()
            self.store.write(writes)
            with self._lock:
                index = self._loaded()
                for w in writes:
                    texts = [embedding_text(p) for p in w.passages]
                    index.put_statement(w.info, w.passages, w.vectors, texts)
                self._changed(others_wrote)

    def remove_stale_passages(self, statement_ids: Sequence[str]) -> int:
        """Remove the passages of these statements that their committed records do not
        name, left by a write that was killed. Under the write lock, so no write of this
        process is half done; readers never saw them, so the index is unchanged."""
        with self._write_lock:
            return self.store.remove_stale_passages(self.store.content_hashes(statement_ids))

    def delete(self, statement_id: str) -> bool:
        with self._write_lock:
            others_wrote = self._others_wrote()
            existed = self.store.delete(statement_id)
            with self._lock:
                self._loaded().remove_statement(statement_id)
                self._changed(others_wrote)
        return existed

    def _others_wrote(self) -> bool:
        """Whether the store changed since this index last looked (read before our write,
        whose new token would otherwise hide it)."""
        return self._index is not None and self.store.generation() != self._generation

    def _changed(self, others_wrote: bool) -> None:
        self._speakers = None
        self._groups = None
        if others_wrote:
            self._reconcile()
        else:
            self._generation = self.store.generation()
            self._checked_at = time.monotonic()

    # ---- keeping in step ----------------------------------------------------------------

    def _loaded(self) -> PassageIndex:
        if self._index is None:
            snapshot = self._read_snapshot()
            self._index = snapshot.index if snapshot else PassageIndex()
            current = self.store.generation()
            if snapshot and snapshot.generation == current and settled(current):
                # Nothing was written since the snapshot: no need to read every record.
                self._generation = current
                self._checked_at = time.monotonic()
            else:
                self._reconcile()
        return self._index

    def _refresh_if_stale(self) -> None:
        if self._index is None:
            self._loaded()
            return
        if time.monotonic() - self._checked_at < CHECK_EVERY_SECONDS:
            return
        self._checked_at = time.monotonic()
        if self.store.generation() != self._generation:
            self._reconcile()

    def _reconcile(self) -> None:
        """Make the index hold exactly the committed statements, by content hash."""
        index = self._index
        assert index is not None
        started = time.perf_counter()
        self._generation = self.store.generation()
        committed = self.store.all_content_hashes()
        held = {sid: info.content_hash for sid, info in index.statements.items()}
        for sid in held.keys() - committed.keys():
            index.remove_statement(sid)
        todo = sorted(sid for sid, h in committed.items() if held.get(sid) != h)
        for start in range(0, len(todo), _LOAD_BATCH):
            for loaded in self.store.load_passages(todo[start : start + _LOAD_BATCH]):
                texts = [embedding_text(p) for p in loaded.passages]
                index.put_statement(loaded.info, loaded.passages, loaded.vectors, texts)
        self._speakers = None
        self._groups = None
        self._checked_at = time.monotonic()
        if todo or held.keys() - committed.keys():
            log.info(
                "index reconciled: %d statements loaded, %d removed, %.2f s",
                len(todo),
                len(held.keys() - committed.keys()),
                time.perf_counter() - started,
            )

    # ---- snapshot -----------------------------------------------------------------------

    def save_snapshot(self) -> None:
        """Write the index to disk (atomically) so the next start need not rebuild it."""
        if self._snapshot is None:
            return
        with self._lock:
            if self._index is None:
                return
            self._snapshot.parent.mkdir(parents=True, exist_ok=True)
            partial = self._snapshot.with_suffix(f".{os.getpid()}.tmp")
            saved = (_snapshot_layout(), self._model, self._generation, self._index)
            with partial.open("wb") as f:
                pickle.dump(saved, f, protocol=5)
            partial.replace(self._snapshot)

    def _read_snapshot(self) -> _Snapshot | None:
        if self._snapshot is None or not self._snapshot.exists():
            return None
        try:
            with self._snapshot.open("rb") as f:
                version, model, generation, index = pickle.load(f)
        except Exception as exc:  # a damaged snapshot is only a slower start
            log.warning("ignoring the index snapshot %s: %s", self._snapshot, exc)
            return None
        if version != _snapshot_layout() or model != self._model:
            return None
        if not isinstance(index, PassageIndex) or not isinstance(generation, str):
            return None
        return _Snapshot(index, generation)


@dataclasses.dataclass(frozen=True, slots=True)
class _Snapshot:
    index: PassageIndex
    generation: str
    """The store's generation token the index was known to match when it was saved."""
