"""Quotation checks: words an answer puts in quotation marks must be the cited passage's own,
and said by whom the answer says.

Word overlap passes a "quote" assembled from the passage's own words, and a real quotation
given to the wrong speaker (the reporter's question put in the President's mouth, another
official's words in Ruto's). So every span in quotation marks (curly or straight, double or
single) must appear verbatim in a passage the sentence cites, modulo quote-mark style, white
space, emphasis marks and the case of its first letter; an ellipsis may join pieces that
appear in order. And when the sentence names who said it ("Rubio said, “...”", "Biden
quoted President Truman: “...”"), that person must be the one the passage gives the words to:
the speaker of the quotation they stand in (rag.people finds those at ingest), else of the
transcript turn they are in ("Q" is a reporter: nobody to quote), else of the passage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.answering import citations
from rag.people import find_turns, same_person
from rag.text.vocabulary import SPEECH_VERBS
from rag.types import Passage, QuoteRecord

MIN_CHARS = 3
"""Shorter quoted spans (a letter, a number) are not checked."""
NOT_VERBATIM = "puts in quotation marks words the cited passage does not contain"
_QUOTED = re.compile(
    r"“(?P<curly>[^“”]+)”"
    r'|"(?P<straight>[^"]+)"'
    r"|(?<![\w])‘(?P<single>[^‘’]+)’(?![\w])"
    r"|(?<![\w])'(?P<plain_single>[^']+)'(?![\w])"
)
_EQUIVALENT = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
_EMPHASIS = re.compile(r"[*_]+|</?(?:em|i|b|strong|sup|sub)>", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_ELLIPSIS = re.compile(r"\s*(?:\.\s?\.\s?\.|…)\s*")
_TRIM = " \t\n.,;:!?'\""
# "quoted" names the one quoted after it ("Biden quoted President Truman:"), not the speaker.
_VERBS = "|".join(sorted({*SPEECH_VERBS, "said", "told", "wrote", "replied"} - {"quoted"}))
_NAME = r"([A-Z][\w.’'\-]*(?:\s+(?:[A-Z][\w.’'\-]*|of|the|de|bin|al))*)"
# "Rubio said,", "Biden quoted President Truman:", "Saint Augustine's words:", "said Ruto".
_BEFORE = re.compile(
    _NAME + r"(?:['’]s\s+(?:words|remarks|statement|message))?\s+(?:" + _VERBS + r")\b"
    r"|\bquot(?:ed|ing)\s+" + _NAME
    + r"|" + _NAME + r"['’]s\s+(?:words|remarks|statement|message|motto)"
)  # fmt: skip
_AFTER = re.compile(
    r"^[\s,]*(?:" + _NAME + r"\s+(?:" + _VERBS + r")\b|(?:" + _VERBS + r")\s+" + _NAME + r")"
)


@dataclass(frozen=True, slots=True)
class Quoted:
    """A span an answer sentence puts in quotation marks."""

    text: str
    start: int
    end: int
    speaker: str | None
    """Whom the sentence gives the words to, when it names someone."""


def flat(text: str) -> str:
    """Text as quotations compare: one quote-mark style, emphasis dropped, spaces collapsed."""
    text = _EMPHASIS.sub("", text.translate(_EQUIVALENT))
    return _SPACES.sub(" ", text).strip()


def quoted_spans(sentence: str) -> list[Quoted]:
    """The spans of `sentence` in quotation marks, each with whom the sentence credits."""
    spans: list[Quoted] = []
    for match in _QUOTED.finditer(sentence):
        group = next(g for g in ("curly", "straight", "single", "plain_single") if match.group(g))
        words = match.group(group).strip(_TRIM)
        if len(words) < MIN_CHARS or (" " not in words and group.endswith("single")):
            continue  # 'X' alone is more often a scare quote or an apostrophe
        spans.append(
            Quoted(
                words, match.start(), match.end(), _credited(sentence, match.start(), match.end())
            )
        )
    return spans


def _credited(sentence: str, start: int, end: int) -> str | None:
    before = list(_BEFORE.finditer(sentence, 0, start))
    if before:
        return _name(before[-1])
    after = _AFTER.match(sentence[end:])
    return _name(after) if after else None


def _name(match: re.Match[str]) -> str | None:
    names = [g for g in match.groups() if g]
    return names[-1] if names else None


def _pieces(quoted: str) -> list[str]:
    return [p for p in (flat(piece).strip(_TRIM) for piece in _ELLIPSIS.split(quoted)) if p]


def locate(quoted: str, text: str) -> int | None:
    """Where in `text` (flattened) the quoted words begin, or None if they are not there."""
    haystack = flat(text)
    lowered = haystack.lower()
    at = 0
    first: int | None = None
    for piece in _pieces(quoted):
        # The first letter's case may differ: "“You really are ...”" quoting "you really are".
        found = haystack.find(piece, at)
        if found < 0:
            found = lowered.find(piece[:1].lower() + piece[1:].lower(), at)
            if found < 0 or haystack[found + 1 : found + len(piece)] != piece[1:]:
                return None
        first = found if first is None else first
        at = found + len(piece)
    return first


def _speaker_at(
    passage: Passage, quoted: str, quotes: Sequence[QuoteRecord]
) -> tuple[bool, str | None]:
    """(known, speaker) of the words in `passage`: a reporter's in a "Q" turn, else the
    quotation they stand in, else the transcript turn's, else the passage's one speaker."""
    span = citations.locate(_pieces(quoted)[0], passage.text)
    if span is None:
        return False, None  # found only without emphasis marks: offsets unknown
    at = span[0]
    start, end = passage.start + span[0], passage.start + span[1]
    turns = find_turns(passage.text, passage.title, passage.speakers)
    turn = next((t for t in turns if t.start <= at < t.end), None)
    if turn is not None and turn.speaker is None:
        return True, None  # a reporter's question
    for q in quotes:
        if q.statement_id == passage.statement_id and q.start <= start and end <= q.end:
            return q.speaker is not None, q.speaker
    if turn is not None:
        return True, turn.speaker
    speakers: list[str] = []
    for name in (passage.speaker, *passage.speakers):
        if name and not any(same_person(name, [known]) for known in speakers):
            speakers.append(name)
    return (True, speakers[0]) if len(speakers) == 1 else (False, None)


def check_quotations(
    sentence: str, passages: Sequence[Passage], quotes: Sequence[QuoteRecord]
) -> str:
    """Why the quotations of `sentence` do not hold against its cited `passages`, or ""."""
    for quoted in quoted_spans(sentence):
        holding = [p for p in passages if locate(quoted.text, p.text) is not None]
        if not holding:
            return f"{NOT_VERBATIM}: “{quoted.text}”"
        if quoted.speaker is None:
            continue
        answers = [_speaker_at(p, quoted.text, quotes) for p in holding]
        if any(not known for known, _ in answers):
            continue
        if not any(same_person(quoted.speaker, [who]) for _, who in answers if who):
            said_by = next((who for _, who in answers if who), None)
            by = f"{said_by}'s" if said_by else "a reporter's"
            return f"gives {quoted.speaker} words that are {by} in the cited passage"
    return ""
