"""Words that carry meaning in a question or a sentence, reduced to comparable stems."""

from __future__ import annotations

import re
import unicodedata

from rag.text.vocabulary import QUESTION_FRAME, STOPWORDS

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_POSSESSIVE_END = re.compile(r"['’]s?$")
POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
"""A possessive ending: "Ruto's"."""
STEM_LENGTH = 6


def fold(text: str) -> str:
    """Lower-case with accents removed, so "Macrón" and "macron" compare equal."""
    if text.isascii():  # nothing to remove (most text): the quick way to the same result
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def stem(word: str) -> str:
    """A crude, predictable stem: drop possessives and plural s, keep the first letters.

    Truncation keeps "stabilise"/"stabilize" and "negotiation"/"negotiations" together.
    """
    if "'" in word or "’" in word:
        word = _POSSESSIVE_END.sub("", word)
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:STEM_LENGTH]


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def content_terms(text: str) -> dict[str, str]:
    """Stem -> first surface word, for every non-stopword in `text`."""
    terms: dict[str, str] = {}
    for word in words(text):
        if word in STOPWORDS or len(word) < 2:
            continue
        terms.setdefault(stem(word), word)
    return terms


def topic_terms(question: str, speaker_names: list[str]) -> dict[str, str]:
    """The question's content words minus its frame ("say about") and the speakers' names."""
    named = {stem(w) for name in speaker_names for w in words(name)}
    return {
        s: w
        for s, w in content_terms(question).items()
        if w not in QUESTION_FRAME and s not in named
    }


def is_shouting(question: str) -> bool:
    """Written in capitals throughout, so capitals say nothing about names or acronyms."""
    return not any(c.islower() for c in question)
