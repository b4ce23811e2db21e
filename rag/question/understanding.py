"""What a question asks: who ("Ruto", "President Biden"), when ("in 2023") and about what.

Speakers are found by rag.people.mentions, matching the question's words against aliases of
stored speakers (folded, possessives dropped, honorifics and typos allowed); dates by
rag.question.dates; the topic is what is left once those, the question's frame ("what did
... say about") and stopwords are removed. Nothing here reads the clock or a store: `aliases`
and `today` are passed in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from rag.people import (
    AliasIndex,
    SpeakerMention,
    find_speakers,
)
from rag.question.dates import DateMention, date_window, find_dates
from rag.text.vocabulary import QUESTION_FRAME
from rag.text.words import POSSESSIVE, content_terms, fold, is_shouting, stem, words


@dataclass(frozen=True, slots=True)
class Interpretation:
    """A question read for retrieval: who, when, about what, and whether over time."""

    question: str
    speakers: tuple[SpeakerMention, ...]
    dates: tuple[DateMention, ...]
    since: dt.date | None
    until: dt.date | None
    topic: str
    """The question without its speakers, dates, frame and stopwords: "Haiti", "climate"."""
    topic_terms: tuple[str, ...]
    """Folded content words of the topic, one per stem, in order."""
    timeline: bool
    """The question asks how something changed over time."""


def interpret(
    question: str, aliases: Mapping[str, tuple[str, ...]], today: dt.date
) -> Interpretation:
    """Speakers, dates, topic and whether a timeline is wanted, read from the question."""
    found_speakers = find_speakers(question, _index(aliases))
    found_dates = find_dates(question, today)
    # Where they overlap, a date with a number wins ("May 2019"), else the name ("Theresa May").
    numbered = [d for d in found_dates if any(c.isdigit() for c in d.text)]
    speakers = tuple(s for s in found_speakers if not any(_overlaps(s, d) for d in numbered))
    dates = tuple(
        d for d in found_dates if d in numbered or not any(_overlaps(d, s) for s in speakers)
    )
    since, until = date_window(dates)
    kept = _topic_tokens(question, [*speakers, *dates])
    return Interpretation(
        question=question,
        speakers=speakers,
        dates=dates,
        since=since,
        until=until,
        topic=" ".join(kept),
        topic_terms=_terms(kept),
        timeline=any(p.search(fold(question)) for p in _TIMELINE),
    )


# --- speakers ----------------------------------------------------------------------------

_recent: list[tuple[frozenset[tuple[str, tuple[str, ...]]], AliasIndex]] = []


def _index(aliases: Mapping[str, tuple[str, ...]]) -> AliasIndex:
    """The index for `aliases`, kept while the same aliases come back: a service handing over
    a fresh copy of its alias dict per question builds it once (comparing is far cheaper)."""
    if isinstance(aliases, AliasIndex):
        return aliases
    content = frozenset(aliases.items())
    for known, index in _recent:
        if known == content:
            return index
    index = AliasIndex.build(aliases)
    _recent[:] = [(content, index)]
    return index


# --- topic -------------------------------------------------------------------------------

_FRAME_PHRASES = re.compile(
    r"\baccording\s+to\s+(?:the\s+)?(?:white\s+house|readouts?|statements?|transcripts?)\b"
    r"|\b(?:came|come|comes|coming)\s+up\b"
    r"|\b(?:on|during|in|at|after|before|from)\s+(?:their|the|a|his|her|its|this|that)\s+"
    r"(?:(?:phone|telephone|video|virtual|bilateral)\s+)?"
    r"(?:call|conversation|meeting|talks|discussion|exchange)s?\b"
    r"|\b(?:spoke|speak|speaks|speaking|talked|talk|met|meet|meets|meeting|call|calls)\s+"
    r"(?:by\s+(?:tele)?phone\s+)?with\b"
    r"|\bby\s+(?:tele)?phone\b|\bover\s+(?:time|the\s+(?:years|decades|months))\b"
    # Where it was said is not what it was about: "at the UN", "to the General Assembly".
    r"|\b(?:at|to|before|in|tell|told|address|addressed)\s+the\s+"
    r"(?:(?:UN|U\.N\.|United\s+Nations|UNGA)\b(?:\s+General\s+Assembly|\s+Security\s+Council)?"
    r"|General\s+Assembly|Security\s+Council)",
    re.IGNORECASE,
)
_TIMELINE = tuple(
    re.compile(p)
    for p in (
        r"\bover\s+(?:time|the\s+(?:years|decades|months|course\s+of))\b",
        r"\b(?:through|across|throughout)\s+the\s+years\b",
        r"\b(?:evolved|evolving|evolution|trajectory|timeline|chronolog\w*)\b",
        r"\bhow\s+(?:has|have|had)\b.*\b(?:changed|shifted|developed)\b",
        r"\bhow\s+did\b.*\b(?:change|shift|evolve)\b",
        r"\b(?:year\s+(?:by|to|after)\s+year|from\s+year\s+to\s+year)\b",
    )
)
_TOPIC_TOKEN = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")


def _overlaps(a: DateMention | SpeakerMention, b: DateMention | SpeakerMention) -> bool:
    return a.start < b.end and b.start < a.end


def _topic_tokens(question: str, mentions: list[SpeakerMention | DateMention]) -> list[str]:
    """The question's words outside speakers, dates and frame, stopwords dropped; acronyms
    ("US", "WHO") are kept even when they spell a stopword."""
    shouting = is_shouting(question)
    removed = [(m.start, m.end) for m in mentions]
    removed += [m.span() for m in _FRAME_PHRASES.finditer(question)]
    kept: list[str] = []
    for m in _TOPIC_TOKEN.finditer(question):
        if any(m.start() < end and start < m.end() for start, end in removed):
            continue
        token = POSSESSIVE.sub("", m.group())
        acronym = _is_acronym(token) and not shouting
        if acronym or (content_terms(token) and fold(token) not in QUESTION_FRAME):
            kept.append(token)
    return kept


def _is_acronym(token: str) -> bool:
    letters = token.replace(".", "")
    return len(letters) >= 2 and letters.isalpha() and letters.isupper()


def _terms(tokens: list[str]) -> tuple[str, ...]:
    terms: dict[str, str] = {}
    for token in tokens:
        if _is_acronym(token):
            acronym = "".join(words(token))
            terms.setdefault(stem(acronym), acronym)
        else:
            for stemmed, word in content_terms(token).items():
                terms.setdefault(stemmed, word)
    return tuple(terms.values())
