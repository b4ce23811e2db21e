"""The passages of the search index, as columns: small in memory, quick to pickle and load.

A `Passage` object per row costs ~1 KB more than its words (the object, its id, and its
title, speaker, date and source again, where a rebuild from Chroma reads them once per
row), and its text as a Python string takes two bytes a character as soon as one curly
quote is in it. Here a row is its statement (a reference to the one `StatementInfo`, which
holds the title, speaker, date and source its passages share) and six numbers (index,
start, end, which of the distinct speaker lists speaks, its place among its statement's
passages, and its page); the passage id is computed (`rag.types.passage_id`). The texts
of a statement's passages are kept together, zlib-compressed: passages overlap and
statements repeat their words, so they take about a third of their UTF-8 size
(benchmarks/README.md). A search reads the texts of the few passages it returns; the last
statements read are kept decompressed. `Passage` objects are made when asked for. The
snapshot pickles these columns as they are.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rag.types import DateSpan, Found, Passage, StatementInfo, passage_id

_FIELDS = 6  # index, start, end, speakers, slot, page (0: none)
_SEPARATOR = "\x00"  # not in any passage: readers refuse NUL characters in text
_DECODED = 64
"""Statements whose passage texts are kept decompressed (the most recently read)."""


class PassageColumns:
    def __init__(self) -> None:
        self._statements: list[StatementInfo | None] = []
        """Per row, its statement (None for a removed row)."""
        self._numbers = array("i")
        """Per row: index, start, end, its speakers' place in `_speaker_lists`, its place
        among its statement's texts, and its page (0 for none)."""
        self._instructions: dict[int, tuple[tuple[int, int], ...]] = {}
        """Row -> the passage's sentences flagged as instructions (few passages have any)."""
        self._texts: dict[str, bytes] = {}
        """Statement id -> its passages' texts, joined and compressed."""
        self._speaker_lists: list[tuple[str, ...]] = []
        self._speaker_list_ids: dict[tuple[str, ...], int] = {}
        self._decoded: dict[str, list[str]] = {}

    def __len__(self) -> int:
        return len(self._statements)

    def append(self, info: StatementInfo, passages: Sequence[Passage]) -> None:
        """Add a statement's passages as rows at the end. They must be the statement's: ids
        and shared fields as the statement gives them."""
        for slot, p in enumerate(passages):
            if p.id != passage_id(info.id, info.content_hash, p.index) or (
                p.statement_id,
                p.title,
                p.speaker,
                p.date,
                p.source_url,
            ) != (info.id, info.title, info.speaker, info.date, info.source_url):
                raise ValueError(f"passage {p.id} does not belong to statement {info.id}")
            if _SEPARATOR in p.text:
                raise ValueError(f"passage {p.id} holds a NUL character")
            who = self._speaker_list_ids.setdefault(p.speakers, len(self._speaker_lists))
            if who == len(self._speaker_lists):
                self._speaker_lists.append(p.speakers)
            if p.instructions:
                self._instructions[len(self._statements)] = p.instructions
            self._statements.append(info)
            self._numbers.extend((p.index, p.start, p.end, who, slot, p.page or 0))
        if passages:
            joined = _SEPARATOR.join(p.text for p in passages)
            self._texts[info.id] = zlib.compress(joined.encode())
            self._decoded.pop(info.id, None)

    def remove(self, rows: Iterable[int]) -> None:
        for row in rows:
            info = self._statements[row]
            if info is not None:
                self._texts.pop(info.id, None)
                self._decoded.pop(info.id, None)
            self._statements[row] = None
            self._instructions.pop(row, None)

    def keep(self, rows: NDArray[np.int64]) -> None:
        """Only these rows, in this order (the index compacting)."""
        numbers = np.frombuffer(self._numbers, dtype=np.int32).reshape(-1, _FIELDS)
        new_row = {int(old): new for new, old in enumerate(rows)}
        self._statements = [self._statements[r] for r in rows]
        self._numbers = array("i", numbers[rows].tobytes())
        self._instructions = {
            new_row[old]: spans for old, spans in self._instructions.items() if old in new_row
        }

    def statement(self, row: int) -> StatementInfo:
        info = self._statements[row]
        if info is None:
            raise KeyError(f"row {row} was removed")
        return info

    def date(self, row: int) -> DateSpan | None:
        return self.statement(row).date

    def found(self, row: int, score: float) -> Found:
        """What ranking needs of a row, without reading its text."""
        info = self.statement(row)
        index, who = self._numbers[_FIELDS * row], self._numbers[_FIELDS * row + 3]
        return Found(
            passage_id(info.id, info.content_hash, index),
            info.id,
            self._speaker_lists[who],
            score,
        )

    def passage(self, row: int) -> Passage:
        info = self.statement(row)
        index, start, end, who, slot, page = self._numbers[_FIELDS * row : _FIELDS * row + _FIELDS]
        return Passage(
            passage_id(info.id, info.content_hash, index),
            info.id,
            index,
            start,
            end,
            self._texts_of(info.id)[slot],
            info.title,
            info.speaker,
            info.date,
            info.source_url,
            self._speaker_lists[who],
            page or None,
            self._instructions.get(row, ()),
        )

    def _texts_of(self, statement_id: str) -> list[str]:
        texts = self._decoded.get(statement_id)
        if texts is None:
            texts = zlib.decompress(self._texts[statement_id]).decode().split(_SEPARATOR)
            if len(self._decoded) >= _DECODED:
                del self._decoded[next(iter(self._decoded))]
            self._decoded[statement_id] = texts
        return texts

    def __getstate__(self) -> dict[str, Any]:
        return {**vars(self), "_decoded": {}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)
