"""Statement -> sentences -> passages, keeping exact character offsets.

Pure functions. Every span satisfies `text[start:end] == span text`, with
surrounding whitespace trimmed, so citations can point into the original.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise

from rag.text.tokens import Tokenizer
from rag.types import Passage, Statement

# Words after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen sen rep gov lt col capt sgt maj adm cmdr st jr sr amb hon rev no
    nos vs etc al fig jan feb mar apr jun jul aug sep sept oct nov dec mt ft inc ltd co corp
    dept est approx e.g i.e u.s u.k u.n a.m p.m d.c res h.r h.j s.j""".split()
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
    initialism = "." in word and all(len(part) <= 2 for part in word.split("."))
    return word in _ABBREVIATIONS or initialism or (len(word) == 1 and word.isalpha())


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
