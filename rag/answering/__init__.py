"""Answerers propose an answer with citations; `citations.verify` decides what is passed on."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from rag.types import Draft, QuoteRecord, ScoredPassage


@dataclass(frozen=True, slots=True)
class Question:
    """A question as the answerers see it: the words, and what retrieval read from them."""

    text: str
    topic: str | None = None
    """What it asks about with speakers, dates and framing set aside ("Haiti"), when known."""
    speakers: tuple[str, ...] = ()
    """People the question names (canonical names): their own words are preferred."""
    quotes: tuple[QuoteRecord, ...] = ()
    """Direct quotations inside the passages retrieved, with who said them."""


TextListener = Callable[[str], None]
"""Takes a draft's text piece by piece as the model writes it: unchecked, to be replaced."""


class Answerer(Protocol):
    name: str

    @property
    def instructions(self) -> str:
        """What the answerer tells its model, which no answer may repeat ("" without one)."""
        ...

    def answer(
        self,
        question: Question,
        passages: Sequence[ScoredPassage],
        on_text: TextListener | None = None,
    ) -> Draft:
        """Answer from `passages` only; cite them by passage id with verbatim quotes. An
        answerer that writes its draft over time passes the text to `on_text` as it goes;
        one that has it whole at once (extractive) does not call it."""
        ...

    def answer_again(
        self,
        question: Question,
        passages: Sequence[ScoredPassage],
        problems: Sequence[str],
        on_text: TextListener | None = None,
    ) -> Draft:
        """Answer once more, told what failed the checks the first time."""
        ...


NOT_IN_STATEMENTS = "The statements don't say."


def refusal(answerer: str, reason: str, prompt_hash: str | None = None) -> Draft:
    """A declined answer: says the statements don't say, and why."""
    return Draft(
        text=f"{NOT_IN_STATEMENTS} {reason}".strip(),
        citations=(),
        answerable=False,
        answerer=answerer,
        prompt_hash=prompt_hash,
    )


_COUNT = re.compile(r"\b\d+ statements?\b")


def statements(count: int) -> str:
    """ "1 statement", "4 statements": how headings count what an answer quotes."""
    return f"{count} statement" if count == 1 else f"{count} statements"


def recount(text: str, count: int) -> str:
    """`text` with the count in its heading ("From 4 statements:", a first line ending in a
    colon) set to `count`, the statements still cited once unsupported lines are removed."""
    first, newline, rest = text.partition("\n")
    if not first.rstrip().endswith(":"):
        return text
    return _COUNT.sub(statements(count), first, count=1) + newline + rest
