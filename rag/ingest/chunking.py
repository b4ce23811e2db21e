"""Statement -> sentences -> passages, keeping exact character offsets.

Pure functions. Every span satisfies `text[start:end] == span text`, with
surrounding whitespace trimmed, so citations can point into the original.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.embedding.embedder import embedding_header
from rag.embedding.wordpieces import WordPieces
from rag.text.sentences import Span, split_sentences
from rag.text.tokens import Tokenizer
from rag.types import Passage, Statement, passage_id

Cost = Callable[[int, int], int]
Fits = Callable[[int, int], bool]
"""Whether text[start:end] is small enough to be one passage."""


def _split_long(text: str, span: Span, fits: Fits, max_chars: int) -> list[Span]:
    """Cut a sentence too long for a passage at word boundaries (a giant word by characters)."""
    pieces: list[Span] = []
    start: int | None = None
    last_end = span.start
    for word in re.finditer(r"\S+", text[span.start : span.end]):
        w_start, w_end = span.start + word.start(), span.start + word.end()
        if not fits(w_start, w_end):
            if start is not None:
                pieces.append(Span(start, last_end))
                start = None
            pieces.extend(
                Span(at, min(at + max_chars, w_end)) for at in range(w_start, w_end, max_chars)
            )
            continue
        if start is not None and not fits(start, w_end):
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


@dataclass(frozen=True, slots=True)
class ModelTokens:
    """What the embedding model allows a passage of one text: `budget` of its tokens, counted
    by `quick` (from one pass over the whole text: exact for spans that start and end at
    whitespace) or by `exact` (tokenising the span itself)."""

    budget: int
    quick: Cost
    exact: Cost


def chunk_spans(
    text: str, tokenizer: Tokenizer, config: ChunkConfig, model: ModelTokens | None = None
) -> list[Span]:
    """Passage spans: runs of whole sentences within `max_tokens`, overlapping a little.

    Token counts are of the exact passage text, whitespace between sentences
    included. The overlap repeats the last sentences of a passage (up to
    `overlap_tokens`) at the start of the next, so a claim split across passages
    is still found. With `model`, no passage costs more than its budget of the
    embedding model's tokens either.
    """
    chunks = _chunk(text, tokenizer, config, (model.budget, model.quick) if model else None)
    if model is not None and any(_inside_word(text, c) for c in chunks):
        # A giant word cut into pieces: count those passages' tokens themselves.
        return _chunk(text, tokenizer, config, (model.budget, model.exact))
    return chunks


def _inside_word(text: str, span: Span) -> bool:
    """Whether the span starts or ends inside a word."""
    return (span.start > 0 and not text[span.start - 1].isspace()) or (
        span.end < len(text) and not text[span.end].isspace()
    )


def _chunk(
    text: str, tokenizer: Tokenizer, config: ChunkConfig, model: tuple[int, Cost] | None
) -> list[Span]:
    def cost(start: int, end: int) -> int:
        return len(tokenizer.encode_ordinary(text[start:end]))

    def fits(start: int, end: int) -> bool:
        if cost(start, end) > config.max_tokens:
            return False
        return model is None or model[1](start, end) <= model[0]

    def packs(run: list[Span]) -> bool:
        """Whether a run of units makes one passage."""
        return fits(run[0].start, run[-1].end)

    units: list[Span] = []
    for span in split_sentences(text):
        if fits(span.start, span.end):
            units.append(span)
        else:
            units.extend(_split_long(text, span, fits, config.max_tokens))

    passages: list[Span] = []
    current: list[Span] = []
    for unit in units:
        if current and not packs([*current, unit]):
            passages.append(Span(current[0].start, current[-1].end))
            current = _overlap_tail(current, unit, cost, packs, config)
        current.append(unit)
    if current:
        passages.append(Span(current[0].start, current[-1].end))
    return passages


def _overlap_tail(
    current: list[Span],
    following: Span,
    cost: Cost,
    packs: Callable[[list[Span]], bool],
    config: ChunkConfig,
) -> list[Span]:
    """The longest run of final sentences (never the whole passage) to repeat before `following`."""
    for first in range(1, len(current)):
        tail = current[first:]
        if cost(tail[0].start, tail[-1].end) <= config.overlap_tokens and packs([*tail, following]):
            return tail
    return []


def model_tokens(statement: Statement, wordpieces: WordPieces) -> ModelTokens:
    """The model's budget for this statement's passages: its limit less the header
    (`embedding_text`) and [CLS] and [SEP], which count() includes."""
    header = embedding_header(
        statement.title, statement.speaker, statement.date.text if statement.date else None
    )
    text = statement.text
    starts, ends = wordpieces.offsets(text)

    def quick(start: int, end: int) -> int:
        return bisect.bisect_right(ends, end) - bisect.bisect_left(starts, start)

    def exact(start: int, end: int) -> int:
        return wordpieces.count(text[start:end]) - 2

    return ModelTokens(wordpieces.limit - wordpieces.count(header), quick, exact)


def chunk_statement(
    statement: Statement,
    content_hash: str,
    tokenizer: Tokenizer,
    config: ChunkConfig,
    wordpieces: WordPieces | None = None,
) -> list[Passage]:
    """The statement's passages. With `wordpieces` (the embedding model's tokenizer), none is
    longer than the model reads, header included (`embedding_text`): such a passage is cut
    further, so the model never truncates one."""
    model = None if wordpieces is None else model_tokens(statement, wordpieces)
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
        for index, span in enumerate(chunk_spans(statement.text, tokenizer, config, model))
    ]
