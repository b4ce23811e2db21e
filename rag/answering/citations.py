"""Verification of proposed citations against the retrieved passages and stored text.

A citation is passed on only if its passage was retrieved for this question and
its quote is found in that passage, at offsets where the stored statement holds
exactly the same text. Quotes are located leniently about whitespace and
typographic quote marks, but what is returned is always the exact source text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from rag.types import (
    Citation,
    Draft,
    ProposedCitation,
    RejectedCitation,
    RejectionReason,
    ScoredPassage,
    StoredStatement,
    page_at,
)

MIN_QUOTE_CHARS = 8
MAX_MARKER = 50  # bracketed numbers above this are text unless a citation uses them
_MARKER = re.compile(r"\[(\d+)\]")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"[ \t]+(?=[.,;:!?)])")
_SPACES = re.compile(r"[ \t]{2,}")
_EQUIVALENT = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
_TRIM = " \t\n\"'“”‘’«»…."


@dataclass(frozen=True, slots=True)
class Verified:
    text: str
    citations: tuple[Citation, ...]
    rejected: tuple[RejectedCitation, ...]


def _normalized(text: str) -> tuple[str, list[int]]:
    """`text` with whitespace runs collapsed and quote marks unified, plus a map back."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if chars and chars[-1] == " ":
                continue
            ch = " "
        chars.append(ch.translate(_EQUIVALENT))
        origin.append(i)
    return "".join(chars), origin


def locate(quote: str, text: str) -> tuple[int, int] | None:
    """Offsets of `quote` in `text`: exact, else ignoring whitespace and quote-mark style."""
    at = text.find(quote)
    if at >= 0 and quote:
        return at, at + len(quote)
    needle, _ = _normalized(quote.strip(_TRIM))
    if not needle:
        return None
    haystack, origin = _normalized(text)
    at = haystack.find(needle)
    if at < 0:
        return None
    return origin[at], origin[at + len(needle) - 1] + 1


def _check(
    proposed: ProposedCitation,
    passages: Mapping[str, ScoredPassage],
    statements: Mapping[str, StoredStatement],
    marker: int,
) -> Citation | RejectedCitation:
    def reject(reason: RejectionReason) -> RejectedCitation:
        return RejectedCitation(proposed.marker, proposed.passage_id, proposed.quote, reason)

    scored = passages.get(proposed.passage_id)
    if scored is None:
        return reject("passage_not_retrieved")
    passage = scored.passage
    if len(proposed.quote.strip(_TRIM)) < MIN_QUOTE_CHARS:
        return reject("quote_too_short")
    span = locate(proposed.quote, passage.text)
    if span is None:
        return reject("quote_not_in_passage")
    start, end = passage.start + span[0], passage.start + span[1]
    stored = statements.get(passage.statement_id)
    quote = passage.text[span[0] : span[1]]
    if stored is None or stored.text[start:end] != quote:
        return reject("offsets_mismatch")
    return Citation(
        marker=marker,
        statement_id=passage.statement_id,
        passage_id=passage.id,
        start=start,
        end=end,
        quote=quote,
        title=stored.info.title,
        speaker=stored.info.speaker or (passage.speakers[0] if passage.speakers else None),
        speakers=passage.speakers,
        statement_speakers=stored.info.speakers,
        date=stored.info.date.text if stored.info.date else None,
        source_url=stored.info.source_url,
        page=page_at(stored.info.page_starts, start),
    )


def verify(
    draft: Draft,
    passages: Sequence[ScoredPassage],
    statements: Mapping[str, StoredStatement],
) -> Verified:
    """Keep the citations that check out, renumber them, and drop markers of the rest."""
    by_id = {p.passage.id: p for p in passages}
    kept: list[Citation] = []
    rejected: list[RejectedCitation] = []
    renumbering: dict[int, int] = {}
    for proposed in draft.citations:
        outcome = _check(proposed, by_id, statements, len(kept) + 1)
        if isinstance(outcome, Citation):
            kept.append(outcome)
            renumbering.setdefault(proposed.marker, outcome.marker)
        else:
            rejected.append(outcome)

    text = _rewrite_markers(draft.text, renumbering, {c.marker for c in draft.citations})
    return Verified(text.strip(), tuple(kept), tuple(rejected))


def renumber(text: str, citations: Sequence[Citation]) -> tuple[str, tuple[Citation, ...]]:
    """Keep the citations `text` still refers to (after sentences were removed), as 1..n."""
    present = {int(m.group(1)) for m in _MARKER.finditer(text)}
    kept = [c for c in citations if c.marker in present]
    mapping = {c.marker: i for i, c in enumerate(kept, start=1)}
    renumbered = tuple(replace(c, marker=mapping[c.marker]) for c in kept)
    return _rewrite_markers(text, mapping, {c.marker for c in citations}), renumbered


def _rewrite_markers(text: str, mapping: dict[int, int], markers: set[int]) -> str:
    """Markers [n] mapped to new numbers; those without one removed, with their gap."""
    removed = 0

    def fix(match: re.Match[str]) -> str:
        nonlocal removed
        number = int(match.group(1))
        if number > MAX_MARKER and number not in markers:
            return match.group(0)  # "[2699]" is text, not a citation marker
        new = mapping.get(number)
        removed += new is None
        return f"[{new}]" if new else ""

    rewritten = _MARKER.sub(fix, text)
    if removed:
        rewritten = _SPACES.sub(" ", _SPACE_BEFORE_PUNCTUATION.sub("", rewritten))
    return rewritten.strip()
