"""Words that carry meaning in a question or a sentence, reduced to comparable stems."""

from __future__ import annotations

import re
import unicodedata

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just me more most my myself no nor not now of off on once only
    or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves s t don shall may might must upon per via whose within without
    across among amongst toward towards onto""".split()
)
# Words of the question's frame, not its topic ("what did X *say* about Y").
_FRAME_WORDS = frozenset(
    """say said says saying tell told talk talked talks discuss discussed discussing mention
    mentioned speak spoke state stated statement statements remark remarks think thought
    view views position comment comments comments announce announced ask asked describe
    described explain explained according regarding concerning president presidents vice
    prime minister secretary mr mrs ms dr excellency senator governor ambassador many
    much""".split()
)
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_POSSESSIVE_END = re.compile(r"['’]s?$")
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
        s: w for s, w in content_terms(question).items() if w not in _FRAME_WORDS and s not in named
    }
