"""The cues beside a quotation that say who spoke it, read as English puts them.

"“…,” Ruto stated", "…,” said First Lady Jill Biden", "Senator Mike Lee said, quote, “…”",
"**Mark Bristow, President & CEO, Barrick:** “…”", "he said, “…”" (the person named last),
"I said, “…”" (whoever holds the floor). A cue may name nobody ("my dad would say", "the annex
noted", "they said", "said a White House spokesperson"): then the speaker is None, which also
stops a weaker rule from guessing. Names are resolved through the statement's context as
rag.people.attribution resolves them, so "President Ruto" is "William Ruto".
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Literal

from rag.people.attribution import AttributionReader
from rag.people.names import (
    PHRASE,
    WS,
    clean_name,
    is_role,
    name_words,
    parse_person,
    surname,
)
from rag.people.quote_marks import WORD, MarkedText, QuotedSpan
from rag.people.statement_people import StatementContext
from rag.people.turns import Turn, turns_in_context
from rag.text.vocabulary import (
    CLAUSE_OPENERS,
    NAME_STOPS,
    NOT_NAME,
    ORGANISATION_NOUNS,
    PLACE_PREFIXES,
    SPEECH_VERBS,
    TITLE_MINOR_WORDS,
)

Cue = Literal["said-after", "said-before", "colon", "turn", "pronoun", "statement", "none"]

_VERB = re.compile(rf"\b(?:{'|'.join(SPEECH_VERBS)})\b")
_PRONOUNS = r"I|[Hh]e|[Ss]he|[Tt]hey|[Ww]e|[Yy]ou|[Ii]t"
_CONTRACTION = r"(?:[’'](?:d|ve|ll|s|m))?"

# -- after the closing mark
_INVERTED = re.compile(rf"[\s,]*(?:(?:also|then|later)\s+)?(?P<verb>{_VERB.pattern})[\s,]*")
_SUBJECT_FIRST = re.compile(
    rf"[\s,]*(?P<who>(?:[Tt]he{WS})?{PHRASE}|[Hh]e|[Ss]he|[Tt]hey|[Ww]e|I)"
    rf"(?:{WS}(?:also|then|later|had|has|would|once))*{WS}(?P<verb>{_VERB.pattern})"
)
_LOWER_SUBJECT = re.compile(
    rf"[\s,]*(?:the|a|an|my|his|her|their|our|one|its)\b[^.“”\n]{{0,60}}?(?:{_VERB.pattern})"
)
_DASH_SIGNED = re.compile(rf"\s*[-—–]+[ \t\xa0]*(?P<who>{PHRASE})(?=[ \t\xa0]*(?:,|\n|\Z))")
_ACCORDING_AFTER = re.compile(rf"[\s,]*according{WS}to{WS}(?P<who>(?:[Tt]he{WS})?{PHRASE})")
_MAX_AFTER = 200

# -- before the opening mark
# "Senator Mike Lee said, quote, “", "Ron Johnson, on Social Security, quote: “"
_QUOTE_WORD = re.compile(
    r"(?:,?\s*(?:and\s+)?(?:I[’']ll\s+|I\s+)?(?:quote|unquote)\b,?)+(?=[\s:]*\Z)", re.I
)
# Between a subject and its verb: adverbs, auxiliaries, "in a statement".
_SKIP_BACK = re.compile(
    r"(?:[\s,]|\b[a-z]+ly\b|\b(?:also|further|then|later|again|once|often|always|"
    r"previously|recently|repeatedly|simply|just|even|still|aptly|boldly|rightly|memorably|"
    r"would|will|could|can|may|might|must|should|did|does|do|has|have|had|first|"
    r"(?:used|had|has|have|got|went\s+on|wanted|want|going)\s+to|(?:in|on|at|during)\s+(?:a|an|his|her|their|its|the|this)\s+"
    r"(?:[\w’'-]+\s+){0,3}?(?:statement|tweet|post|letter|interview|release|speech|dissent|"
    r"op-ed|video|message|address|remarks|report)(?:\s+today|\s+yesterday)?)\b)+\Z"
)
_NAME_TAIL = re.compile(rf"(?<![\w’'.\-])(?P<who>(?:[Tt]he{WS})?{PHRASE})[\s,]*\Z")
_PRONOUN_TAIL = re.compile(rf"(?<![\w’'])(?P<pron>{_PRONOUNS}){_CONTRACTION}[\s,]*\Z")
_RELATIVE_TAIL = re.compile(r"(?P<before>.*?)[\s,]*\b(?:who|that|which)[\s,]*\Z", re.S)
_APPOSITIVE = re.compile(
    rf"(?P<head>.*{PHRASE}),[ \t\xa0\n]*(?:the|a|an|our|his|her|their|its)\b[^,“”]{{0,100}}"
    r",?\s*",
    re.S,
)
_TITLED = re.compile(
    rf".*?(?<![\w’'.\-])(?P<who>{PHRASE}),[ \t\xa0\n]*"
    rf"[A-Z][^,“”]{{0,100}}(?:,[^,“”]{{0,60}})?,?\s*",
    re.S,
)
_JOIN_TAIL = re.compile(r"\b(?:and|to|then|but|or)[\s,]*\Z")
_CLAUSE = re.compile(r"[,;:—–(]")
_NAME_HEAD = re.compile(
    rf"\s*(?:(?P<pron>{_PRONOUNS}){_CONTRACTION}\b|(?P<who>(?:[Tt]he{WS})?{PHRASE})"
    r"|(?P<lower>[a-z]))"
)
_ACCORDING = re.compile(rf"\b[Aa]ccording{WS}to{WS}(?P<rest>.*)", re.S)
_WORDS_OF = re.compile(
    rf"(?:\bwords{WS}(?:of{WS}(?:the{WS})?(?:[a-z]+{WS}){{0,2}}?|(?:that{WS})?)"
    rf"(?P<of>{PHRASE})(?:{WS}(?:addressed|spoke|used|wrote|uttered))?"
    rf"|(?P<who>{PHRASE})[’'](?:s\b)?{WS}(?:own{WS}|famous{WS}|final{WS})?"
    r"(?:words|phrase|statement|message|video|sermon|line|dictum|maxim|saying|tweet)\b)"
)
_PASSIVE = re.compile(r"\b(?:am|is|are|was|were|be|been|being)\s+\Z")  # "I am reminded of"
_THEIR_WORDS = re.compile(r"\b(?:his|her)\s+(?:own\s+|[a-z]+\s+)?(?:words|phrase)\b[^.“”]{0,60}\Z")
_FOLLOWING = re.compile(
    rf"(?P<who>(?:[Tt]he{WS})?{PHRASE}){WS}(?:released|issued|provided|shared|gave|"
    r"delivered)\s+the\s+following\b"
)
_MAX_LEAD = 600

# -- whose words a whole statement is
# A statement read for someone else, as UN delegates read a head of state's: "I have the honour
# to deliver the following statement on behalf of His Excellency Mr. Patrice Talon, …"
_PROXY = re.compile(
    rf"\b(?:statement|message|address|letter|speech|remarks)\b[^.“]{{0,40}}?\b"
    rf"(?:on{WS}behalf{WS}of|from|by){WS}(?P<who>(?:[Tt]he{WS})?{PHRASE})"
)
_MAX_INTRO = 1000

# -- names
_KIN = re.compile(
    r"\b(?:my|his|her|our|their|your)\s+(?:late\s+|own\s+)?(?:dad|father|mom|mother|mum|"
    r"grandfather|grandmother|grandpa|grandma|pop|wife|husband|son|daughter|brother|sister|"
    r"uncle|aunt|friend|kids|children|parents)\b",
    re.I,
)
_OF_WORDS = frozenset({"of", "the", "and", "for", "staff"})
_PRONOUN_WINDOW = 1500


@dataclass(frozen=True, slots=True)
class Said:
    """A cue: its kind, the name it gives (None: it names nobody), where its words end."""

    cue: Cue
    speaker: str | None
    end: int = -1
    narrator: bool = False  # "I said": the one speaking, whom a later "he said" is not


def _single_name(word: str, context: StatementContext) -> bool:
    """A lone capitalised word in a subject's place that the text never writes in lower case:
    "Gianna told me", "Durbin said"."""
    return (
        word[:1].isupper()
        and word[1:].islower()
        and word.lower() not in NOT_NAME
        and not is_role(word)
        and not context.common_word(word)
    )


def _label_like(text: str) -> bool:
    """A speaker's label set before a quotation: a name and titles, every word that matters
    capitalised, no sentence in it."""
    words = WORD.findall(re.sub(r"\([^)]*\)", " ", text))
    return (
        0 < len(words) <= 25
        and text[:1].isupper()
        and not re.search(r"[.!?]\s", text)
        and all(w[:1].isupper() or w.lower() in TITLE_MINOR_WORDS for w in words)
    )


def _strip_leading(words: list[str]) -> list[str]:
    """Without a sentence's first function words: "As Justice Elena Kagan" -> "Justice …"."""
    while len(words) > 1 and words[0].lower() in NAME_STOPS:
        words = words[1:]
    return words


class CueReader:
    """The cues of one statement, with its people (context) and, when needed, its turns."""

    def __init__(self, text: MarkedText, context: StatementContext) -> None:
        self.text, self.masked, self.context = text, text.masked, context
        self.reader = AttributionReader(context)
        self._turns: tuple[Turn, ...] | None = None
        self._turn_starts: list[int] = []
        self._named: dict[int, str | None] = {}  # person named at an offset, for "he said"
        self.said: list[tuple[int, str]] = []  # (offset, speaker) of quotations so far
        own = [name for _, name, _ in context.known]
        self.own = own[0] if len(own) == 1 else None
        first_mark = self.masked.find("“")
        intro = self.masked[: min(first_mark if first_mark >= 0 else len(self.masked), _MAX_INTRO)]
        proxy = _PROXY.search(intro)
        self.voice = (self.name(proxy.group("who"), proxy.start()) if proxy else None) or self.own
        """Whose words the statement's whole-paragraph quotations are, if anyone's."""

    # ---- names

    def person(self, raw: str, at: int) -> str | None:
        """The person a phrase names, read as rag.people.attribution reads "<who> said"."""
        words = _strip_leading(raw.split())
        if not words or words[0].rstrip(".").lower() in PLACE_PREFIXES:
            return None  # "St. Anthony’s", "Fort Bragg": places
        found = self.reader.person(" ".join(words), at)
        if found:
            return found
        # Roles rag.people.names does not read as an office: "Secretary-General Ban Ki-moon",
        # "Chief of Staff Tarak Shah". The name after them is still a name.
        rest = words
        while rest and (is_role(rest[0]) or rest[0].lower() in _OF_WORDS):
            rest = rest[1:]
        if rest and len(rest) < len(words):
            lone = len(rest) == 1 and _single_name(rest[0], self.context)
            return self.reader.person(" ".join(rest), at) or (clean_name(rest[0]) if lone else None)
        if len(words) >= 3 and is_role(words[-1]) and self.reader.person(" ".join(words[:-1]), at):
            return " ".join(words)  # "Martin Luther King": a surname that is also a title
        return None

    def name(self, raw: str, at: int, *, org: bool = True) -> str | None:
        """The person (or organisation) a subject phrase names, None for anything else."""
        found = self.person(raw, at)
        if found:
            return found
        words = _strip_leading(raw.split())
        if not words or words[0].rstrip(".").lower() in PLACE_PREFIXES:
            return None
        acronyms = [i for i, w in enumerate(words[:-1]) if w.isupper() and len(w) > 1]
        if acronyms:  # "Ford CEO Jim Farley", "DOE Chief of Staff Tarak Shah"
            found = self.person(" ".join(words[acronyms[-1] + 1 :]), at)
            if found:
                return found
        bare = [w for w in words if w.lower() != "the"]
        if len(bare) == 1 and _single_name(bare[0], self.context):
            return clean_name(bare[0])
        if org and bare and bare[-1].lower() in ORGANISATION_NOUNS and len(bare) <= 8:
            return " ".join(bare)  # "The Chinese Foreign Ministry says"
        return None

    def _mentioned(self, phrase: str, at: int) -> str | None:
        """A person named in running text. A lone word counts only as a surname the statement
        gives elsewhere, which spares parsing every capitalised word."""
        words = phrase.split()
        if len(words) == 1 and surname(words[0]) not in self.context.by_surname:
            return None
        if self.masked[max(0, at - 4) : at] == "the ":
            return None  # "the Tibetan Plateau": a place or a thing
        return self.person(phrase, at)

    def last_named(self, at: int) -> str | None:
        """Whom "he said" refers to: the person named last before `at`, nearby, not the one
        speaking; None when a nameless "my dad" comes after them."""
        start = max(0, at - _PRONOUN_WINDOW)
        window = self.masked[start:at]
        named = [(p, n) for p, n in self.said if start <= p < at]
        for match in re.finditer(PHRASE, window):
            offset = start + match.start()
            if offset not in self._named:
                self._named[offset] = self._mentioned(match.group(0), offset)
            name = self._named[offset]
            if name:
                named.append((offset, name))
        if not named:
            events = self.reader.events()
            index = bisect.bisect_left(events, (at, ""))
            named = [e for e in events[:index] if e[0] >= at - 2 * _PRONOUN_WINDOW][-1:]
        turn = self.turn(at)
        named = [(p, n) for p, n in named if not turn or n != turn.speaker]
        if not named:
            return None
        last_at, last = max(named)
        kin = [start + m.start() for m in _KIN.finditer(window)]
        return None if kin and kin[-1] > last_at else last

    # ---- transcripts

    def turns(self) -> tuple[Turn, ...]:
        """Transcript turns, read only once a cue needs them."""
        if self._turns is None:
            self._turns = turns_in_context(self.masked, self.context)
            self._turn_starts = [t.start for t in self._turns]
        return self._turns

    def turn(self, at: int) -> Turn | None:
        turns = self.turns()
        i = bisect.bisect_right(self._turn_starts, at) - 1
        return turns[i] if i >= 0 and turns[i].start <= at < turns[i].end else None

    def pronoun(self, word: str, at: int) -> Said:
        word = word.lower()
        if word == "i":  # whoever holds the floor; outside a transcript, the statement's own
            turn = self.turn(at)
            if turn is not None:
                return Said("turn", turn.speaker, narrator=True)
            return Said("pronoun", self.own, narrator=True)
        if word in ("he", "she"):
            return Said("pronoun", self.last_named(at))
        return Said("pronoun", None)  # they, we, you, it: nobody named

    # ---- before the opening mark

    def before(self, span: QuotedSpan, floor: int) -> Said | None:
        """A cue in the sentence before the quotation: "Ruto said, “", "**Name, Title:** “"."""
        start = max(self.text.sentence_start(span.opening), floor, span.opening - _MAX_LEAD)
        return self.lead(self.masked[start : span.opening], start)

    def lead(self, lead: str, offset: int) -> Said | None:
        """The cue in the words that lead into a quotation (or head a paragraph of them)."""
        lead = _QUOTE_WORD.sub("", re.sub(r"\s{2,}", " ", lead).rstrip())
        at = offset + len(lead)
        following = list(_FOLLOWING.finditer(lead))
        if following:  # "National Climate Advisor Ali Zaidi released the following statement:"
            return Said("said-before", self.name(following[-1].group("who"), at))
        verbs = [v for v in _VERB.finditer(lead) if not _PASSIVE.search(lead, 0, v.start())]
        if verbs:
            found = self.subject(lead[: verbs[-1].start()], at)
            if found is not None:
                return found
        according = list(_ACCORDING.finditer(lead))
        if according:
            head = _NAME_HEAD.match(according[-1].group("rest"))
            who = head.group("who") if head else None
            return Said("said-before", self.name(who, at) if who else None)
        found = self._words_of(lead, at)
        if found is not None:
            return found
        if _THEIR_WORDS.search(lead):  # "… echoed her powerful words, “"
            return Said("pronoun", self.last_named(at))
        label = lead.strip(" \t\xa0\n*_")
        if label.endswith(":"):  # whom a colon introduces, or nobody ("It reads: “…”")
            return self.colon(label[:-1], offset) or Said("colon", None)
        bold = "**" in self.text.raw[offset : offset + len(lead) + 8]
        if bold and _label_like(label):  # "**Carlos Zegarra, Executive Director, Sachamama** “"
            return self.colon(label, offset)
        return None

    def _words_of(self, lead: str, at: int) -> Said | None:
        """ "in Odierno’s words", "Thucydides’ famous phrase", "the words of the great X"."""
        matches = list(_WORDS_OF.finditer(lead))
        if not matches:
            return None
        who = matches[-1].group("of") or matches[-1].group("who")
        words = who.split()
        lone = len(words) == 1 and matches[-1].group("who") and _single_name(words[0], self.context)
        name = self.person(who, at) or (clean_name(words[0]) if lone else None)
        return Said("said-before", name) if name else None

    def subject(self, pre: str, at: int) -> Said | None:
        """Who does the speaking verb that ends `pre`: a name, a pronoun, or a nameless noun
        ("my dad", "the annex"); None when `pre` gives no subject."""
        pre = pre[-160:]
        skipped = _SKIP_BACK.search(pre)
        if skipped:
            pre = pre[: skipped.start()]
        pronoun = _PRONOUN_TAIL.search(pre)
        if pronoun:
            return self.pronoun(pronoun.group("pron"), at)
        relative = _RELATIVE_TAIL.fullmatch(pre)
        if relative:  # "Dag Hammarskjöld, who said", "seniors, who said"
            return self.subject(relative.group("before"), at) or Said("said-before", None)
        if _JOIN_TAIL.search(pre):  # "They invented … and said", "I’ve called … to say"
            clause = pre[max((m.end() for m in _CLAUSE.finditer(pre)), default=0) :]
            clause = re.sub(r"^\s*(?:And|But|So|Then|Now)\s+", "", clause)
            head = _NAME_HEAD.match(clause)
            if head and head.group("pron"):
                return self.pronoun(head.group("pron"), at)
            if head and head.group("who"):
                return Said("said-before", self.name(head.group("who"), at))
            return Said("said-before", None) if head else None
        appositive = _APPOSITIVE.fullmatch(pre)
        if appositive:  # "Fidel Castro Ruz, the historic leader of the Cuban revolution, stated"
            return self.subject(appositive.group("head"), at)
        named = _NAME_TAIL.search(pre)
        if named and (name := self.person(named.group("who"), at)):
            return Said("said-before", name)
        titled = _TITLED.fullmatch(pre)  # "Fatima Goss Graves, President and CEO of the …, called"
        if titled and (name := self.person(titled.group("who"), at)):
            return Said("said-before", name)
        if named:
            return Said("said-before", self.name(named.group("who"), at))
        last = pre.rstrip().rsplit(None, 1)[-1:] or [""]
        return Said("said-before", None) if last[0][:1].islower() else None

    def colon(self, label: str, offset: int) -> Said | None:
        """The person a label names ("**Mark Bristow, President & CEO, Barrick:**", "Ford CEO
        Jim Farley was unambiguous:"), else the organisation a short label is."""
        label = label.lstrip(" \t\xa0\n-•")
        for piece in re.finditer(r"[^,()]+", label):
            person, _ = parse_person(name_words(piece.group(0)), 0, roleless=1)
            if person is None or not person.name:
                continue  # "President and CEO": a title, not whose title
            name = self.name(piece.group(0), offset + piece.start(), org=False)
            if name:
                return Said("colon", name)
        for match in re.finditer(PHRASE, label):
            person, _ = parse_person(name_words(match.group(0)), 0, roleless=1)
            if person is None or not person.name:
                continue  # "Automotive Innovation President": an office, not who holds it
            name = self.name(match.group(0), offset + match.start(), org=False)
            known = name is not None and surname(name) in self.context.by_surname
            if name and (len(name.split()) > 1 or known or person.role):  # "Pope Francis"
                return Said("colon", name)
        words = label.split()
        if 0 < len(words) <= 8 and all(
            w[:1].isupper() for w in words if w.lower() not in TITLE_MINOR_WORDS
        ):
            return Said("colon", " ".join(words))  # "Climate Action Campaign:"
        return None

    # ---- after the closing mark

    def after(self, span: QuotedSpan) -> Said | None:
        """A cue right after the closing mark: "…,” Ruto stated", "…,” said President Ruto"."""
        close = span.end + 1
        window = self.masked[close : close + _MAX_AFTER]
        signed = _DASH_SIGNED.match(window)  # an epigraph: "“…” — President Joseph R. Biden, Jr."
        if signed:
            who = self.name(signed.group("who"), close)
            return Said("said-after", who, self.text.sentence_end(close + signed.end()))
        window = window[: max(0, self.text.paragraph(span.opening)[1] - close)]
        reopen = window.find("“")
        window = window[: reopen if reopen >= 0 else len(window)]
        inside = self.masked[span.start : span.end].rstrip()
        lowercase = window.lstrip(" ,\t\xa0\n")[:1].islower()
        if not window.strip() or (inside.endswith(".") and not lowercase):
            return None  # the sentence ended inside the marks
        # After "?" or "!" a capitalised word starts a new sentence unless it is a name:
        # "“Why?” Ruto asked." but "“How are you?” She said, “Fine.”"
        names_only = inside[-1:] in "?!…" and not lowercase
        found = self._after(window, close, span.opening, names_only=names_only)
        if found is None:
            return None
        return Said(found.cue, found.speaker, self.text.sentence_end(found.end), found.narrator)

    def _after(self, window: str, close: int, opening: int, *, names_only: bool) -> Said | None:
        inverted = _INVERTED.match(window)
        if inverted:
            rest, end = window[inverted.end() :], close + inverted.end()
            if re.match(r"(?:he|she)\b", rest):
                return Said("pronoun", self.last_named(opening), end)
            head = re.match(rf"(?:[Tt]he{WS})?{PHRASE}", rest)
            if head is None:  # "said a White House spokesperson": nobody named
                return Said("said-after", None, end)
            name = self.name(head.group(0), close)
            return Said("said-after", name, end + head.end()) if name else None
        subject = _SUBJECT_FIRST.match(window)
        if subject:
            who, end = subject.group("who"), close + subject.end()
            if who.split()[0].lower() in CLAUSE_OPENERS:
                return None
            bare = re.sub(r"[’'].*", "", who)
            if bare.lower() in ("i", "he", "she", "they", "we"):
                if names_only:
                    return None
                found = self.pronoun(bare, opening)
                return Said(found.cue, found.speaker, end, found.narrator)
            name = self.name(who, close)
            return Said("said-after", name, end) if name else None
        according = _ACCORDING_AFTER.match(window)
        if according:
            who = self.name(according.group("who"), close)
            return Said("said-after", who, close + according.end())
        lower = _LOWER_SUBJECT.match(window)
        if lower:  # "…,” the annex noted."
            return Said("said-after", None, close + lower.end())
        return None
