"""The catalog: the durable store plus the in-memory search index, kept in step.

Every write goes to ChromaDB first (passages, then the statement record as the
commit marker) and then to the index of this process. What every other process
writes is read from the store's change log (rag.index.change_log): each entry
names the statements a write touched, and only those are read again, outside the
lock searches hold; a server does this from a thread (`follow`), other callers at
most once a second when they read. At start-up the index is read from a snapshot
file, which records the last log entry it had applied, and the entries after it
are applied; without a usable snapshot, every record is read. Chroma is the truth:
a snapshot can be stale or missing without any harm. docs/scaling.md has the
argument for why replicas end equal to the store.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import pickle
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rag.embedding.embedder import embedding_text
from rag.index.change_log import BEGIN, Change
from rag.index.follower import Follower
from rag.index.index_search import IndexSearch
from rag.index.passage_search import PassageSearch
from rag.index.search_index import PassageIndex
from rag.index.store import ChromaStore, StatementWrite
from rag.ingest.near_duplicates import DuplicateGroup, DuplicateIndex, Fingerprint
from rag.people import Roster, SpeakerIndex
from rag.types import DateSpan, Passage, QuoteRecord, Republication, StatementInfo, StoreStats

log = logging.getLogger(__name__)

CHECK_EVERY_SECONDS = 1.0
_LOAD_BATCH = 200
_LOG_BATCH = 256
_SNAPSHOT_VERSION = 5


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
        # Reading the store to bring the index in step: one thread at a time, without the
        # index lock (searches wait on that lock only while read statements are swapped in).
        self._sync_lock = threading.Lock()
        self._index: PassageIndex | None = None
        self._speakers: SpeakerIndex | None = None
        self._roster: Roster | None = None
        self._groups: dict[str, DuplicateGroup] | None = None
        self._cursor = 0
        """The last change log entry applied."""
        self._pending: dict[int, Change] = {}
        """Writes begun (by number) whose end has not been read: read again at the end."""
        self._unsettled: set[str] = set()
        """Statements replaced while being read: read again next time."""
        self._written_while_reading: set[str] | None = None
        self._synced_at = 0.0
        self._follower: Follower | None = None

    # ---- access -----------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[PassageIndex]:
        """The index, current with the store (within a second), locked while in use."""
        index = self._loaded()
        if self._follower is None and time.monotonic() - self._synced_at >= CHECK_EVERY_SECONDS:
            self.sync(wait=False)
        with self._lock:
            yield index

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

    def statements(self) -> list[StatementInfo]:
        """Every statement record."""
        with self.reading() as index:
            return list(index.statements.values())

    def known_vectors(self, statement_ids: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        """Embedded text -> vector, for the stored passages of these statements (read from
        the store, in float32 as the model gave them, not from the index's float16)."""
        return stored_vectors(self.store, statement_ids)

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

    @contextmanager
    def searching(self) -> Iterator[PassageSearch]:
        """Passage search on the index, which stays locked while in use."""
        groups = self.duplicates()
        with self.reading() as index:
            yield IndexSearch(index, groups)

    def quotes(self, speaker_names: Sequence[str] | None) -> list[QuoteRecord]:
        with self.reading() as index:
            return [q for info in index.statements.values() for q in info.quotes]

    def quotes_of(self, statement_ids: Sequence[str]) -> list[QuoteRecord]:
        with self.reading() as index:
            return [
                q
                for sid in statement_ids
                if (info := index.statements.get(sid)) is not None
                for q in info.quotes
            ]

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
                changes_applied=self._cursor,
            )

    # ---- writes -----------------------------------------------------------------------

    def write(self, writes: Sequence[StatementWrite]) -> None:
        with self._write_lock:
            index = self._loaded()
            self.store.write(writes)
            with self._lock:
                for w in writes:
                    texts = [embedding_text(p) for p in w.passages]
                    index.put_statement(w.info, w.passages, w.vectors, texts)
                self._wrote([w.info.id for w in writes])

    def remove_stale_passages(self, statement_ids: Sequence[str]) -> int:
        """Remove the passages of these statements that their committed records do not
        name and no write can still commit, left by a write that was killed. Under the
        write lock, so no write of this process is half done; readers never saw them."""
        with self._write_lock:
            return self.store.remove_stale_passages(statement_ids)

    def delete(self, statement_id: str) -> bool:
        with self._write_lock:
            index = self._loaded()
            existed = self.store.delete(statement_id)
            with self._lock:
                index.remove_statement(statement_id)
                self._wrote([statement_id])
        return existed

    def _wrote(self, statement_ids: Sequence[str]) -> None:
        """After this process changed the index itself (under the index lock)."""
        self._speakers = None
        self._groups = None
        if self._written_while_reading is not None:
            self._written_while_reading.update(statement_ids)

    # ---- keeping in step ----------------------------------------------------------------

    def sync(self, wait: bool = True) -> None:
        """Apply what every writer committed since this index last looked (the change log),
        reading only the statements that changed, and outside the lock searches hold.
        `wait=False`: return at once if another thread is already doing it."""
        index = self._loaded()
        if not self._sync_lock.acquire(blocking=wait):
            return
        try:
            self._catch_up(index)
            self._synced_at = time.monotonic()
        finally:
            self._sync_lock.release()

    def follow(self, interval: float) -> None:
        """Keep the index in step from a thread, every `interval` seconds (a server: no
        request then waits for Chroma). `stop_following` ends it."""
        if self._follower is None:
            self._follower = Follower("catalog-follower", interval, self.sync)

    def stop_following(self) -> None:
        if self._follower is not None:
            self._follower.stop()
            self._follower = None

    def _loaded(self) -> PassageIndex:
        """The index, loaded on first use: from the snapshot and the log entries after it,
        or from every record in the store."""
        if self._index is not None:
            return self._index
        with self._sync_lock:
            if self._index is None:
                snapshot = self._read_snapshot()
                if snapshot is None:
                    index = PassageIndex()
                    self._rebuild(index)
                else:
                    index = snapshot.index
                    self._cursor = snapshot.cursor
                    self._pending = {c.seq: c for c in snapshot.pending}
                    self._catch_up(index)
                self._synced_at = time.monotonic()
                self._index = index
        return self._index

    def _catch_up(self, index: PassageIndex) -> None:
        """Apply the log entries after the cursor (with `_sync_lock` held).

        A `begin` entry: its statements are read now (a writer killed midway has left
        them as they will stay) and again at its `end`, or when its lease runs out. An
        `end` entry: each statement whose committed hash is not the one held is read."""
        while True:
            changes = self.store.log.read(self._cursor, _LOG_BATCH)
            if changes is None:
                log.warning("the change log was trimmed past this index: reading every record")
                self._rebuild(index)
                return
            todo = set(self._unsettled)
            for change in changes:
                if change.kind == BEGIN:
                    self._pending[change.seq] = change
                    todo.update(change.statements)
                    continue
                self._pending.pop(change.begin, None)
                for sid, committed in change.statements.items():
                    held = index.statements.get(sid)
                    if committed is None or (held.content_hash if held else "") != committed:
                        todo.add(sid)
            now = time.time()
            for seq, change in list(self._pending.items()):
                if change.expires < now:  # its writer died, or gave up: as it is now is final
                    todo.update(change.statements)
                    del self._pending[seq]
            started = time.perf_counter()
            loaded, removed = self._refresh(index, sorted(todo))
            if changes:
                self._cursor = changes[-1].seq
            if loaded or removed:
                log.info(
                    "change log to entry %d applied: %d statements loaded, %d removed, %.2f s",
                    self._cursor,
                    loaded,
                    removed,
                    time.perf_counter() - started,
                )
            if len(changes) < _LOG_BATCH:
                return

    def _rebuild(self, index: PassageIndex) -> None:
        """Make the index hold exactly the committed statements, by content hash, reading
        every record; then follow the log from where it stood before the read."""
        started = time.perf_counter()
        head = self.store.log.head()
        open_writes = [c for c in self.store.log.open_writes(time.time()) if c.seq <= head]
        committed = self.store.all_content_hashes()
        held = {sid: info.content_hash for sid, info in index.statements.items()}
        gone = held.keys() - committed.keys()
        todo = sorted(sid for sid, h in committed.items() if held.get(sid) != h)
        loaded, removed = self._refresh(index, [*gone, *todo])
        with self._lock:
            index.shrink()
        self._cursor = head
        self._pending = {c.seq: c for c in open_writes}
        if loaded or removed:
            log.info(
                "index reconciled with every record: %d statements loaded, %d removed, %.2f s",
                loaded,
                removed,
                time.perf_counter() - started,
            )

    def _refresh(self, index: PassageIndex, statement_ids: Sequence[str]) -> tuple[int, int]:
        """Read these statements from the store and make the index hold what is committed
        (returns how many were loaded and removed). Store reads happen without the index
        lock; each batch is swapped in under it."""
        self._unsettled = set()
        loaded_count = removed_count = 0
        if not statement_ids:
            return 0, 0
        with self._lock:
            self._written_while_reading = set()
        try:
            for start in range(0, len(statement_ids), _LOAD_BATCH):
                batch = statement_ids[start : start + _LOAD_BATCH]
                with self._lock:
                    hashes = {
                        sid: info.content_hash
                        for sid in batch
                        if (info := index.statements.get(sid))
                    }
                reads = self.store.read_statements(batch, hashes)
                self._unsettled |= reads.unsettled
                if not reads.found:
                    continue
                with self._lock:
                    written_here = self._written_while_reading or set()
                    for sid, loaded in reads.found.items():
                        held = index.statements.get(sid)
                        if sid in written_here:
                            continue  # this process wrote it after the read began: newer
                        if loaded is None:
                            removed_count += held is not None
                            index.remove_statement(sid)
                        elif held is None or held.content_hash != loaded.info.content_hash:
                            texts = [embedding_text(p) for p in loaded.passages]
                            index.put_statement(loaded.info, loaded.passages, loaded.vectors, texts)
                            loaded_count += 1
                    self._speakers = None
                    self._groups = None
        finally:
            with self._lock:
                self._written_while_reading = None
        return loaded_count, removed_count

    # ---- snapshot -----------------------------------------------------------------------

    def save_snapshot(self) -> None:
        """Write the index to disk (atomically) so the next start need not rebuild it."""
        if self._snapshot is None:
            return
        with self._lock:
            if self._index is None:
                return
            self._snapshot.parent.mkdir(parents=True, exist_ok=True)
            # Replicas may share the snapshot's folder (a volume), each as process 1.
            partial = self._snapshot.with_suffix(f".{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
            pending = tuple(self._pending.values())
            saved = (_snapshot_layout(), self._model, self._cursor, pending, self._index)
            with partial.open("wb") as f:
                pickle.dump(saved, f, protocol=5)
            partial.replace(self._snapshot)

    def _read_snapshot(self) -> _Snapshot | None:
        if self._snapshot is None or not self._snapshot.exists():
            return None
        try:
            with self._snapshot.open("rb") as f:
                version, model, cursor, pending, index = pickle.load(f)
        except Exception as exc:  # a damaged snapshot is only a slower start
            log.warning("ignoring the index snapshot %s: %s", self._snapshot, exc)
            return None
        if version != _snapshot_layout() or model != self._model:
            return None
        if not isinstance(index, PassageIndex) or not isinstance(cursor, int):
            return None
        if cursor > self.store.log.head():  # a log that was reset: the snapshot is of another store
            return None
        return _Snapshot(index, cursor, tuple(pending))


def stored_vectors(
    store: ChromaStore, statement_ids: Sequence[str]
) -> dict[str, NDArray[np.float32]]:
    """Embedded text -> vector, for the stored passages of these statements."""
    return {
        embedding_text(passage): vector
        for loaded in store.read_statements(statement_ids).found.values()
        if loaded is not None
        for passage, vector in zip(loaded.passages, loaded.vectors, strict=True)
    }


@dataclasses.dataclass(frozen=True, slots=True)
class _Snapshot:
    index: PassageIndex
    cursor: int
    """The last change log entry the index had applied when it was saved."""
    pending: tuple[Change, ...]
