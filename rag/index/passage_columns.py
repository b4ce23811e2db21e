"""The passages of the search index, as columns: small in memory, quick to pickle and load.

A `Passage` object per row costs ~1 KB more than its words (the object, its id, and its
title, speaker, date and source again, where a rebuild from Chroma reads them once per
row). Here a row is its statement (a reference to the one `StatementInfo`, which holds the
title, speaker, date and source the statement's passages share), four numbers (index,
start, end, and which of the distinct speaker lists speaks), and its text as UTF-8 bytes;
the passage id is computed (`rag.types.passage_id`). `Passage` objects are made when asked
for. The same columns are what the index snapshot pickles, so a start loads them as they are.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

from rag.types import DateSpan, Passage, StatementInfo, passage_id

_FIELDS = 4  # index, start, end, speakers


class PassageColumns:
    def __init__(self) -> None:
        self._statements: list[StatementInfo | None] = []
        """Per row, its statement (None for a removed row)."""
        self._numbers = array("i")
        """Per row: index, start, end, and its speakers' position in `_speaker_lists`."""
        self._texts: list[bytes] = []
        self._speaker_lists: list[tuple[str, ...]] = []
        self._speaker_list_ids: dict[tuple[str, ...], int] = {}

    def __len__(self) -> int:
        return len(self._statements)

    def append(self, info: StatementInfo, passages: Sequence[Passage]) -> None:
        """Add a statement's passages as rows at the end. They must be the statement's: ids
        and shared fields as the statement gives them."""
        for p in passages:
            if p.id != passage_id(info.id, info.content_hash, p.index) or (
                p.statement_id,
                p.title,
                p.speaker,
                p.date,
                p.source_url,
            ) != (info.id, info.title, info.speaker, info.date, info.source_url):
                raise ValueError(f"passage {p.id} does not belong to statement {info.id}")
            who = self._speaker_list_ids.setdefault(p.speakers, len(self._speaker_lists))
            if who == len(self._speaker_lists):
                self._speaker_lists.append(p.speakers)
            self._statements.append(info)
            self._numbers.extend((p.index, p.start, p.end, who))
            self._texts.append(p.text.encode())

    def remove(self, rows: Iterable[int]) -> None:
        for row in rows:
            self._statements[row] = None
            self._texts[row] = b""

    def keep(self, rows: NDArray[np.int64]) -> None:
        """Only these rows, in this order (the index compacting)."""
        numbers = np.frombuffer(self._numbers, dtype=np.int32).reshape(-1, _FIELDS)
        self._statements = [self._statements[r] for r in rows]
        self._texts = [self._texts[r] for r in rows]
        self._numbers = array("i", numbers[rows].tobytes())

    def statement(self, row: int) -> StatementInfo:
        info = self._statements[row]
        if info is None:
            raise KeyError(f"row {row} was removed")
        return info

    def date(self, row: int) -> DateSpan | None:
        return self.statement(row).date

    def passage(self, row: int) -> Passage:
        info = self.statement(row)
        index, start, end, who = self._numbers[_FIELDS * row : _FIELDS * row + _FIELDS]
        return Passage(
            passage_id(info.id, info.content_hash, index),
            info.id,
            index,
            start,
            end,
            self._texts[row].decode(),
            info.title,
            info.speaker,
            info.date,
            info.source_url,
            self._speaker_lists[who],
        )
