"""Every check of an answer's sentences against what they cite, in one place.

(placeholder while the checks are built)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from rag.answering.claims import check_claims
from rag.answering.leaks import Screened, screen
from rag.answering.quotations import check_quotations
from rag.types import Citation, Passage, QuoteRecord


def cited_text(passage: Passage) -> str:
    from rag.embedding.embedder import embedding_text

    speakers = ", ".join(n for n in passage.speakers if n != passage.speaker)
    return f"{embedding_text(passage)}\n{speakers}" if speakers else embedding_text(passage)


def check_answer(
    text: str,
    citations: Sequence[Citation],
    passages: Sequence[Passage],
    *,
    question: str,
    quotes: Sequence[QuoteRecord],
    instructions: str,
) -> Screened:
    by_id = {p.id: p for p in passages}
    cited = {c.marker: cited_text(by_id[c.passage_id]) for c in citations}
    by_marker = {c.marker: by_id[c.passage_id] for c in citations}
    claims = list(check_claims(text, cited, question=question))
    for i, claim in enumerate(claims):
        if not claim.supported or not claim.markers:
            continue
        reason = check_quotations(
            claim.text, [by_marker[m] for m in claim.markers if m in by_marker], quotes
        )
        if reason:
            claims[i] = replace(claim, supported=False, reason=reason)
    return screen(text, tuple(claims), citations, passages, instructions)
