"""What a question asks for, beyond who and when: its topic words, the named things in it, the
kind of answer it wants and the relation it asks about.

"What did Ruto and Rubio agree about a UN support office for the MSS mission?" asks about a
UN support office (topic words), the MSS mission (a named thing), agreement (the relation:
"concurred" answers it too) and wants no particular kind of value. "How many Kenyan police
officers have died in Haiti?" wants a number. The answerer uses this to pick the sentence
that carries the asked-for thing over its neighbours; the decline gate uses the named things
to tell "no passage mentions the Europa Clipper" from "the passages share a few words".

Nothing here reads a store: the topic (what rag.question.understanding left once speakers,
dates and the question's frame were set aside) and the speakers' names are passed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from rag.index.keyword_index import keyword_terms
from rag.text.vocabulary import NAMED_CONNECTORS, QUESTION_FRAME, RELATIONS, TITLES
from rag.text.words import POSSESSIVE, content_terms, fold, is_shouting, stem, topic_terms

Wanted = Literal["number", "date", "name", "place"]

_TOKEN = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")
_WANTS: tuple[tuple[Wanted, re.Pattern[str]], ...] = (
    (
        "number",
        re.compile(
            r"\bhow (?:much|many|long|large|big|often|far|high|old)\b"
            r"|\bwhat (?:share|percentage|proportion|number|amount|sum|portion|fraction)\b"
            r"|\bwhat (?:per ?cent|%)",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(r"\bwhen\b|\b(?:what|which|by what|in what) (?:year|date|day|month)\b", re.I),
    ),
    ("place", re.compile(r"\bwhere\b|\b(?:what|which|in what) (?:city|town|place|venue)\b", re.I)),
    (
        "name",
        re.compile(
            r"\bwho(?:m|se)?\b|\bnames? of\b|\bwhich (?:\w+ ){0,2}?(?:leaders?|officials?|"
            r"people|persons?|countr(?:y|ies)|compan(?:y|ies)|firms?|organi[sz]ations?|groups?|"
            r"nations?|states?|agenc(?:y|ies)|ministers?|presidents?|senators?|governors?)\b",
            re.I,
        ),
    ),
)
_ABOUT = re.compile(r"\b(?:about|regarding|concerning|on the subject of)\b", re.I)
_LISTING = re.compile(
    r"\b(?:discuss(?:ed|es|ing)?|talk(?:ed|s)?\s+about|c[ao]me\s+up|agenda|topics?)\b", re.I
)
_RELATION_OF = {fold(word): group for group in RELATIONS for word in group}


@dataclass(frozen=True, slots=True)
class Named:
    """A named thing in the question ("Europa Clipper", "Olympic Games"), not a speaker."""

    text: str
    """As the question writes it."""
    stems: tuple[str, ...]
    """Keyword stems in order; the last is its head ("clippe" of "Europa Clipper")."""

    @property
    def head(self) -> str:
        return self.stems[-1]


@dataclass(frozen=True, slots=True)
class Focus:
    terms: Mapping[str, str]
    """Topic stems -> the words as written ("haiti" -> "Haiti")."""
    named: tuple[Named, ...]
    wants: Wanted | None
    """The kind of value the question asks for, if any."""
    relation: frozenset[str]
    """Stems of the relation asked about and the words that say the same ("agree", "concur")."""
    core: frozenset[str] = frozenset()
    """Topic stems after "about" ("What did the White House say about the American
    Revolution?": "americ", "revolu"): what the question is about, not who is asked."""
    listing: bool = False
    """It asks what was discussed ("What did Biden and Ruto discuss?"), not one thing."""


def read_focus(question: str, topic: str | None, speakers: Sequence[str] = ()) -> Focus:
    """`topic` is the question without speakers, dates and frame (None when it was not read:
    then the question's content words less the speakers' names stand in for it)."""
    terms = content_terms(topic) if topic is not None else topic_terms(question, list(speakers))
    wants = next(((kind, m) for kind, pattern in _WANTS if (m := pattern.search(question))), None)
    if wants is not None:  # "year" in "by what year" is the kind of answer, not its topic
        asked_for = content_terms(wants[1].group())
        terms = {s: w for s, w in terms.items() if s not in asked_for}
    about = _ABOUT.split(question)
    core = frozenset(content_terms(about[-1])) & terms.keys() if len(about) > 1 else frozenset()
    return Focus(
        terms=terms,
        named=named_things(question, topic, speakers),
        wants=wants[0] if wants else None,
        relation=_relation(question),
        core=core,
        listing=bool(_LISTING.search(question)),
    )


def named_things(
    question: str, topic: str | None, speakers: Sequence[str] = ()
) -> tuple[Named, ...]:
    """Runs of capitalised topic words ("Europa Clipper", "Democratic Republic of the Congo"):
    not the question's first word, not titles ("President", "Secretary-General"), not the
    speakers' names. Connecting words ("of", "the", "and") may join two parts of one name."""
    if is_shouting(question):
        return ()
    tokens = list(_TOKEN.finditer(question))
    kept = _topic_positions(question, topic)
    capitalised = [
        i
        for i, m in enumerate(tokens)
        if i > 0 and i in kept and m.group()[:1].isupper() and not _is_title(m.group())
    ]
    runs: list[tuple[int, int]] = []
    for i in capitalised:
        between = tokens[runs[-1][1] + 1 : i] if runs else None
        if between is not None and all(fold(m.group()) in NAMED_CONNECTORS for m in between):
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    named_words = {s for name in speakers for s in keyword_terms(name)}
    found: list[Named] = []
    for first, last in runs:
        text = POSSESSIVE.sub("", question[tokens[first].start() : tokens[last].end()])
        stems = tuple(s for s in keyword_terms(text) if s not in named_words and not _is_title(s))
        if stems:
            found.append(Named(text, stems))
    return tuple(found)


def _topic_positions(question: str, topic: str | None) -> set[int]:
    """Indexes of the question's tokens that the topic kept (all of them without a topic)."""
    tokens = [POSSESSIVE.sub("", m.group()) for m in _TOKEN.finditer(question)]
    if topic is None:
        return set(range(len(tokens)))
    wanted = [POSSESSIVE.sub("", t) for t in _TOKEN.findall(topic)]
    kept: set[int] = set()
    at = 0
    for word in wanted:
        for i in range(at, len(tokens)):
            if tokens[i] == word:
                kept.add(i)
                at = i + 1
                break
    return kept


def _is_title(word: str) -> bool:
    parts = [fold(p) for p in re.split(r"[-‐–]", word) if p]
    return bool(parts) and all(p in TITLES or p in QUESTION_FRAME for p in parts)


def _relation(question: str) -> frozenset[str]:
    stems: set[str] = set()
    for word in re.findall(r"[a-z]+", fold(question)):
        group = _RELATION_OF.get(word)
        if group:
            stems.update(stem(w) for w in group)
    return frozenset(stems)
