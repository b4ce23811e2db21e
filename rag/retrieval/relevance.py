"""The decline gate: can the passages found answer the question at all?

Asked before any answerer runs (so the LLM is not called for nothing). A question
is declined when nothing was found, when no passage is close in meaning, when none
of the passages found is by whom and from when the question asks (as read from it
and applied), or when those passages miss the question's topic. Topic words are weighted by rarity
in the whole corpus (idf), so a word the corpus never uses ("tariffs", "Pope")
outweighs common ones it does ("Haiti", "mission"). The threshold was set on the
eval suites (evals/README.md): answerable questions there keep >= 0.3 of their
topic weight in the passages retrieved; unanswerable ones mostly keep far less.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rag.index.keyword_index import keyword_terms
from rag.text.words import fold
from rag.types import Interpreted, ScoredPassage

MIN_COVERAGE = 0.3


@dataclass(frozen=True, slots=True)
class Verdict:
    answerable: bool
    reason: str
    coverage: float | None = None
    """Share of the topic's weight found in the passages retrieved (None without a topic)."""


def _period(i: Interpreted) -> str:
    """The period read from the question, as its statements' dates are written: " in 2017",
    " in 2025-01", " on 2022-02-13", " between 2024-03-01 and 2024-06-30"."""
    if i.since is None and i.until is None:
        return ""
    if i.since and i.until:
        whole_year = i.since == dt.date(i.since.year, 1, 1) and i.until == dt.date(
            i.since.year, 12, 31
        )
        next_month = dt.date(i.since.year + i.since.month // 12, i.since.month % 12 + 1, 1)
        whole_month = i.since.day == 1 and i.until == next_month - dt.timedelta(days=1)
        if whole_year:
            return f" in {i.since.year}"
        if whole_month:
            return f" in {i.since:%Y-%m}"
        if i.since == i.until:
            return f" on {i.since}"
        return f" between {i.since} and {i.until}"
    return f" since {i.since}" if i.since else f" until {i.until}"


def _who(i: Interpreted) -> str:
    names = [*i.speakers, *i.countries]
    together = " together" if len(i.speakers) > 1 else ""
    by = f" by {' and '.join(names)}{together}" if names else ""
    return by + (f" with {' and '.join(i.parties)}" if i.parties else "")


def judge(
    passages: Sequence[ScoredPassage],
    interpreted: Interpreted | None,
    topic: Mapping[str, str],
    idf: Callable[[str], float],
    passage_text: Callable[[ScoredPassage], str],
    min_similarity: float,
    min_coverage: float = MIN_COVERAGE,
) -> Verdict:
    """`topic` maps the stems of the question's topic words to the words as written.

    When the question was read as asking for someone's words, or a period's, the passages
    that fit that reading are the ones judged; when none of those found fits, that is the
    reason given, naming who and when as read ("No statement by Japan in 2017 was found.")."""
    relevant = [p for p in passages if p.score >= min_similarity]
    if not relevant:
        return Verdict(False, "No passage is close enough to the question.")
    scope = ""
    if interpreted is not None and (_who(interpreted) or _period(interpreted)):
        scope = f"{_who(interpreted)}{_period(interpreted)}"
        relevant = [p for p in relevant if p.fits_reading]
        if not relevant:
            return Verdict(False, f"No statement{scope} was found.")
    if interpreted is not None:  # the people it asks about must be spoken of
        texts = [fold(passage_text(p)) for p in relevant]
        for name, forms in zip(
            interpreted.topic_people, interpreted.topic_people_words, strict=True
        ):
            if forms and not any(
                re.search(rf"\b{re.escape(w)}\b", t) for w in forms for t in texts
            ):
                return Verdict(False, f"No passage{scope} found mentions {name}.")
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
    return Verdict(False, f"No passage{scope} found mentions {words}.", coverage)
