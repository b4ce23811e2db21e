"""Statement -> sentences -> passages, keeping exact character offsets.

Pure functions. Every span satisfies `text[start:end] == span text`, with
surrounding whitespace trimmed, so citations can point into the original.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from rag.tokens import Tokenizer
from rag.types import Passage, Statement

# Words after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen sen rep gov lt col capt sgt maj adm cmdr st jr sr amb hon rev no
    nos vs etc al fig jan feb mar apr jun jul aug sep sept oct nov dec mt ft inc ltd co corp
    dept est approx e.g i.e u.s u.k u.n a.m p.m d.c""".split()
)
_CLOSERS = "\"'”’)]»"
# A candidate end: terminal punctuation, optional closing quotes, then whitespace.
_END = re.compile(r"[.!?…]+[" + re.escape(_CLOSERS) + r"]*(?=\s)")
_PARAGRAPH = re.compile(
    r"\n[ \t]*\n|\n(?=[ \t]*(?:[-*•]\s|#{1,6}\s|\d+\.\s|[A-Z][A-Z .'’-]{1,40}:))"
)
_STARTER = re.compile(r"\s+[\"'“‘(\[«]?[A-Z0-9]")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the period at `dot` belongs to an abbreviation or an initial."""
    match = _WORD_BEFORE.search(text[max(0, dot - 40) : dot])
    if not match:
        return False
    word = match.group(1).lower().strip(".")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _boundaries(text: str) -> Iterator[int]:
    """Offsets where one sentence ends and the next may begin."""
    for paragraph in _PARAGRAPH.finditer(text):
        yield paragraph.start()
    for end in _END.finditer(text):
        if not _STARTER.match(text, end.end()):
            continue
        if (
            text[end.start()] == "."
            and end.end() - end.start() == 1
            and _is_abbreviation(text, end.start())
        ):
            continue
        yield end.end()


def split_sentences(text: str) -> list[Span]:
    """Sentence spans of `text`, in order, covering all non-whitespace text."""
    cuts = sorted({0, len(text), *_boundaries(text)})
    spans = (_trimmed(text, a, b) for a, b in pairwise(cuts))
    return [span for span in spans if span is not None]


def _split_long(text: str, span: Span, tokenizer: Tokenizer, max_tokens: int) -> list[Span]:
    """Cut a sentence longer than `max_tokens` at word boundaries."""
    pieces: list[Span] = []
    start = span.start
    used = 0
    last_end = span.start
    for word in re.finditer(r"\S+", text[span.start : span.end]):
        w_start, w_end = span.start + word.start(), span.start + word.end()
        cost = len(tokenizer.encode_ordinary(" " + word.group()))
        if used and used + cost > max_tokens:
            pieces.append(Span(start, last_end))
            start, used = w_start, 0
        used += cost
        last_end = w_end
    pieces.append(Span(start, last_end))
    return pieces


@dataclass(frozen=True, slots=True)
class ChunkConfig:
    max_tokens: int = 180
    overlap_tokens: int = 30


def chunk_spans(text: str, tokenizer: Tokenizer, config: ChunkConfig) -> list[Span]:
    """Passage spans: runs of whole sentences within `max_tokens`, overlapping a little.

    The overlap repeats the last sentences of a passage (up to `overlap_tokens`)
    at the start of the next, so a claim split across passages is still found.
    """
    sentences: list[tuple[Span, int]] = []
    for span in split_sentences(text):
        cost = len(tokenizer.encode_ordinary(text[span.start : span.end]))
        if cost > config.max_tokens:
            sentences.extend(
                (piece, len(tokenizer.encode_ordinary(text[piece.start : piece.end])))
                for piece in _split_long(text, span, tokenizer, config.max_tokens)
            )
        else:
            sentences.append((span, cost))

    passages: list[Span] = []
    current: list[tuple[Span, int]] = []
    used = 0
    for sentence, cost in sentences:
        if current and used + cost > config.max_tokens:
            passages.append(Span(current[0][0].start, current[-1][0].end))
            current, used = _overlap_tail(current, config.overlap_tokens, config.max_tokens - cost)
        current.append((sentence, cost))
        used += cost
    if current:
        passages.append(Span(current[0][0].start, current[-1][0].end))
    return passages


def _overlap_tail(
    sentences: list[tuple[Span, int]], overlap_tokens: int, room: int
) -> tuple[list[tuple[Span, int]], int]:
    tail: list[tuple[Span, int]] = []
    used = 0
    for sentence, cost in reversed(sentences[1:]):
        if used + cost > min(overlap_tokens, room):
            break
        tail.insert(0, (sentence, cost))
        used += cost
    return tail, used


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
