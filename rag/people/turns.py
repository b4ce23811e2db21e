"""Transcript turns: who holds the floor, read from speaker labels ("PRESIDENT RUTO:", "Q",
"Lynne Neagle AM:").

A passage of a transcript is spoken by whoever holds the floor there, not by everyone the
statement names. Labels are told from headings ("FACT SHEET:") and each is resolved to a display
name through the statement's people ("THE PRESIDENT" -> the title's president).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rag.people.names import (
    UPPER,
    capitalised,
    clean_name,
    is_role,
    name_words,
    parse_person,
    role_only,
    strip_parens,
    unique,
)
from rag.people.speakers import same_person
from rag.people.statement_people import StatementContext, statement_context
from rag.text.vocabulary import ANONYMOUS_SPEAKERS, LABEL_STOPS, NAME_PARTICLES, NOT_LABELS


@dataclass(frozen=True, slots=True)
class Turn:
    """A transcript turn: who holds the floor from `start` to `end` (label included)."""

    start: int
    end: int
    label: str
    speaker: str | None


_UPPER_LABEL = re.compile(
    rf"(?m)^[ \t\xa0]*(?P<label>[{UPPER}](?:[{UPPER}.’'\-]|[ \xa0](?=[{UPPER}]))*)"
    rf"[ \t\xa0]*:(?=\s|\Z)"
)
_Q_LABEL = re.compile(r"(?m)^[ \t\xa0]*Q(?=[:\s])")
_NAME_LABEL = re.compile(
    rf"(?:\A|\n[ \t\xa0]*\n)[ \t\xa0]*(?P<label>[{UPPER}][^\n:]{{0,150}}?):[ \t\xa0]"
)
_LINE_LABEL = re.compile(r"(?m)^[ \t\xa0]*(?P<label>[A-Z][^\n:]{1,80}):[ \t\xa0]")
_PARAGRAPH = re.compile(r"\n[ \t\xa0]*\n")
_END_LINE = re.compile(r"(?m)^[ \t\xa0]*END\b")


def _upper_label_ok(label: str, count: int) -> bool:
    """A speaker label, not a heading ("FACT SHEET:", "NOMINATIONS SENT TO THE SENATE:")."""
    words = label.split()
    lowered = [w.lower().rstrip(".") for w in words]
    if len(words) > 6 or lowered[0] in NOT_LABELS | {"end"} or sum(map(str.isalpha, label)) < 2:
        return False
    if any(w in LABEL_STOPS for w in lowered):
        return False
    if all(w in ANONYMOUS_SPEAKERS for w in lowered) or lowered[0] == "the":
        return True
    if is_role(words[0]) and not all(map(is_role, words)):
        return True
    return count >= 2 and len(words) <= 3


def _name_label_ok(label: str) -> bool:
    """A mixed-case label that reads as a person: "Lynne Neagle AM", "Hon. Bill Blair (...)"."""
    outside, _ = strip_parens(label)
    words = outside.split()
    if not 1 <= len(words) <= 7 or any(c.isdigit() for c in outside):
        return False
    if words[0].lower().rstrip(".") in NOT_LABELS:
        return False
    return all(capitalised(w) or w.lower() in NAME_PARTICLES | {"the", "of"} for w in words)


def _q_ok(text: str, at: int) -> bool:
    """ "Q" asks a question when followed by a colon or wide space, or when it opens a paragraph."""
    after = text[at + 1 : at + 3]
    if after[:1] in (":", "\xa0") or (len(after) == 2 and after.isspace()):
        return True
    line = text.rfind("\n", 0, at)
    previous = text[text.rfind("\n", 0, max(line, 0)) + 1 : max(line, 0)]
    return (line < 0 or not previous.strip(" \t\xa0")) and not after[1:2].islower()


def _labels(text: str) -> list[tuple[int, str]]:
    """(offset, label) of every plausible speaker label, in order."""
    found: dict[int, str] = {}
    upper = [
        (m.start("label"), " ".join(m.group("label").split())) for m in _UPPER_LABEL.finditer(text)
    ]
    counts = Counter(label for _, label in upper)
    for at, label in upper:
        if _upper_label_ok(label, counts[label]):
            found[at] = label
    for match in _Q_LABEL.finditer(text):
        if _q_ok(text, match.end() - 1):
            found[match.end() - 1] = "Q"
    named = [
        (m.start("label"), " ".join(m.group("label").split()))
        for m in _NAME_LABEL.finditer(text)
        if any(map(str.islower, m.group("label"))) and _name_label_ok(m.group("label"))
    ]
    # Mixed-case labels only in a text made of them, as committee transcripts are.
    if len(named) >= 2 and 2 * len(named) > len(_PARAGRAPH.findall(text)):
        found.update(named)
    return sorted(found.items())


def _label_speaker(label: str, context: StatementContext, chairs: dict[str, str]) -> str | None:
    outside = strip_parens(label)[0]
    if label == "Q" or all(w.lower().rstrip(".") in ANONYMOUS_SPEAKERS for w in outside.split()):
        return None
    person, _ = parse_person(name_words(outside), 0, roleless=1, lenient=True)
    name = clean_name(label)
    if person is not None and person.name:
        return context.expand(name, person.role)
    role = person.role if person else outside.lower()
    if role in context.roles:  # "THE PRESIDENT" in "Remarks by President Biden"
        return context.roles[role]
    if not role_only(name):  # "The Chair (Hon. Anthony Rota)": later "The Chair" is him too
        chairs[role] = name
        return name
    return chairs.get(role, name)


def turns_in_context(text: str, context: StatementContext) -> tuple[Turn, ...]:
    labels = _labels(text)
    if not labels or (len(labels) == 1 and labels[0][1] != "Q"):
        return ()
    ends = [m.start() for m in _END_LINE.finditer(text)]
    chairs: dict[str, str] = {}
    turns: list[Turn] = []
    for index, (start, label) in enumerate(labels):
        end = labels[index + 1][0] if index + 1 < len(labels) else len(text)
        cut = bisect.bisect_right(ends, start)
        if cut < len(ends) and ends[cut] < end:
            end = ends[cut]
        while end > start and text[end - 1].isspace():
            end -= 1
        turns.append(Turn(start, end, label, _label_speaker(label, context, chairs)))
    return tuple(turns)


def find_turns(text: str, title: str | None, statement_speakers: Sequence[str]) -> tuple[Turn, ...]:
    """The turns of a transcript, each label resolved to a display name where the statement
    makes it clear ("THE PRESIDENT" -> the title's president); () for other texts."""
    context = statement_context(text, title, None)
    context.know(unique([*statement_speakers, *(k for _, k, _ in context.known)]))
    return turns_in_context(text, context)


def voice_at(text: str, at: int, speakers: Sequence[str]) -> str | None:
    """Who speaks at offset `at` of a passage: the turn whose label comes last before it,
    matched to one of the passage's `speakers` ("THE PRESIDENT" is the one speaker named
    President there); nobody in a reporter's question ("Q") or an anonymous turn. Without a
    label before it, the passage's first speaker."""
    found = dict(_labels(text))
    for match in _LINE_LABEL.finditer(text):  # a passage may hold a turn's first line only
        found.setdefault(match.start("label"), " ".join(match.group("label").split()))
    labels = [label for start, label in sorted(found.items()) if start <= at]
    if not labels:
        return speakers[0] if speakers else None
    label = labels[-1]
    outside = strip_parens(label)[0]
    if label == "Q" or all(w.lower().rstrip(".") in ANONYMOUS_SPEAKERS for w in outside.split()):
        return None
    if len(speakers) == 1:
        return speakers[0]
    return next((n for n in speakers if same_person(clean_name(label), [n])), clean_name(label))
