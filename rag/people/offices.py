"""Offices: "the President", "the national security adviser", "Japan's prime minister".

A title gives its people their offices ("Statement by National Security Advisor Jake Sullivan"),
so the corpus says who held an office when; a question may name the office instead of the
person. Offices are compared as words: "press secretary" is the "White House press
secretary", but "president" is not the "vice president" and "national security advisor" not
the "deputy national security advisor" (a rank word in front makes another office).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from rag.people.countries import country_code
from rag.people.names import is_role, name_words, parse_person
from rag.text.vocabulary import (
    HONORIFICS,
    OFFICE_BODIES,
    OFFICE_HOLDERS,
    OFFICE_ISSUES,
    SPELLING_VARIANTS,
    STATEMENT_NOUNS,
)
from rag.text.words import fold

_QUALIFIED = re.compile(
    r"\s+(?:for|of|to)\s+(?:the\s+)?(?P<what>[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*)"
)
_PROBE = 4
"""Words before a role that a person's words may start at ("the British prime minister")."""
_TOKEN = re.compile(r"[^\s,:;|()“”\"—–?!]+")
# Honorifics that are part of an office's name after these words: "First Lady".
_OFFICE_HONORIFICS = {"lady": ("first", "second"), "gentleman": ("first", "second")}


@dataclass(frozen=True, slots=True)
class OfficeMention:
    """An office named without a person: "the Vice President", "Kenya's foreign minister"."""

    text: str
    start: int
    end: int
    office: str
    """As office_key gives it: "vice president", "national security advisor"."""


def office_key(role: str) -> str:
    """An office as compared: folded, honorifics dropped, one spelling ("adviser" ->
    "advisor"): "His Majesty King" -> "king", "Homeland Security Advisor Dr." ->
    "homeland security advisor"."""
    words = [w.rstrip(".") for w in re.findall(r"[a-z.’'-]+", fold(role))]
    kept = []
    for i, word in enumerate(words):
        after = _OFFICE_HONORIFICS.get(word)
        if word in HONORIFICS and not (after and i and words[i - 1] in after):
            continue
        kept.append(SPELLING_VARIANTS.get(word, word))
    return " ".join(kept)


def same_office(asked: str, held: str) -> bool:
    """Whether an office a question names is the one a title gives: the same words, or the
    held one names the body it serves in front ("white house press secretary", "nsc
    spokesperson"); "secretary" is not the "press secretary", nor "president" the "vice
    president"."""
    want, have = asked.split(), held.split()
    if not want or len(have) < len(want) or have[len(have) - len(want) :] != want:
        return False
    return set(have[: len(have) - len(want)]) <= OFFICE_BODIES


def _body(words: str) -> bool:
    """Whether words name the body an office serves in ("the UN", "the United Nations")."""
    return all(w in OFFICE_BODIES for w in fold(words).split())


def find_offices(question: str) -> tuple[OfficeMention, ...]:
    """Offices the question names without a person's name after them, in order."""
    tokens = list(_TOKEN.finditer(question))
    words = name_words(" ".join(t.group() for t in tokens))
    if len(words) != len(tokens):  # punctuation inside a token: read word by word instead
        words = [t.group() for t in tokens]
    found: list[OfficeMention] = []
    roles = [i for i, word in enumerate(words) if is_role(word)]
    i = 0
    while i < len(tokens):
        if not any(i <= r <= i + _PROBE for r in roles):
            i += 1
            continue
        person, end = parse_person(words, i, roleless=0)
        if person is None or person.name or not person.role or end <= i:
            i += 1
            continue
        start = tokens[i].start()
        if fold(tokens[i].group()) == "the":
            start = tokens[i + 1].start() if i + 1 < len(tokens) else start
        after = tokens[end].group() if end < len(tokens) else ""
        if (after[:1].isupper() and not question.isupper()) or fold(after) in STATEMENT_NOUNS:
            i = end  # part of a proper noun: "the General Assembly"
            continue
        stop = tokens[end - 1].end()
        qualified = _QUALIFIED.match(question, stop)
        if qualified and not country_code(qualified["what"]) and not _body(qualified["what"]):
            i = end  # "Secretary for Strategic Affairs Gustavo Beliz": someone's portfolio
            continue
        text = re.sub(r"['’]s?$", "", question[start:stop])
        office = office_key(person.role)
        if office:
            found.append(OfficeMention(text, start, start + len(text), office))
        i = end
    return tuple(found)


def issuing_office(title: str | None) -> str | None:
    """The office a title says issued the statement in its own name ("Presidential Message on
    the Daytona 500", "America 250: Presidential Message on ...", "A Proclamation on ..."),
    or None."""
    if not title:
        return None
    heads = [fold(title).strip()]
    if ":" in heads[0]:  # a series name first: "America 250: Presidential Message on ..."
        heads.append(heads[0].split(":", 1)[1].strip())
    for office, starts in OFFICE_ISSUES.items():
        for head in heads:
            if any(head == s or head.startswith(s + " ") for s in starts):
                return office
    return None


def office_holder(office: str, day: dt.date | None) -> str | None:
    """Who held an office on a day (rag/text/vocabulary/office_holders.txt), or None."""
    if day is None:
        return None
    held = None
    for name, since, holder in OFFICE_HOLDERS:
        if name == office and dt.date.fromisoformat(since) <= day:
            held = holder
    return held
