"""The decline gate: can the passages found answer the question at all?

Asked before any answerer runs (so the LLM is not called for nothing). A question
is declined when nothing was found, when what it names (a period, a speaker)
had to be dropped to find anything, when no passage is close in meaning, or when
the passages found miss the question's topic. Topic words are weighted by rarity
in the whole corpus (idf), so a word the corpus never uses ("tariffs", "Pope")
outweighs common ones it does ("Haiti", "mission"). The threshold was set on the
eval suites (evals/README.md): answerable questions there keep >= 0.3 of their
topic weight in the passages retrieved; unanswerable ones mostly keep far less.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rag.index.keyword_index import keyword_terms
from rag.types import Interpreted, ScoredPassage

MIN_COVERAGE = 0.3


@dataclass(frozen=True, slots=True)
class Verdict:
    answerable: bool
    reason: str
    coverage: float | None = None
    """Share of the topic's weight found in the passages retrieved (None without a topic)."""


def _period(i: Interpreted) -> str:
    if i.since and i.until:
        return f"from {i.since}" if i.since == i.until else f"between {i.since} and {i.until}"
    return f"since {i.since}" if i.since else f"until {i.until}"


def judge(
    passages: Sequence[ScoredPassage],
    interpreted: Interpreted | None,
    topic: Mapping[str, str],
    idf: Callable[[str], float],
    passage_text: Callable[[ScoredPassage], str],
    min_similarity: float,
    min_coverage: float = MIN_COVERAGE,
) -> Verdict:
    """`topic` maps the stems of the question's topic words to the words as written."""
    if interpreted is not None and interpreted.relaxed:
        relaxed = set(interpreted.relaxed)
        who = " and ".join(interpreted.speakers) or "anyone"
        dated = interpreted.since is not None or interpreted.until is not None
        if dated and relaxed & {"dates", "all speakers"}:
            together = " together" if "all speakers" in relaxed else ""
            return Verdict(
                False, f"No statement by {who}{together} {_period(interpreted)} was found."
            )
        if "speakers" in relaxed:
            return Verdict(False, f"No statement by {who} matches the question.")
    relevant = [p for p in passages if p.score >= min_similarity]
    if not relevant:
        return Verdict(False, "No passage is close enough to the question.")
    if not topic:
        return Verdict(True, "")
    weights = {stem: idf(stem) for stem in topic}
    total = sum(weights.values()) or 1.0
    seen = {term for p in relevant for term in keyword_terms(passage_text(p))}
    coverage = sum(w for s, w in weights.items() if s in seen) / total
    if coverage >= min_coverage:
        return Verdict(True, "", coverage)
    missing = sorted((s for s in weights if s not in seen), key=lambda s: -weights[s])
    words = ", ".join(topic[s] for s in missing[:3]) or ", ".join(topic.values())
    return Verdict(False, f"No passage found mentions {words}.", coverage)
