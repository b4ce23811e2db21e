"""Answerers propose an answer with citations; `citations.verify` decides what is passed on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from rag.types import Draft, ScoredPassage


class Answerer(Protocol):
    name: str

    def answer(
        self, question: str, passages: Sequence[ScoredPassage], topic: str | None = None
    ) -> Draft:
        """Answer from `passages` only; cite them by passage id with verbatim quotes.

        `topic` is what the question asks about once its speakers, dates and framing
        are set aside ("Haiti" in "What did Ruto say about Haiti in 2023?"), when known.
        """
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
