"""Who one statement says its people are: the title's speakers, the names its text gives
with a role ("President William Ruto"), a signature on its last line.

Transcript labels ("THE PRESIDENT") and news attributions ("Ruto stated") are resolved against
this context, so a speaker is named in the fullest form the statement itself gives and the
same person gets the same name in every passage.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rag.people.names import (
    PHRASE,
    UPPER,
    WS,
    Person,
    clean_name,
    name_words,
    parse_person,
    real_words,
    surname,
    unique,
)
from rag.text.vocabulary import HONORIFICS, OCCASIONS

# ---- titles -----------------------------------------------------------------------------

_DOC_TYPE = re.compile(
    r"^(?:[\W_]*(?:CORRECTED:\s*)?(?:Excerpts?\s+(?:from|of)\s+)?(?:Joint\s+)?"
    r"(?:Readout|Statements?|Remarks|Press\s+Briefing|Press\s+Gaggle|"
    r"(?:On-the-Record\s+|Background\s+)?Press\s+Call|Interview|Excerpts?|Pre-Taped\s+Remarks|"
    r"Closing\s+Remarks|Message|Letter|Address|Toast|Eulogy|Op-Ed)"
    r"(?:\s+(?:as\s+)?(?:Prepared|Delivered)(?:\s+for\s+Delivery)?)?)\s+(?:by|from|of)\s+",
    re.IGNORECASE,
)
_TITLE_PREFIX = re.compile(r"^(?:FACT SHEET|Fact Sheet|ICYMI|WHAT THEY ARE SAYING)\s*:\s*")
_READOUT = re.compile(r"\W*(?:Joint\s+)?Readout", re.IGNORECASE)


def _person_list(words: Sequence[str], i: int, *, first_roleless: int) -> tuple[list[Person], int]:
    """People joined by commas and "and" from words[i], as in "by A, B, and C"."""
    people: list[Person] = []
    person, i = parse_person(words, i, roleless=first_roleless)
    while person is not None:
        people.append(person)
        j = i
        while j < len(words) and words[j].lower() in (",", "and", "&"):
            j += 1
        if person.possessive or j == i:
            break
        person, k = parse_person(words, j, roleless=2)
        i = k if person is not None else i
    return people, i


def _title_people(title: str | None) -> list[Person]:
    """People a title presents as speaking: authors, and both parties of a call or meeting."""
    if not title:
        return []
    title = _TITLE_PREFIX.sub("", re.sub(r"^[\W_]+", "", title))
    doc = _DOC_TYPE.match(title)
    kind = doc.group(0).lower() if doc else ""
    words = name_words(title[doc.end() :] if doc else title)
    people, end = _person_list(words, 0, first_roleless=2 if doc else 0)
    if not doc and re.match(r"\W*Joint\s+Statement", title, re.IGNORECASE):
        for i, word in enumerate(words):  # "Joint Statement on X from U.S. President A, ..."
            if word.lower() in ("from", "by"):
                return _person_list(words, i + 1, first_roleless=0)[0]
        return []
    readout = "readout" in kind or bool(_READOUT.match(title))
    if ("statement" in kind and not readout) or not (readout or people):
        return people
    if end < len(words) and words[end].lower() in ("on", "of"):
        more, after = _person_list(words, end + 1, first_roleless=0)
        if more and more[-1].possessive:  # "Readout from A on B's Meeting with C"
            people, end = people + more, after
    for i in range(end, len(words) - 1):  # "<A>'s Call with <B>", "Meeting Between <A> and <B>"
        if words[i].lower() in ("with", "between", "of") and any(
            w.lower() in OCCASIONS for w in words[max(0, i - 3) : i]
        ):
            people += _person_list(words, i + 1, first_roleless=2)[0]
            break
    return people


def title_speakers(title: str | None) -> tuple[str, ...]:
    """Names a title gives as speaking, as written there minus roles ("Biden", "William Ruto")."""
    return unique(clean_name(p.name) for p in _title_people(title) if p.name)


# ---- names in the text ------------------------------------------------------------------

_ROLE_MENTION = re.compile(
    r"\b(?=[A-Z])(?:(?:Vice|Prime|Deputy|Crown|First|Second|Foreign|Press|Lt\.|Chief)[ \t\xa0]+)?"
    r"(?:President|Minister|Secretary|Chancellor|King|Queen|Prince|Amir|Emir|Sheikh|Pope|Lady|"
    r"Gentleman|Senator|Sen\.|Representative|Rep\.|Congressman|Congresswoman|Governor|Gov\.|"
    r"Mayor|Ambassador|Administrator|Advisor|Adviser|Spokesperson|Taoiseach|Premier|Speaker|"
    r"Leader|Chairman|Chairwoman|Commissioner|Director|Envoy|Mr\.|Mrs\.|Ms\.|Dr\.)"
    rf"{WS}(?:of{WS}(?:the{WS})?)?{PHRASE}"
)
_SIGNATURE = re.compile(rf"(?:\A|\n)[ \t\xa0]*([{UPPER}][{UPPER}.’' \-]{{3,40}}?)[ \t\xa0]*\Z")

# A role that is only a form of address (or none) agrees with any role.
_ADDRESS = HONORIFICS | {""}


def _roles_agree(a: str, b: str) -> bool:
    if a in _ADDRESS or b in _ADDRESS:
        return True
    return a.split()[-1] == b.split()[-1] and ("vice" in a) == ("vice" in b)


@dataclass(frozen=True, slots=True)
class _Mention:
    at: int
    role: str
    name: str
    surname: str
    words: frozenset[str]


class StatementContext:
    """What one statement says about its people: names given with a role ("President William
    Ruto"), names already known, roles from the title. Built once per statement."""

    def __init__(self, text: str, known: Sequence[str] = ()) -> None:
        self.text = text
        self.roles: dict[str, str] = {}
        self.mentions: list[_Mention] = []
        for match in _ROLE_MENTION.finditer(text):
            person, _ = parse_person(name_words(match.group(0)), 0, roleless=0)
            if person is not None and person.name:
                name = clean_name(person.name)
                words = frozenset(real_words(name))
                self.mentions.append(
                    _Mention(match.start(), person.role, name, surname(name), words)
                )
        self.by_surname: dict[str, list[_Mention]] = {}
        for mention in self.mentions:
            self.by_surname.setdefault(mention.surname, []).append(mention)
        self.known: list[tuple[str, str, frozenset[str]]] = []
        self.know(known)
        self._lower: frozenset[str] | None = None
        self._flat: str | None = None

    def know(self, names: Sequence[str]) -> None:
        """Take `names` as the statement's own speakers: expansions prefer them."""
        self.known = [(surname(k), k, frozenset(real_words(k))) for k in names if k]

    def expand(self, name: str, role: str = "") -> str:
        """The fullest form the statement gives of `name`: a known name first, then the text.

        A lone word matches a surname, or the first word of a longer name ("President Yoon"
        -> "Yoon Suk Yeol"), as family names come first in some languages.
        """
        last, words = surname(name), frozenset(real_words(name))

        def fits(candidate: str) -> bool:
            full = real_words(candidate)
            return words <= set(full) and (
                surname(candidate) == last or (len(words) == 1 and full[0] == last)
            )

        known = Counter(k for _, k, _ in self.known if fits(k))
        pool = self.by_surname.get(last, []) if len(words) > 1 else self.mentions
        text = Counter(m.name for m in pool if _roles_agree(m.role, role) and fits(m.name))
        for found in (known, text):
            if found:
                return max(found, key=lambda c: (len(real_words(c)), found[c], c))
        return name

    def as_written(self, name: str) -> str:
        """A title's name cut to the longest part the text writes: a title-case headline runs
        into its verb ("First Lady Melania Trump Concludes Second Day …") or puts a description
        first ("… with Freed American-Israeli Hostage Keith Siegel")."""
        words = name.split()
        if len(words) < 2 or name in self.text:
            return name
        if self._flat is None:
            self._flat = " ".join(self.text.split())
        if name in self._flat:
            return name
        for cut in range(1, len(words)):  # "President Biden Intends to …": "Biden" + a verb
            verb = words[cut].endswith("s") or self.common_word(words[cut])
            if verb and surname(words[cut - 1]) in self.by_surname:
                return " ".join(words[:cut])
        for cut in range(len(words) - 1, 1, -1):
            if " ".join(words[:cut]) in self._flat:
                return " ".join(words[:cut])
        for cut in range(1, len(words) - 1):
            rest = words[cut:]
            if not self.common_word(rest[0]) and " ".join(rest) in self._flat:
                return " ".join(rest)
        return name

    def common_word(self, word: str) -> bool:
        """Whether the text also writes `word` in lower case: an ordinary word, not a name."""
        if self._lower is None:
            self._lower = frozenset(re.findall(r"\b[a-z][a-z’'-]+\b", self.text))
        return word.lower() in self._lower


def _signature(text: str) -> str | None:
    """A name signed in capitals on the last line, as letters and messages end."""
    match = _SIGNATURE.search(text.rstrip()[-120:])
    if not match:
        return None
    words = match.group(1).split()
    if not 2 <= len(words) <= 5 or any(w.rstrip(".") in ("END", "P.M", "A.M") for w in words):
        return None
    name = clean_name(match.group(1))
    return name if len(real_words(name)) >= 2 else None


# ---- a statement ------------------------------------------------------------------------


def statement_context(text: str, title: str | None, speaker: str | None) -> StatementContext:
    """The metadata speaker, the title's people (fullest form the text gives), a signature.

    A title that names only a role ("Statement by the President") takes the first person the
    text names with that role.
    """
    given = [clean_name(speaker)] if speaker and speaker.strip() else []
    signature = _signature(text)
    people = _title_people(title)
    context = StatementContext(text, [*given, *([signature] if signature else [])])
    titled: list[str] = []
    for person in people:
        name = clean_name(person.name) if person.name else ""
        if not name:
            name = next((m.name for m in context.mentions if m.role == person.role), "")
        elif all(context.common_word(w) for w in name.split()):
            continue  # "Readout of White House State Legislative Convening": not a name
        else:
            name = context.as_written(name)
        if name:
            titled.append(context.expand(name, person.role))
            context.roles.setdefault(person.role, titled[-1])
    context.know(unique([*given, *titled, *([signature] if signature else [])]))
    return context
