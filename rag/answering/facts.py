"""The checkable facts a sentence states (numbers, dates, names, a negation) and whether a
cited text contains them.

Word overlap forgives a paraphrase but also a wrong figure: "5,000 officers" shares every word
but one with "2,500 personnel". So the facts a reader would act on are checked exactly, each
written in whatever form the passage uses: "2,500" is "2500", "$300 million" is "300 million",
"five" is "5", "President Ruto" is "William Ruto", "UN" is "United Nations", "October 2023"
is "2023-10-03". Both sides are read by the same rules, so a number that only looks like a year
("2000 troops") is compared like for like. Only regular expressions and word lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from rag.text.vocabulary import (
    CARDINALS,
    DEMONYM_ENDINGS,
    MONTH_NAMES,
    NAME_PARTICLES,
    NEGATIONS,
    ORDINALS,
    PLACE_OR_BODY_WORDS,
    SCALES,
    SENTENCE_OPENERS,
    STOPWORDS,
    TITLES,
)
from rag.text.words import fold

FactKind = Literal["number", "date", "name", "negation"]
DateKey = tuple[int | None, int | None, int | None]
"""(year, month, day), None where the text does not say."""


@dataclass(frozen=True, slots=True)
class Fact:
    """One thing a sentence states that its cited text must contain."""

    kind: FactKind
    text: str
    """As the sentence writes it, for the reader ("5,000", "Marco Rubio")."""
    start: int
    number: str = ""
    date: DateKey = (None, None, None)
    parts: tuple[str, ...] = ()
    """A name's words as written, titles and joiners dropped."""
    surname_only: bool = False
    """Whether the last word alone is enough: a person's given names may go unwritten."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a cited text contains, indexed once and compared against every claim citing it."""

    numbers: frozenset[str]
    dates: frozenset[DateKey]
    words: frozenset[str]
    """Every word, folded, without possessives or full stops."""
    upper: frozenset[str]
    """Words written in capitals, full stops dropped: "MSS", "US" (from "U.S.")."""
    initials: frozenset[str]
    """Initials of runs of capitalised words: "UN" (from "United Nations")."""
    negated: bool


_MONTHS = {name.capitalize(): n for n, name in enumerate(MONTH_NAMES, start=1)}
_MONTH_ABBREVIATIONS = {name[:3]: n for name, n in _MONTHS.items()} | {"Sept": 9}
_MONTH = r"(?P<{0}>" + "|".join(_MONTHS) + "|(?:" + "|".join(_MONTH_ABBREVIATIONS) + r")\.)"
_DAY = r"(?P<{0}>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?P<{0}>(?:19|20)\d\d)"
_DATE = re.compile(
    r"\b(?:"
    + r"(?P<iso>(?P<iy>(?:19|20)\d\d)-(?P<im>[01]\d)-(?P<id>[0-3]\d))"
    + r"|" + _DAY.format("d1") + r"\s+(?:of\s+)?" + _MONTH.format("m1")
    + r"(?:,?\s+" + _YEAR.format("y1") + r")?"
    + r"|" + _MONTH.format("m2") + r"\s+" + _DAY.format("d2") + r"(?!\d)"
    + r"(?:,?\s+" + _YEAR.format("y2") + r")?"
    + r"|" + _MONTH.format("m3") + r"(?:\s+(?:of\s+)?" + _YEAR.format("y3") + r")?"
    + r"|(?<![$€£\d.,])" + _YEAR.format("y4")
    + r")(?![\w]|[.,]\d)"
)  # fmt: skip
_WORD_NUMBERS = {word: n for word, n in CARDINALS.items() if n > 1}
_SCALE = r"(?:\s+(?P<{0}>hundred|thousand|million|billion|trillion|bn)\b)?"
_PERCENT = r"(?:\s*(?P<{0}>%|per\s?cent\b))?"
# "one" is a count only before a scale word: alone it is as often a pronoun ("one of", "no one").
_NUMBER = re.compile(
    r"(?<![\w.,\-/])(?:[$€£]\s?)?(?P<value>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<ordinal>st|nd|rd|th)?(?![\d,]\d)" + _SCALE.format("scale") + _PERCENT.format("percent")
    + r"|\b(?P<word>" + "|".join(_WORD_NUMBERS)
    + r"|one(?=\s+(?:hundred|thousand|million|billion)))\b"
    + _SCALE.format("word_scale") + _PERCENT.format("word_percent")
    + r"|\b(?P<ordinal_word>" + "|".join(ORDINALS) + r")\b",
    re.IGNORECASE,
)  # fmt: skip
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[A-Z]\.[A-Z]\b|[^\W\d_](?:[\w’'\-]*\w)?|\d[\w,.]*")
_OPENERS = re.compile(r"[.:;!?\"“‘—–]")
_SPACE_GAP = re.compile(r"[ \t\n\-]*")
_JOINERS = NAME_PARTICLES | {"of", "the"}
_NOT_NAMES = STOPWORDS | TITLES | {fold(m) for m in _MONTHS} | {"i", "today"}


def _number_key(match: re.Match[str]) -> str:
    """A number as a canonical string: "2,500" and "2500" -> "2500", "5%" -> "5%"."""
    if match.group("ordinal_word"):
        return f"#{ORDINALS[match.group('ordinal_word').lower()]}"
    word = match.group("word")
    try:
        value = Decimal(
            _WORD_NUMBERS.get(word.lower(), 1) if word else match["value"].replace(",", "")
        )
    except InvalidOperation:
        return match.group(0)
    if match.group("ordinal"):
        return f"#{value}"
    scale = match.group("scale") or match.group("word_scale")
    if scale:
        value *= SCALES[scale.lower()]
    key = format(value.normalize(), "f")
    return f"{key}%" if match.group("percent") or match.group("word_percent") else key


def _date_key(match: re.Match[str]) -> DateKey:
    def month(name: str | None) -> int | None:
        if name is None:
            return None
        return _MONTHS.get(name) or _MONTH_ABBREVIATIONS.get(name.rstrip("."))

    def number(name: str) -> int | None:
        value = match.group(name)
        return int(value) if value else None

    if match.group("iso"):
        return number("iy"), number("im"), number("id")
    for i in "1234":
        if match.group(f"y{i}") or (i != "4" and match.group(f"m{i}")):
            day = number(f"d{i}") if i in "12" else None
            return number(f"y{i}"), month(match.group(f"m{i}") if i != "4" else None), day
    return None, None, None


def _dates(text: str) -> list[tuple[re.Match[str], DateKey]]:
    return [(m, _date_key(m)) for m in _DATE.finditer(text)]


def _outside(spans: list[tuple[int, int]], match: re.Match[str]) -> bool:
    return all(match.end() <= start or match.start() >= end for start, end in spans)


def _numbers(text: str, dates: list[tuple[int, int]]) -> list[re.Match[str]]:
    """Numbers outside the dates; an ordinal word that orders the text ("First, ...") is none."""
    return [
        m
        for m in _NUMBER.finditer(text)
        if _outside(dates, m)
        and not (
            m.group("ordinal_word")
            and (not text[: m.start()].strip() or text[m.end() : m.end() + 1] == ",")
        )
    ]


def _is_negation(word: str) -> bool:
    return word in NEGATIONS or word.endswith(("n't", "n’t"))


def _base(word: str) -> str:
    """A word as names compare: folded, no possessive, no full stops ("U.S." -> "us")."""
    return re.sub(r"['’]s?$", "", fold(word)).replace(".", "")


def _acronym(word: str) -> str:
    """`word` without full stops if it is written in capitals ("U.S." -> "US"), else ""."""
    bare = word.replace(".", "")
    return bare if len(bare) >= 2 and bare.isupper() else ""


def _variants(word: str) -> set[str]:
    """A name word and its demonyms: "kenya" ~ "kenyan", "haitians" ~ "haiti"."""
    singular = word[:-1] if word.endswith("s") and len(word) > 4 else word
    forms = {word, singular} | {singular + ending for ending in DEMONYM_ENDINGS}
    forms |= {
        singular[: -len(ending)]
        for ending in DEMONYM_ENDINGS
        if singular.endswith(ending) and len(singular) - len(ending) >= 4
    }
    return forms


def _initials(heads: list[str]) -> set[str]:
    """Initials of every run of two to six capitalised words ("United Nations" -> "UN")."""
    return {
        "".join(heads[i:j])
        for i in range(len(heads))
        for j in range(i + 2, min(len(heads), i + 6) + 1)
    }


def _text_initials(text: str) -> set[str]:
    """Initials of the capitalised runs of a text, joiners ("of the") skipped."""
    initials: set[str] = set()
    heads: list[str] = []
    previous_end = 0
    for token in _TOKEN.finditer(text):
        word = token.group()
        if heads and not _SPACE_GAP.fullmatch(text[previous_end : token.start()]):
            initials |= _initials(heads)
            heads = []
        previous_end = token.end()
        if word[0].isupper():
            heads.append(word[0])
        elif fold(word) not in _JOINERS:
            initials |= _initials(heads)
            heads = []
    return initials | _initials(heads)


def read_evidence(text: str) -> Evidence:
    """Index a cited text (its passage header included) for the checks."""
    dates = _dates(text)
    spans = [(m.start(), m.end()) for m, _ in dates]
    numbers = {_number_key(m) for m in _numbers(text, spans)}
    numbers |= {str(key[0]) for _, key in dates if key[0] is not None and key[1:] == (None, None)}
    parts = [part for t in _TOKEN.finditer(text) for part in t.group().split("-") if part]
    folded = {fold(part) for part in parts}
    return Evidence(
        numbers=frozenset(numbers),
        dates=frozenset(key for _, key in dates),
        words=frozenset(_base(part) for part in parts),
        upper=frozenset(filter(None, map(_acronym, parts))),
        initials=frozenset(_text_initials(text)),
        negated=any(map(_is_negation, folded)),
    )


def _name(text: str, run: list[re.Match[str]], joined: bool) -> Fact:
    parts = tuple(p for token in run for p in token.group().split("-") if _base(p))
    person = (
        not joined
        and 2 <= len(parts) <= 3
        and not {_base(p) for p in parts} & PLACE_OR_BODY_WORDS
        and not any(_acronym(p) for p in parts)
    )
    start, end = run[0].start(), run[-1].end()
    return Fact("name", text[start:end], start, parts=parts, surname_only=person)


def _ordinary_start(word: str) -> bool:
    base = _base(word)
    return base in SENTENCE_OPENERS or (len(base) > 5 and base.endswith(("ly", "ing", "ed")))


def _names(text: str, taken: list[tuple[int, int]]) -> list[Fact]:
    """Runs of capitalised words, minus titles, common words and ordinary sentence openers."""
    names: list[Fact] = []
    run: list[re.Match[str]] = []
    joined = False
    previous_end = 0
    for token in _TOKEN.finditer(text):
        word = token.group()
        gap = text[previous_end : token.start()]
        opens = previous_end == 0 or bool(_OPENERS.search(gap))
        is_name = (
            word[0].isupper()
            and _base(word) not in _NOT_NAMES
            and not (opens and _ordinary_start(word))
            and _outside(taken, token)
        )
        previous_end = token.end()
        if run and not (_SPACE_GAP.fullmatch(gap) and (is_name or fold(word) in _JOINERS)):
            names.append(_name(text, run, joined))
            run, joined = [], False
        if is_name:
            run.append(token)
        elif run:
            joined = True  # a joiner inside the run: "Republic of the Congo"
    if run:
        names.append(_name(text, run, joined))
    return names


def stated(sentence: str) -> tuple[Fact, ...]:
    """Every date, number and name `sentence` states, and its negation if it has one."""
    dates = _dates(sentence)
    spans = [(m.start(), m.end()) for m, _ in dates]
    facts = [Fact("date", m.group(0), m.start(), date=key) for m, key in dates]
    numbers = _numbers(sentence, spans)
    facts += [Fact("number", m.group(0), m.start(), number=_number_key(m)) for m in numbers]
    facts += _names(sentence, spans + [(m.start(), m.end()) for m in numbers])
    negation = next((t for t in _TOKEN.finditer(sentence) if _is_negation(fold(t.group()))), None)
    if negation:
        facts.append(Fact("negation", negation.group(), negation.start()))
    return tuple(sorted(facts, key=lambda fact: fact.start))


def _part_found(part: str, evidence: Evidence) -> bool:
    acronym = _acronym(part)
    if acronym:  # case matters: "US" is not the pronoun "us"
        return acronym in evidence.upper or acronym in evidence.initials
    return bool(_variants(_base(part)) & evidence.words)


def _name_found(fact: Fact, evidence: Evidence) -> bool:
    parts = fact.parts
    found = [_part_found(part, evidence) for part in parts]
    for i in range(len(parts)):  # "United Nations" is written "UN"
        for j in range(i + 2, len(parts) + 1):
            if "".join(p[0] for p in parts[i:j]).upper() in evidence.upper:
                found[i:j] = [True] * (j - i)
    return found[-1] if fact.surname_only else all(found)


def found(fact: Fact, evidence: Evidence) -> bool:
    """Whether `evidence` contains `fact`, in any of the forms it may take."""
    if fact.kind == "number":
        return fact.number in evidence.numbers
    if fact.kind == "date":
        year, month, day = fact.date
        if month is None and day is None and f"{year}" in evidence.numbers:
            return True  # "2000" read as a year here, as a count there
        return any(
            all(want is None or want == have for want, have in zip(fact.date, key, strict=True))
            for key in evidence.dates
        )
    if fact.kind == "negation":
        return evidence.negated
    return _name_found(fact, evidence)
