"""Passages as columns, for the index snapshot: quick to pickle, quick to load.

Pickling 90k `Passage` objects one by one costs ~5 s to load (each frozen dataclass is
rebuilt field by field through its pickled state). As columns (lists of strings, numpy
arrays, and the few distinct statement headers and speaker lists) the same passages load
in a fraction of that, and the fields passages of one statement share (title, speaker,
date, source) are held once instead of once per passage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rag.types import DateSpan, Passage

_Header = tuple[str, str | None, str | None, DateSpan | None, str | None]
_NONE = -1  # a removed row


@dataclass(frozen=True, slots=True)
class PassageColumns:
    ids: list[str]
    texts: list[str]
    numbers: NDArray[np.int32]
    """One row per passage: index, start, end, header, speakers, page (header -1: a removed
    row; page 0: none)."""
    headers: list[_Header]
    speakers: list[tuple[str, ...]]
    instructions: dict[int, tuple[tuple[int, int], ...]]
    """Row -> the passage's sentences flagged as instructions (few passages have any)."""

    @classmethod
    def of(cls, passages: Sequence[Passage | None]) -> PassageColumns:
        headers: dict[_Header, int] = {}
        speakers: dict[tuple[str, ...], int] = {}
        numbers = np.full((len(passages), 6), _NONE, dtype=np.int32)
        ids, texts = [], []
        instructions: dict[int, tuple[tuple[int, int], ...]] = {}
        for row, p in enumerate(passages):
            ids.append(p.id if p else "")
            texts.append(p.text if p else "")
            if p is None:
                continue
            if p.instructions:
                instructions[row] = p.instructions
            header = (p.statement_id, p.title, p.speaker, p.date, p.source_url)
            numbers[row] = (
                p.index,
                p.start,
                p.end,
                headers.setdefault(header, len(headers)),
                speakers.setdefault(p.speakers, len(speakers)),
                p.page or 0,
            )
        return cls(ids, texts, numbers, list(headers), list(speakers), instructions)

    def passages(self) -> list[Passage | None]:
        rows = enumerate(zip(self.ids, self.texts, self.numbers.tolist(), strict=True))
        return [
            None
            if header == _NONE
            else self._passage(row, pid, text, index, start, end, header, who, page)
            for row, (pid, text, (index, start, end, header, who, page)) in rows
        ]

    def _passage(
        self,
        row: int,
        pid: str,
        text: str,
        index: int,
        start: int,
        end: int,
        header: int,
        who: int,
        page: int,
    ) -> Passage:
        statement_id, title, speaker, date, source_url = self.headers[header]
        return Passage(
            pid,
            statement_id,
            index,
            start,
            end,
            text,
            title,
            speaker,
            date,
            source_url,
            self.speakers[who],
            page or None,
            self.instructions.get(row, ()),
        )
