"""Who is speaking: statement, passage and transcript-turn speakers, found at ingest by rules.

The corpora rarely carry a speaker field (only UN speeches do), so speakers come from what
every official text states in its own conventions: the title ("Readout of President Biden's
Call with President William Ruto of Kenya"), transcript labels ("PRESIDENT RUTO:", "Lynne
Neagle AM:"), a signature line, and news attributions ("... ,” Ruto stated."). Only regular
expressions and word lists: no model, no network, linear in the text, so it runs on every
statement at ingest.

Names are read by rag.people.names, a statement's own people (title, role mentions,
signature) by rag.people.statement_people, transcript labels by rag.people.turns; this module
reads attributions in running text and puts the parts together for each passage.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rag.people.names import (
    PHRASE,
    WS,
    clean_name,
    is_role,
    name_words,
    parse_person,
    plausible_person,
    real_words,
    strip_parens,
    strip_possessive,
    surname,
    unique,
)
from rag.people.offices import issuing_office, office_holder, office_key
from rag.people.statement_people import StatementContext, statement_context
from rag.people.turns import Turn, turns_in_context
from rag.text.sentences import split_sentences
from rag.text.vocabulary import INVERTING_SPEECH_VERBS, SPEECH_VERBS

# ---- attributions in running text -------------------------------------------------------

_VERB = re.compile(rf"\b(?:{'|'.join(SPEECH_VERBS)})\b")
_ADVERBS = r"(?:(?:has|have|had|also|further|then|later|again|previously|once|publicly)\s+)*"
_LOOKBACK = 160
_WHO_BEFORE = re.compile(rf"(?<![\w’'.\-])(?P<who>{PHRASE}),?{WS}{_ADVERBS}\Z")
_AND_BEFORE = re.compile(rf"(?<![\w’'.\-])(?P<who>{PHRASE}){WS}and{WS}\Z")
_PRONOUN_BEFORE = re.compile(rf"(?<![\w’'])(?:[Hh]e|[Ss]he){WS}{_ADVERBS}\Z")
_WHO_AFTER = re.compile(rf"{WS}(?P<who>{PHRASE})(?=[ \t\xa0]*[.,;:!?)]|\s*\Z)")
_ACCORDING = re.compile(rf"\b[Aa]ccording{WS}to{WS}(?:(?P<pron>him|her)\b|(?P<who>{PHRASE}))")
# A capitalised word and a joining word right before a phrase: the phrase ends a longer name.
_TAIL_OF_NAME = re.compile(rf"[A-Z][\w’'.\-]*{WS}(?:for|of|de|on){WS}\Z")
_CLOSING_QUOTE = re.compile(r"[”\"][\s,]*\Z")
_OPENING_QUOTE = re.compile(r"[ \t\xa0]*[:,]?\s*“")


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int  # of the region the name is attributed to: its sentence, or the quote it closes
    end: int
    name: str


class AttributionReader:
    """Attributions in one text, with names, roles and pronouns resolved against the context."""

    def __init__(self, context: StatementContext) -> None:
        self.context, self.text = context, context.text
        self._events: list[tuple[int, str]] | None = None
        self._sentences: list[tuple[int, int]] | None = None

    def person(self, raw: str, at: int) -> str | None:
        """The display name a "<who> said" refers to, or None if it is not a person."""
        words = name_words(raw)
        cut = max((i for i, w in enumerate(words[:-1]) if strip_possessive(w)[1]), default=-1)
        words = words[cut + 1 :]  # "Kenya's President William Ruto": after the possessive
        while len(words) > 1 and not is_role(words[0]) and self.context.common_word(words[0]):
            words = words[1:]  # "Because Donald Trump said": a sentence's first word
        person, _ = parse_person(words, 0, roleless=1)
        if person is None:
            return None
        if not person.name:  # "The President noted": the title's, else the last one so named
            if person.role in self.context.roles:
                return self.context.roles[person.role]
            named = [m for m in self.context.mentions if m.role == person.role]
            before = [m for m in named if m.at < at] or named
            return self.context.expand(before[-1].name, person.role) if before else None
        if not person.role and not self._plausible(person.name):
            return None
        return self.context.expand(clean_name(person.name), person.role)

    def _plausible(self, name: str) -> bool:
        """Whether a name without a role reads as a person's: one the statement names elsewhere,
        or two or more words that are neither acronyms ("ACS CAN") nor words the text also
        writes in lower case ("Colorado River Basin", "Disease Control"). "Kenya said" is not."""
        last = surname(name)
        if last in self.context.by_surname or any(s == last for s, _, _ in self.context.known):
            return True
        words = name.split()
        return len(real_words(name)) >= 2 and not any(
            (w.isupper() and len(w) > 1) or self.context.common_word(w) for w in words
        )

    def events(self) -> list[tuple[int, str]]:
        """(offset, name) of people named so far: what "he said" can refer to."""
        if self._events is None:
            self._events = sorted(
                (m.at, self.context.expand(m.name, m.role)) for m in self.context.mentions
            )
            surnames = {k.split()[-1]: k for _, k, _ in self.context.known if k.split()}
            if surnames:
                pattern = r"\b(?:" + "|".join(map(re.escape, surnames)) + r")\b"
                for match in re.finditer(pattern, self.text):
                    bisect.insort(self._events, (match.start(), surnames[match.group(0)]))
        return self._events

    def sentence(self, at: int) -> tuple[int, int]:
        if self._sentences is None:
            self._sentences = [(s.start, s.end) for s in split_sentences(self.text)]
        index = bisect.bisect_right(self._sentences, (at, len(self.text))) - 1
        return self._sentences[index] if index >= 0 else (0, len(self.text))

    def region(self, at: int, who_start: int, after: int) -> tuple[int, int]:
        """The sentence of an attribution, widened to a quote it closes ("“…,” Ruto said") or
        opens ("Senator Ted Cruz, commented: “…”"), within the paragraph."""
        text = self.text
        start, end = self.sentence(at)
        if _CLOSING_QUOTE.search(text, max(0, who_start - 4), who_start):
            opening = text.rfind("“", max(text.rfind("\n\n", 0, who_start), 0), who_start)
            if opening >= 0:
                start = min(start, self.sentence(opening)[0])
        opened = _OPENING_QUOTE.match(text, after)
        if opened:
            paragraph = text.find("\n\n", opened.end())
            closing = text.find("”", opened.end(), paragraph if paragraph >= 0 else len(text))
            if closing >= 0:
                end = max(end, closing + 1)
        return start, max(end, at)

    def hits(self) -> list[_Hit]:
        # (offset, start of the who, end of the verb, name or "" for he/she)
        found: list[tuple[int, int, int, str]] = []
        text = self.text
        for match in _VERB.finditer(text):
            at = match.start()
            before = text[max(0, at - _LOOKBACK) : at]
            offset = at - len(before)
            who = _WHO_BEFORE.search(before)
            if who:
                also = _AND_BEFORE.search(before, 0, who.start())  # "Ruto and Rubio reaffirmed"
                for subject in (who, also) if also else (who,):
                    if _TAIL_OF_NAME.search(before, 0, subject.start()):
                        continue  # "the Centers for Disease Control and Prevention said"
                    name = self.person(subject.group("who"), at)
                    if name:
                        found.append((at, offset + subject.start(), match.end(), name))
            elif _PRONOUN_BEFORE.search(before):
                found.append((at, at, match.end(), ""))
            elif match.group(0) in INVERTING_SPEECH_VERBS and _CLOSING_QUOTE.search(before[-4:]):
                inverted = _WHO_AFTER.match(text, match.end())  # "…,” said President Ruto."
                name = self.person(inverted.group("who"), at) if inverted else None
                if inverted and name:
                    found.append((at, at, inverted.end(), name))
        for match in _ACCORDING.finditer(text):
            raw = match.group("who")
            name = self.person(raw, match.start()) if raw else ""
            if name is not None:
                found.append((match.start(), match.start(), match.end(), name))
        hits: list[_Hit] = []
        for at, who_start, after, name in sorted(found):
            if not name:
                events = self.events()
                index = bisect.bisect_left(events, (at, ""))
                name = events[index - 1][1] if index else ""
            if name:
                if self._events is not None:
                    bisect.insort(self._events, (at, name))
                hits.append(_Hit(*self.region(at, who_start, after), name))
        return hits


def attributed_speakers(text: str, start: int, end: int, known: Sequence[str]) -> tuple[str, ...]:
    """Names attributed in the sentences that text[start:end] overlaps: "Ruto stated",
    "said President Ruto", "according to him" (the person named last before it)."""
    hits = AttributionReader(StatementContext(text, known)).hits()
    return unique(h.name for h in hits if h.start < end and start < h.end)


# ---- a statement ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who speaks in a statement and in each of its passages."""

    statement_speakers: tuple[str, ...]
    passage_speakers: tuple[tuple[str, ...], ...]
    turns: tuple[Turn, ...]
    offices: tuple[tuple[str, str], ...] = ()
    """(office, name) the title gives: who held an office when the statement was made."""


def attribute(
    text: str,
    title: str | None,
    speaker: str | None,
    spans: Sequence[tuple[int, int]],
    day: dt.date | None = None,
) -> Attribution:
    """Statement, passage and turn speakers for one statement and its passage spans.

    Transcript passages get the speakers of the turns they overlap; other passages the
    statement's speakers plus whoever the passage's sentences quote. Only people are
    speakers: names that read as a role, a country, a group, a place or an institution are
    left out (rag.people.names.plausible_person). A statement an office issues in its own
    name without a signature ("Presidential Message on the Daytona 500") speaks for whoever
    held the office on its date `day`.
    """
    found = _attribute(text, title, speaker, spans)
    statement = _people(found.statement_speakers)
    passages = tuple(_people(names) for names in found.passage_speakers)
    offices = found.offices
    office = issuing_office(title) if not statement and not found.turns else None
    holder = office_holder(office, day) if office else None
    if office and holder:
        statement = (holder,)
        passages = tuple(unique([holder, *names]) for names in passages)
        offices = tuple(sorted({*offices, (office, holder)}))
    return Attribution(statement, passages, found.turns, offices)


def _offices(context: StatementContext, turns: Sequence[Turn]) -> tuple[tuple[str, str], ...]:
    """(office, name) from the title's roles and the labels of transcript turns ("The Prime
    Minister (Right Hon. Justin Trudeau)", "THE VICE PRESIDENT" resolved by the title)."""
    held = {(role, name) for role, name in context.roles.items()}
    for turn in turns:
        if turn.speaker:
            person, _ = parse_person(name_words(strip_parens(turn.label)[0]), 0, roleless=0)
            if person is not None and person.role:
                held.add((person.role, turn.speaker))
    offices = {(office_key(role), name) for role, name in held if plausible_person(name)}
    return tuple(sorted((office, name) for office, name in offices if office))


def _people(names: Sequence[str]) -> tuple[str, ...]:
    return tuple(n for n in names if plausible_person(n))


def _attribute(
    text: str, title: str | None, speaker: str | None, spans: Sequence[tuple[int, int]]
) -> Attribution:
    context = statement_context(text, title, speaker)
    statement = [name for _, name, _ in context.known]
    turns = turns_in_context(text, context)
    offices = _offices(context, turns)
    if turns:
        spoken: Counter[str] = Counter()
        for turn in turns:
            if turn.speaker:
                spoken[turn.speaker] += turn.end - turn.start
        statement = list(unique([*statement, *(n for n, _ in spoken.most_common())]))
        starts = [t.start for t in turns]
        passages: list[tuple[str, ...]] = []
        for start, end in spans:
            first = max(bisect.bisect_right(starts, start) - 1, 0)
            overlapping = [
                t
                for t in turns[first : bisect.bisect_left(starts, end)]
                if t.start < end and start < t.end
            ]
            names = unique(t.speaker for t in overlapping if t.speaker)
            passages.append(names if overlapping else tuple(statement))
        return Attribution(tuple(statement), tuple(passages), turns, offices)
    hits = AttributionReader(context).hits()
    if not statement:
        statement = [name for name, _ in Counter(h.name for h in hits).most_common()]
    passages = [
        unique([*statement, *(h.name for h in hits if h.start < end and start < h.end)])
        for start, end in spans
    ]
    return Attribution(tuple(statement), tuple(passages), (), offices)
