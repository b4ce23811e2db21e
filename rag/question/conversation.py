"""A conversation's last question made standalone, so retrieval can answer it on its own.

After "What did Ruto say about Haiti?", the follow-up "and what about DRC?" is asked as
"What did Ruto say about DRC?", "What about Biden?" as "What did Biden say about Haiti?",
"and in 2024?" as "What did Ruto say about Haiti in 2024?", and "Did he mention the
DRC?" as "Did Ruto mention the DRC?". Each question is rewritten against the one before
it (itself rewritten), so a chain of follow-ups keeps its speaker.

The rewriting edits the earlier question where it names a speaker, a period or a topic,
using what rag.question.understanding reads from both; a question that names a speaker and a
topic of its own, or does not look like a follow-up, is left as it is. Pure functions:
the reader (`interpret` with the store's aliases) is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rag.question.understanding import Interpretation
from rag.text.vocabulary import CONNECTIVES

Reader = Callable[[str], Interpretation]

_CUE = re.compile(
    r"^\W*(?:and|but|also|plus|so|ok(?:ay)?|then|now|what\s+about|how\s+about|what\s+of"
    r"|same\s+(?:question\s+)?(?:for|about)|as\s+for|regarding)\b",
    re.IGNORECASE,
)
_QUESTION = re.compile(
    r"\W*(?:what|who|whom|whose|when|where|why|how|which|did|does|do|has|have|had|is|are"
    r"|was|were|can|could|will|would|should|tell|give|list|show|summari[sz]e)\b",
    re.IGNORECASE,
)
SHORT_WORDS = 4
"""A question of fewer words than this, not framed as one, is a follow-up ("Biden?")."""
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_PRONOUN = re.compile(
    r"\b(?P<subject>he|she|they|him|them)\b|\b(?P<possessive>his|their)\b|\b(?P<her>her)\b"
    r"(?P<after>\s+[^\W\d_]+)?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Edit:
    start: int
    end: int
    text: str


def standalone(questions: Sequence[str], read: Reader) -> str:
    """The last of the user's questions, made standalone by the ones before it."""
    if not questions:
        raise ValueError("a conversation needs at least one question")
    context = questions[0].strip()
    for question in questions[1:]:
        context = follow_up(question.strip(), context, read)
    return context


def follow_up(question: str, before: str, read: Reader) -> str:
    """`question` as it would be asked without the conversation, given the question
    (already standalone) that came before it."""
    now, then = read(question), read(before)
    if not _elliptical(question):
        who = _names(then)
        if not now.speakers and who and _PRONOUN.search(question):
            return _PRONOUN.sub(lambda m: _name_for(m, who), question, count=1)
        return question
    if now.speakers and not then.speakers:
        topic = _topic_span(before, then)
        if topic is None:
            return question
        return f"What did {_names(now)} say about {before[topic[0] : topic[1]]}?"
    edits = _edits(question, now, before, then)
    return _apply(before, edits) if edits else question


def _elliptical(question: str) -> bool:
    """A follow-up that leaves out what the question before said: "and what about DRC?",
    "Biden?", "and in 2024?"; not a whole question ("And what did Biden say about it?")."""
    rest, cued = question, False
    while (cue := _CUE.match(rest)) is not None:
        rest, cued = rest[cue.end() :], True
    if _QUESTION.match(rest):
        return False
    return cued or (_word_count(rest) < SHORT_WORDS and rest.rstrip().endswith("?"))


def _edits(question: str, now: Interpretation, before: str, then: Interpretation) -> list[Edit]:
    edits: list[Edit] = []
    if now.speakers:
        edits.append(Edit(then.speakers[0].start, then.speakers[-1].end, _names(now)))
    if now.dates:
        period = " and ".join(d.text for d in now.dates)
        if then.dates:
            edits.append(Edit(then.dates[0].start, then.dates[-1].end, period))
        else:
            at = _end_of_words(before)
            edits.append(Edit(at, at, f" {period}"))
    topic = _topic_span(question, now)
    if topic is not None:
        old = _topic_span(before, then)
        new = question[topic[0] : topic[1]]
        if old is not None and not _overlaps_any(old, edits):
            edits.append(Edit(old[0], old[1], new))
        elif old is None:
            at = _end_of_words(before)
            edits.append(Edit(at, at, f" about {new}"))
    return edits


def _apply(text: str, edits: Sequence[Edit]) -> str:
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def _overlaps_any(span: tuple[int, int], edits: Sequence[Edit]) -> bool:
    return any(span[0] < e.end and e.start < span[1] for e in edits)


def _topic_span(question: str, reading: Interpretation) -> tuple[int, int] | None:
    """Where the topic's words are in the question: from the first to the last."""
    tokens = reading.topic.split()
    if not tokens:
        return None
    start = end = None
    cursor = 0
    for token in tokens:
        at = question.find(token, cursor)
        if at < 0:
            return None
        start = at if start is None else start
        end = cursor = at + len(token)
    assert start is not None and end is not None
    return start, end


def _end_of_words(text: str) -> int:
    """Where a question's words end, before its closing punctuation."""
    return len(text.rstrip().rstrip("?!.").rstrip())


def _names(reading: Interpretation) -> str:
    return " and ".join(m.text for m in reading.speakers)


def _name_for(pronoun: re.Match[str], names: str) -> str:
    if pronoun.group("subject"):
        return names
    if pronoun.group("possessive"):
        return f"{names}'s"
    after = pronoun.group("after") or ""
    if after and after.strip().lower() not in CONNECTIVES:
        return f"{names}'s{after}"
    return f"{names}{after}"


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))
