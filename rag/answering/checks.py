"""Every check of an answer's sentences against what they cite, in one place.

`Asker.check` (after `citations.verify`) and the eval scripts call `check_answer`:

1. each sentence against the texts its markers cite (rag.answering.claims: its numbers, dates
   and names, its words, and rag.answering.entailment: negations, opposites, figures bound to
   what they count);
2. each quotation in it (rag.answering.quotations: verbatim, and said by whom it says);
3. the output guard over the whole draft (rag.answering.leaks: leaked instructions, links,
   sentences citing or repeating an instruction planted in a statement).

What a sentence may draw on is its cited passage with the passage's header (title, speaker,
date) and who speaks in it, minus the sentences flagged at ingest as instructions to a model:
an instruction is not evidence, so "President Ruto resigned" citing a passage that only *asks*
the model to say so has nothing to rest on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from rag.answering.claims import check_claims
from rag.answering.leaks import Screened, screen
from rag.answering.quotations import check_quotations
from rag.embedding.embedder import embedding_text
from rag.text.vocabulary import PUBLISHERS
from rag.types import Citation, Passage, QuoteRecord


def without_instructions(passage: Passage) -> Passage:
    """`passage` with its flagged sentences blanked (offsets kept)."""
    if not passage.instructions:
        return passage
    text = passage.text
    for start, end in passage.instructions:
        text = text[:start] + " " * (end - start) + text[end:]
    return replace(passage, text=text)


def publisher(source_url: str | None) -> str | None:
    """Who published a statement, from its URL's host ("The White House")."""
    host = urlsplit(source_url or "").hostname or ""
    while host:
        if host in PUBLISHERS:
            return PUBLISHERS[host]
        host = host.partition(".")[2] if host.count(".") > 1 else ""
    return None


def cited_text(passage: Passage) -> str:
    """What a claim citing `passage` may draw on: its text, its header (title, speaker, date),
    who speaks in it (a transcript's turns name their speakers only at the turn's start) and
    who published it ("The White House said"), without the sentences flagged as instructions."""
    passage = without_instructions(passage)
    who = [n for n in passage.speakers if n != passage.speaker]
    who += [p] if (p := publisher(passage.source_url)) else []
    return f"{embedding_text(passage)}\n{', '.join(who)}" if who else embedding_text(passage)


def check_answer(
    text: str,
    citations: Sequence[Citation],
    passages: Sequence[Passage],
    *,
    question: str,
    quotes: Sequence[QuoteRecord],
    instructions: str,
) -> Screened:
    """Every sentence of the answer `text` checked against the verified `citations` (into
    `passages`, the ones retrieved), with `quotes` the quotations found in those passages and
    `instructions` what the answerer told its model (no answer may repeat it)."""
    by_id = {p.id: p for p in passages}
    by_marker = {c.marker: by_id[c.passage_id] for c in citations}
    cited = {marker: cited_text(p) for marker, p in by_marker.items()}
    claims = list(check_claims(text, cited, question=question))
    for i, claim in enumerate(claims):
        if not claim.supported or not claim.markers:
            continue
        quoted = [without_instructions(by_marker[m]) for m in claim.markers if m in by_marker]
        reason = check_quotations(claim.text, quoted, quotes)
        if reason:
            claims[i] = replace(claim, supported=False, reason=reason)
    return screen(text, tuple(claims), citations, passages, instructions)
