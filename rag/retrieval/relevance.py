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
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from rag.index.keyword_index import keyword_terms
from rag.question.focus import Named
from rag.text.vocabulary import DEMONYM_ENDINGS, STOPWORDS
from rag.text.words import STEM_LENGTH, fold, stem
from rag.types import Interpreted, ScoredPassage

MIN_COVERAGE = 0.3
RARE = 5.5
"""idf from which a named thing's word makes it something the passages must mention."""
NAMED_SHARE = 0.25
"""Share of a named thing's weight a passage holding its head must hold to mention it."""
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_QUALIFIER = re.compile(r"([^\W_]+)[^\S\n]+$")
"""The word just before another, on the same line."""


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
    named: Sequence[Named] = (),
) -> Verdict:
    """`topic` maps the stems of the question's topic words to the words as written;
    `named` are the named things of the question (its speakers not among them).

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
    where = f"No passage{scope} found"
    if interpreted is not None:  # the people it asks about must be spoken of
        folded = [fold(passage_text(p)) for p in relevant]
        for name, forms in zip(
            interpreted.topic_people, interpreted.topic_people_words, strict=True
        ):
            if forms and not any(
                re.search(rf"\b{re.escape(w)}\b", t) for w in forms for t in folded
            ):
                return Verdict(False, f"{where} mentions {name}.")
    raw = [passage_text(p) for p in relevant]
    texts = [_terms(p, passage_text) for p in relevant]
    for thing in named:
        weights = {stem: idf(stem) for stem in thing.stems}
        if max(weights.values()) >= RARE and not any(
            _mentions(t, thing, weights) and not _names_another(r, t, thing)
            for r, t in zip(raw, texts, strict=True)
        ):
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


def _names_another(text: str, terms: Collection[str], thing: Named) -> bool:
    """Whether the passage names another thing of the kind, by a word the question does not
    have ("the Suez Canal" for "the Panama Canal"), and none of the thing's other words: then
    its other mentions of the head ("other canals") are not the thing either."""
    if len(thing.stems) < 2 or any(_holds(terms, s) for s in thing.stems[:-1]):
        return False
    heads = word_forms(thing.head)
    for m in _WORD.finditer(text):
        if m.group()[:1].isupper() and stem(fold(m.group())) in heads:
            before = _QUALIFIER.search(text, max(0, m.start() - 40), m.start())
            if before and before[1][:1].isupper() and fold(before[1]) not in STOPWORDS:
                return True
    return False


def _holds(terms: Collection[str], stem: str) -> bool:
    return any(form in terms for form in word_forms(stem))


def _mentions(terms: Collection[str], thing: Named, weights: Mapping[str, float]) -> bool:
    """Whether a passage's terms hold the thing's head and a quarter of its weight."""
    if not _holds(terms, thing.head):
        return False
    held = sum(w for stem, w in weights.items() if _holds(terms, stem))
    return held >= NAMED_SHARE * sum(weights.values())
