"""The change log: every write to the store, in one order that every replica reads.

A Chroma collection of entries numbered 1, 2, 3, ... A writer takes the next number by
adding an entry under it. Chroma ignores an `add` of an id that exists (the first add of an
id wins, in the order the server applies writes), so reading the entry back tells the writer
whether the number is its own or it must try the next. A number is only tried above one
seen taken, so the log has no holes: a reader that has applied entries 1..c reads c+1,
c+2, ... and can never skip an entry that becomes visible later. Entries far behind the
head are trimmed; a reader that far behind reads the whole store instead (`read` says so).

A write is two entries. `begin`, before it touches the store: the statement ids it will
touch and its lease, the time by which it commits or gives up. `end`, after: each
statement's committed content hash ("" when deleted). docs/scaling.md argues why replicas
that apply these entries end equal to the store, whatever the interleaving.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rag.index.chroma_calls import chroma_call

BEGIN = "begin"
END = "end"
TRIM_EVERY = 4096
"""The writer that takes a multiple of this number trims the log."""
KEEP = 100_000
"""Entries kept behind the head; a reader further behind rebuilds from the store."""
_READ = 256
_SCAN = 10_000
_VECTOR = [1.0]  # entries are looked up by number, never by similarity


@dataclass(frozen=True, slots=True)
class Change:
    seq: int
    kind: str
    begin: int
    """The number of the write's `begin` entry (its own number for a `begin`)."""
    expires: float
    """For a `begin`: the lease's end (Unix time). A write never commits after it."""
    statements: dict[str, str | None]
    """`begin`: the ids the write will touch (values None). `end`: each id's committed
    content hash, "" when deleted, None when unknown (the write failed midway)."""


def entry_id(seq: int) -> str:
    return f"{seq:016d}"


class ChangeLog:
    def __init__(
        self, entries: Any, writer: str, keep: int = KEEP, trim_every: int = TRIM_EVERY
    ) -> None:
        self._entries = entries
        self._writer = writer
        self._keep = keep
        self._trim_every = trim_every
        self._hint = 0
        """A number known to be taken (or 0): where the search for the head starts."""

    # ---- writing ----------------------------------------------------------------------

    def begin(self, statement_ids: Sequence[str], lease_seconds: float) -> Change:
        expires = time.time() + lease_seconds
        statements: dict[str, str | None] = dict.fromkeys(statement_ids)
        seq = self._take(BEGIN, None, expires, statements)
        return Change(seq, BEGIN, seq, expires, statements)

    def end(self, begin: Change, statements: Mapping[str, str | None]) -> Change:
        seq = self._take(END, begin.seq, 0.0, dict(statements))
        return Change(seq, END, begin.seq, 0.0, dict(statements))

    def _take(
        self, kind: str, begin: int | None, expires: float, statements: dict[str, str | None]
    ) -> int:
        """Add an entry under the next free number; the first add of a number wins."""
        claim = uuid.uuid4().hex
        document = json.dumps(statements, ensure_ascii=False)
        seq = self._last_taken(self._hint) + 1
        while True:
            meta = dict(
                seq=seq,
                kind=kind,
                begin=seq if begin is None else begin,
                expires=expires,
                writer=self._writer,
                claim=claim,
            )
            with chroma_call("append to the change log"):
                self._entries.add(
                    ids=[entry_id(seq)],
                    embeddings=[_VECTOR],
                    metadatas=[meta],
                    documents=[document],
                )
                got = self._entries.get(ids=[entry_id(seq)], include=["metadatas"])
            if got["ids"] and got["metadatas"][0].get("claim") == claim:
                self._hint = max(self._hint, seq)
                self._trim(seq)
                return seq
            seq = self._last_taken(seq) + 1  # another writer took it: past what is taken now

    def _trim(self, seq: int) -> None:
        if seq % self._trim_every or seq <= self._keep:
            return
        below = seq - self._keep  # each trim takes the next `trim_every` numbers below this
        with chroma_call("trim the change log"):
            self._entries.delete(
                ids=[entry_id(s) for s in range(max(1, below - self._trim_every), below)]
            )

    # ---- reading ----------------------------------------------------------------------

    def head(self) -> int:
        """The highest number taken (0 for an empty log)."""
        return self._last_taken(self._hint)

    def _last_taken(self, after: int) -> int:
        while True:
            with chroma_call("read the change log"):
                got = self._entries.get(where={"seq": {"$gt": after}}, include=[], limit=_SCAN)
            if not got["ids"]:
                self._hint = max(self._hint, after)
                return after
            after = max(int(i) for i in got["ids"])

    def read(self, cursor: int, limit: int = _READ) -> list[Change] | None:
        """The entries after `cursor`, in order (at most `limit`); None when some of them
        were trimmed, so a reader at `cursor` must read the whole store instead."""
        ids = [entry_id(s) for s in range(cursor + 1, cursor + limit + 1)]
        with chroma_call("read the change log"):
            got = self._entries.get(ids=ids, include=["metadatas", "documents"])
        found = {
            int(meta["seq"]): _change(meta, document)
            for meta, document in zip(got["metadatas"], got["documents"], strict=True)
        }
        changes: list[Change] = []
        while cursor + 1 + len(changes) in found:
            changes.append(found[cursor + 1 + len(changes)])
        if changes:
            self._hint = max(self._hint, changes[-1].seq)
            return changes
        with chroma_call("read the change log"):
            later = self._entries.get(where={"seq": {"$gt": cursor}}, include=[], limit=1)
        return None if later["ids"] else []

    def open_writes(self, now: float) -> list[Change]:
        """`begin` entries whose lease has not run out: writes that may still commit."""
        where = {"$and": [{"kind": BEGIN}, {"expires": {"$gt": now}}]}
        with chroma_call("read the change log"):
            got = self._entries.get(where=where, include=["metadatas", "documents"])
        return sorted(
            (_change(m, d) for m, d in zip(got["metadatas"], got["documents"], strict=True)),
            key=lambda c: c.seq,
        )


def _change(meta: Mapping[str, Any], document: str) -> Change:
    return Change(
        seq=int(meta["seq"]),
        kind=str(meta["kind"]),
        begin=int(meta["begin"]),
        expires=float(meta["expires"]),
        statements=json.loads(document),
    )
