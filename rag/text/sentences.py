"""Sentences of a text as exact character spans: the one sentence splitter of the package.

Chunking, claim checks, the output guard, quotations and attribution all cut text here, so
they agree on where a sentence ends. Every span satisfies `text[start:end] == sentence`, with
surrounding whitespace trimmed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from rag.text.vocabulary import ABBREVIATIONS

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
    return word in ABBREVIATIONS or initialism or (len(word) == 1 and word.isalpha())


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
