"""Statement -> sentences -> passages, keeping exact character offsets.

Pure functions. Every span satisfies `text[start:end] == span text`, with
surrounding whitespace trimmed, so citations can point into the original.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.text.sentences import Span, split_sentences
from rag.text.tokens import Tokenizer
from rag.types import Passage, Statement

Cost = Callable[[int, int], int]


def _split_long(text: str, span: Span, cost: Cost, max_tokens: int) -> list[Span]:
    """Cut a sentence longer than `max_tokens` at word boundaries (a giant word by characters)."""
    pieces: list[Span] = []
    start: int | None = None
    last_end = span.start
    for word in re.finditer(r"\S+", text[span.start : span.end]):
        w_start, w_end = span.start + word.start(), span.start + word.end()
        if cost(w_start, w_end) > max_tokens:
            if start is not None:
                pieces.append(Span(start, last_end))
                start = None
            pieces.extend(
                Span(at, min(at + max_tokens, w_end)) for at in range(w_start, w_end, max_tokens)
            )
            continue
        if start is not None and cost(start, w_end) > max_tokens:
            pieces.append(Span(start, last_end))
            start = None
        if start is None:
            start = w_start
        last_end = w_end
    if start is not None:
        pieces.append(Span(start, last_end))
    return pieces


@dataclass(frozen=True, slots=True)
class ChunkConfig:
    max_tokens: int = 180
    overlap_tokens: int = 30


def chunk_spans(text: str, tokenizer: Tokenizer, config: ChunkConfig) -> list[Span]:
    """Passage spans: runs of whole sentences within `max_tokens`, overlapping a little.

    Token counts are of the exact passage text, whitespace between sentences
    included. The overlap repeats the last sentences of a passage (up to
    `overlap_tokens`) at the start of the next, so a claim split across passages
    is still found.
    """

    def cost(start: int, end: int) -> int:
        return len(tokenizer.encode_ordinary(text[start:end]))

    units: list[Span] = []
    for span in split_sentences(text):
        if cost(span.start, span.end) > config.max_tokens:
            units.extend(_split_long(text, span, cost, config.max_tokens))
        else:
            units.append(span)

    passages: list[Span] = []
    current: list[Span] = []
    for unit in units:
        if current and cost(current[0].start, unit.end) > config.max_tokens:
            passages.append(Span(current[0].start, current[-1].end))
            current = _overlap_tail(current, unit, cost, config)
        current.append(unit)
    if current:
        passages.append(Span(current[0].start, current[-1].end))
    return passages


def _overlap_tail(
    current: list[Span], following: Span, cost: Cost, config: ChunkConfig
) -> list[Span]:
    """The longest run of final sentences (never the whole passage) to repeat before `following`."""
    for first in range(1, len(current)):
        tail = current[first:]
        if (
            cost(tail[0].start, tail[-1].end) <= config.overlap_tokens
            and cost(tail[0].start, following.end) <= config.max_tokens
        ):
            return tail
    return []


def passage_id(statement_id: str, content_hash: str, index: int) -> str:
    """Passage ids carry the statement's content hash, so old and new versions never collide."""
    return f"{statement_id}#{content_hash[:12]}:{index}"


def chunk_statement(
    statement: Statement, content_hash: str, tokenizer: Tokenizer, config: ChunkConfig
) -> list[Passage]:
    return [
        Passage(
            id=passage_id(statement.id, content_hash, index),
            statement_id=statement.id,
            index=index,
            start=span.start,
            end=span.end,
            text=statement.text[span.start : span.end],
            title=statement.title,
            speaker=statement.speaker,
            date=statement.date,
            source_url=statement.source_url,
        )
        for index, span in enumerate(chunk_spans(statement.text, tokenizer, config))
    ]
