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

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from rag.index.keyword_index import keyword_terms
from rag.question.focus import Named
from rag.text.vocabulary import DEMONYM_ENDINGS
from rag.text.words import STEM_LENGTH
from rag.types import Interpreted, ScoredPassage

MIN_COVERAGE = 0.3
RARE = 5.5
"""idf from which a named thing's word makes it something the passages must mention."""
NAMED_SHARE = 0.25
"""Share of a named thing's weight a passage holding its head must hold to mention it."""


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
    named: Sequence[Named] = (),
) -> Verdict:
    """`topic` maps the stems of the question's topic words to the words as written;
    `named` are the named things of the question (its speakers not among them)."""
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
    # The search kept only statements by the people the question names: say so.
    speakers = interpreted.applied_speakers if interpreted is not None else ()
    where = f"No statement by {' or '.join(speakers)} found" if speakers else "No passage found"
    texts = [_terms(p, passage_text) for p in relevant]
    for thing in named:
        weights = {stem: idf(stem) for stem in thing.stems}
        if max(weights.values()) >= RARE and not any(_mentions(t, thing, weights) for t in texts):
            return Verdict(False, f"{where} mentions {thing.text}.")
    if not topic:
        return Verdict(True, "")
    weights = {stem: idf(stem) for stem in topic}
    total = sum(weights.values()) or 1.0
    seen = set().union(*texts)
    coverage = sum(w for s, w in weights.items() if s in seen) / total
    if coverage >= min_coverage:
        return Verdict(True, "", coverage)
    missing = sorted((s for s in weights if s not in seen), key=lambda s: -weights[s])
    # A named thing none of whose words was found is named as the question writes it.
    whole = [n for n in named if all(s in missing for s in n.stems if s in weights)]
    parts = {s for n in whole for s in n.stems}
    names = [n.text for n in whole] + [topic[s] for s in missing if s not in parts]
    words = ", ".join(names[:3]) or ", ".join(topic.values())
    return Verdict(False, f"{where} mentions {words}.", coverage)


def _terms(passage: ScoredPassage, passage_text: Callable[[ScoredPassage], str]) -> set[str]:
    """What a passage mentions: its text and header, and who speaks in it."""
    return set(keyword_terms(f"{passage_text(passage)} {' '.join(passage.passage.speakers)}"))


def word_forms(stem: str) -> frozenset[str]:
    """The stem and the stems of its country or people ("kenya" <-> "kenyan", "laos" <->
    "lao", "iran" <-> "irania"), by the demonym endings. Short stems ("un", "us") stand alone;
    a shorter form has four letters at least, or three for a plural ("lao", not "ira")."""
    if len(stem) < 3:
        return frozenset({stem})
    forms = {stem} | {(stem + end)[:STEM_LENGTH] for end in DEMONYM_ENDINGS}
    forms |= {
        stem[:k]
        for k in range(3, len(stem))
        for end in DEMONYM_ENDINGS
        if (stem[:k] + end)[:STEM_LENGTH] == stem and (k >= 4 or end == "s")
    }
    return frozenset(forms)


def _holds(terms: Collection[str], stem: str) -> bool:
    return any(form in terms for form in word_forms(stem))


def _mentions(terms: Collection[str], thing: Named, weights: Mapping[str, float]) -> bool:
    """Whether a passage's terms hold the thing's head and a quarter of its weight."""
    if not _holds(terms, thing.head):
        return False
    held = sum(w for stem, w in weights.items() if _holds(terms, stem))
    return held >= NAMED_SHARE * sum(weights.values())
