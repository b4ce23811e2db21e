"""The checkable facts a sentence states (numbers, dates, names) and whether a cited text
contains them.

Word overlap forgives a paraphrase but also a wrong figure: "5,000 officers" shares every word
but one with "2,500 personnel". So the facts a reader would act on are checked exactly, each
written in whatever form the passage uses: "2,500" is "2500", "$300 million" is "300 million",
"five" is "5", "the second phase" is "Phase Two", "six decades" is "60 years", "half a
billion" is "500 million", "tripled" is "three times", "FY26" is "fiscal year 2026",
"President Ruto" is "William Ruto", "UN" is "United Nations", "USAID" is "U.S. Agency for
International Development", "South Korea" is "Republic of Korea (ROK)", "Kenya-led" names
Kenya, "October 2023" is "2023-10-03". Both sides are read by the same rules, so a number that
only looks like a year ("2000 troops") is compared like for like. Only regular expressions and
word lists (rag/text/vocabulary/).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Literal

from rag.text.vocabulary import (
    CARDINALS,
    COMMON_WORDS,
    COUNTRY_NAMES,
    DEMONYM_ENDINGS,
    FRACTIONS,
    MONTH_NAMES,
    MULTIPLES,
    NAME_PARTICLES,
    NICKNAMES,
    NUMBER_LABELS,
    ORDINALS,
    PLACE_OR_BODY_WORDS,
    RELATIVE_DAYS,
    SCALES,
    SENTENCE_OPENERS,
    STOPWORDS,
    TIME_SPANS,
    TITLES,
)
from rag.text.words import fold

FactKind = Literal["number", "date", "name"]
DateKey = tuple[int | None, int | None, int | None]
"""(year, month, day), None where the text does not say."""


@dataclass(frozen=True, slots=True)
class Fact:
    """One thing a sentence states that its cited text must contain."""

    kind: FactKind
    text: str
    """As the sentence writes it, for the reader ("5,000", "Marco Rubio")."""
    start: int
    values: frozenset[str] = frozenset()
    """A number's canonical forms: "six decades" is {"6", "60"}; any one found will do."""
    date: DateKey = (None, None, None)
    parts: tuple[str, ...] = ()
    """A name's words as written, titles and joiners dropped."""
    surname_only: bool = False
    """Whether the last word alone is enough: a person's given names may go unwritten."""
    opening: bool = False
    """A single capitalised word that opens a sentence or clause: maybe no name at all."""

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a cited text contains, indexed once and compared against every claim citing it."""

    numbers: frozenset[str]
    dates: frozenset[DateKey]
    words: frozenset[str]
    """Every word, folded, without possessives or full stops."""
    lower: frozenset[str]
    """Words written in lower case: "since", so that a claim's opening "Since" is no name."""
    upper: frozenset[str]
    """Words written in capitals, full stops dropped: "MSS", "US" (from "U.S.")."""
    initials: frozenset[str]
    """Initials of runs of capitalised words: "UN" (from "United Nations")."""
    countries: frozenset[int]
    """Rows of COUNTRY_NAMES the text names in any of their forms."""
    given: frozenset[tuple[str, str]] = frozenset()
    """(surname, given name) of the capitalised pairs of words ("washington", "george"); a
    given name of "" when the word is written without one ("Secretary Rubio")."""


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
    + r"|FY\s?['’]?(?P<fy>(?:19|20)?\d\d)"
    + r")(?![\w]|[.,]\d)"
)  # fmt: skip
_WORD_NUMBERS = {word: n for word, n in CARDINALS.items() if n > 1}
_SCALE = r"(?:\s+(?P<{0}>hundred|thousand|million|billion|trillion|bn)\b)?"
_PERCENT = r"(?:\s*(?P<{0}>%|per\s?cent\b))?"
_SPAN = r"(?:[\s-]+(?P<{0}>" + "|".join(TIME_SPANS) + r")\b)?"
_UNIT = r"(?:[\s-]+(?P<{0}>(?:day|week|month|year)s?)\b)?"
# "one" is a count only before a scale word: alone it is as often a pronoun ("one of", "no one").
_NUMBER = re.compile(
    r"(?<![\w.,\-/])(?:[$€£]\s?)?(?P<value>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:<sup>)?(?P<ordinal>st|nd|rd|th)?(?![\d,]\d)"
    + _SCALE.format("scale") + _PERCENT.format("percent") + _SPAN.format("span")
    + _UNIT.format("unit")
    + r"|\b(?P<word>" + "|".join(_WORD_NUMBERS)
    + r"|one(?=\s+(?:hundred|thousand|million|billion)))\b"
    + _SCALE.format("word_scale") + _PERCENT.format("word_percent") + _SPAN.format("word_span")
    + _UNIT.format("word_unit")
    + r"|\b(?P<ordinal_word>" + "|".join(ORDINALS) + r")\b"
    + r"|\b(?P<multiple>" + "|".join(MULTIPLES) + r")\b",
    re.IGNORECASE,
)  # fmt: skip
_CANDIDATE = re.compile(r"[$€£]?\d|[A-Za-z]+")
_NUMBER_WORDS = frozenset({*_WORD_NUMBERS, "one", *ORDINALS, *MULTIPLES})
_WHOLES = "|".join([*TIME_SPANS, "hundred", "thousand", "million", "billion", "trillion"])
# "half a billion", "a quarter of a century", "a century and a half", "a tenth of": fractions.
_FRACTION = re.compile(
    r"\b(?:(?:a|an|one)\s+)?(?P<part>" + "|".join(FRACTIONS) + r")(?:\s+of)?(?:\s+(?:a|an))?"
    r"[\s-]+(?P<whole>" + _WHOLES + r")\b"
    r"|\b(?:a|one)\s+(?P<and_whole>" + _WHOLES + r")\s+and\s+a\s+half\b"
    r"|\b(?:a|an|one)\s+(?P<share>" + "|".join(FRACTIONS) + r")\b(?!\s+(?:time|place|round))",
    re.IGNORECASE,
)  # fmt: skip
_WHOLE_VALUES = {**TIME_SPANS, **{k: v for k, v in SCALES.items() if k != "bn"}}
_ANAPHORIC_TWO = re.compile(r"\bthe\s+$", re.IGNORECASE)
_COUNTED = re.compile(r"[\s-]+(?!(?:of|and|or|in|to|for|from|by|on|at|the|a|an)\b)[a-z]{3,}")
_ANNIVERSARY = re.compile(r"(?:</sup>)?\s+anniversary\b", re.IGNORECASE)
_LABEL_BEFORE = re.compile(
    r"\b(?:" + "|".join(sorted(NUMBER_LABELS, key=len, reverse=True)) + r")\s+$", re.IGNORECASE
)
# A word, or an acronym with full stops ("U.S."); a hyphen before an acronym ends a word:
# "Kenyan-U.S." is "Kenyan" and "U.S.".
_TOKEN = re.compile(
    r"(?:[A-Z]\.){2,}|[A-Z]\.[A-Z]\b|[^\W\d_](?:(?:[\w’']|-(?![A-Z]\.))*\w)?|\d[\w,.]*"
)
_OPENERS = re.compile(r"[.:;!?\"“‘—–]")
_SPACE_GAP = re.compile(r"[ \t\n\-]*")
_JOINERS = NAME_PARTICLES | {"of", "the"}
_HEADER_DATE = re.compile(r"\A[^\n]*\|[ \t]*((?:19|20)\d\d-[01]\d-[0-3]\d)[ \t]*(?=\n)")
_INITIAL_JOINERS = _JOINERS | {"and", "for", "&", "on", "to"}
_NOT_NAMES = STOPWORDS | TITLES | {fold(m) for m in _MONTHS} | {"i", "today", "fy"}


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _key(value: Decimal, percent: bool = False) -> str:
    key = format(value.normalize(), "f")
    return f"{key}%" if percent else key


def _unit(word: str | None) -> str:
    return (word or "").lower().rstrip("s")


def _number_keys(
    value: Decimal, *, unit: str = "", ordinal: bool = False, label: bool = False, cited: bool
) -> set[str]:
    """How a number compares. A claim's "6 months" needs "6 months" (or a 6 with no unit:
    "the sixth anniversary"), its "second" an ordinal or a label ("Phase Two"), its "6" any 6;
    a cited text offers each number in every form it supports."""
    key = _key(value)
    if not cited:
        if ordinal:
            return {f"#{key}"}
        return {f"{key} {unit}", f"{key} *"} if unit else {key}
    keys = {key, f"{key} {unit}"} if unit else {key, f"{key} *"}
    if ordinal or label:
        keys |= {f"#{key}", f"{key} *"}
    return keys


def _number_values(match: re.Match[str], text: str, cited: bool) -> frozenset[str]:
    """A number's canonical forms: "2,500" and "2500" -> "2500", "5%" -> "5%", "four
    decades" -> "4 decade" and "40 year", "the 31st" -> "#31" (see `_number_keys`)."""
    anniversary = bool(_ANNIVERSARY.match(text, match.end()))
    if match.group("ordinal_word"):
        value = Decimal(ORDINALS[match.group("ordinal_word").lower()])
        keys = _number_keys(value, ordinal=True, cited=cited)
        if anniversary:  # "the sixtieth anniversary" is "60 years"
            keys |= _number_keys(value, unit="year", cited=cited)
        return frozenset(keys)
    if match.group("multiple"):
        value = Decimal(MULTIPLES[match.group("multiple").lower()])
        return frozenset(_number_keys(value, cited=cited))
    word = match.group("word")
    read = (
        Decimal(_WORD_NUMBERS.get(word.lower(), 1))
        if word
        else _decimal(match["value"].replace(",", ""))
    )
    if read is None:
        return frozenset({match.group(0)})
    value = read
    scale = match.group("scale") or match.group("word_scale")
    if scale:
        value *= SCALES[scale.lower()]
    if match.group("percent") or match.group("word_percent"):
        return frozenset({_key(value, percent=True)})
    unit = _unit(match.group("unit") or match.group("word_unit"))
    span_word = (match.group("span") or match.group("word_span") or "").lower()
    span = _unit(span_word)
    label = bool(_LABEL_BEFORE.search(text, max(0, match.start() - 16), match.start()))
    ordinal = bool(match.group("ordinal")) if not word else False
    keys = _number_keys(value, unit=span or unit, ordinal=ordinal, label=label, cited=cited)
    if cited and not (span or unit or ordinal or label) and _COUNTED.match(text, match.end()):
        keys.discard(f"{_key(value)} *")  # "47 countries" counts countries, not years
    if ordinal and anniversary:
        keys |= _number_keys(value, unit="year", cited=cited)
    if span:
        keys |= _number_keys(value * TIME_SPANS[span_word], unit="year", cited=cited)
    return frozenset(keys)


def _fraction_values(match: re.Match[str], cited: bool) -> frozenset[str]:
    if match.group("share"):
        return frozenset({_key(Decimal(100) / FRACTIONS[match["share"].lower()], percent=True)})
    whole_word = (match.group("and_whole") or match.group("whole")).lower()
    whole = Decimal(_WHOLE_VALUES[whole_word])
    value = whole * 3 / 2 if match.group("and_whole") else whole / FRACTIONS[match["part"].lower()]
    unit = "year" if whole_word in TIME_SPANS else ""
    return frozenset(_number_keys(value, unit=unit, cited=cited))


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
    if match.group("fy"):  # "FY26", "FY 2024": a fiscal year
        year = int(match.group("fy"))
        return (year + 2000 if year < 100 else year), None, None
    for i in "1234":
        if match.group(f"y{i}") or (i != "4" and match.group(f"m{i}")):
            day = number(f"d{i}") if i in "12" else None
            return number(f"y{i}"), month(match.group(f"m{i}") if i != "4" else None), day
    return None, None, None


def _dates(text: str) -> list[tuple[re.Match[str], DateKey]]:
    return [(m, _date_key(m)) for m in _DATE.finditer(text)]


def _outside(spans: list[tuple[int, int]], match: re.Match[str]) -> bool:
    return all(match.end() <= start or match.start() >= end for start, end in spans)


def _number_matches(text: str) -> list[re.Match[str]]:
    """`_NUMBER.finditer(text)`, tried only where a number can start: a digit, a currency
    sign or a number word (the alternation of number words is slow to try everywhere)."""
    found: list[re.Match[str]] = []
    end = 0
    for candidate in _CANDIDATE.finditer(text):
        if candidate.start() < end:
            continue
        token = candidate.group()
        if token[0].isalpha() and token.lower() not in _NUMBER_WORDS:
            continue
        match = _NUMBER.match(text, candidate.start())
        if match and match.end() > match.start():
            found.append(match)
            end = match.end()
    return found


def _numbers(
    text: str, taken: list[tuple[int, int]], cited: bool = False
) -> list[tuple[re.Match[str], frozenset[str]]]:
    """Numbers outside the dates, fractions first ("half a billion"); an ordinal word that
    orders the text ("First, ...") is none, and neither is "the two" (of things named)."""
    found: list[tuple[re.Match[str], frozenset[str]]] = []
    spans = list(taken)
    for m in _FRACTION.finditer(text):
        if _outside(spans, m):
            found.append((m, _fraction_values(m, cited)))
            spans.append((m.start(), m.end()))
    for m in _number_matches(text):
        if not _outside(spans, m):
            continue
        if m.group("ordinal_word") and (
            not text[: m.start()].strip() or text[m.end() : m.end() + 1] == ","
        ):
            continue
        word = m.group("word")
        before = text[max(0, m.start() - 6) : m.start()]
        if word and word.lower() == "two" and _ANAPHORIC_TWO.search(before):
            continue
        found.append((m, _number_values(m, text, cited)))
    return sorted(found, key=lambda item: item[0].start())


def _unpossessed(word: str) -> str:
    if word.endswith(("'s", "’s")):
        return word[:-2]
    return word[:-1] if word.endswith(("'", "’")) else word


def _base(word: str) -> str:
    """A word as names compare: folded, no possessive, no full stops ("U.S." -> "us")."""
    return _unpossessed(fold(word)).replace(".", "")


def _acronym(word: str) -> str:
    """`word` without full stops or possessive if it is written in capitals ("U.S." -> "US",
    "US's" -> "US"), else ""."""
    bare = (word[:-2] if word.endswith(("'s", "’s")) else word).replace(".", "")
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
    """Initials of the capitalised runs of a text, joiners ("of the", "and") skipped; an
    acronym in the run gives all its letters ("U.S. Agency for International Development")."""
    initials: set[str] = set()
    heads: list[str] = []
    previous_end = 0
    for token in _TOKEN.finditer(text):
        word = token.group()
        if heads and text[previous_end : token.start()].strip(" \t\n-"):
            initials |= _initials(heads)
            heads = []
        previous_end = token.end()
        if word[0].isupper():
            heads.append(_acronym(word) or word[0])
        elif word.lower() not in _INITIAL_JOINERS:
            initials |= _initials(heads)
            heads = []
    return initials | _initials(heads)


@cache
def _country_forms() -> tuple[dict[str, list[tuple[tuple[str, ...], int]]], dict[str, int]]:
    """Lower-case forms of COUNTRY_NAMES (as word tuples, by first word, longest first) and
    their acronyms, each with its row."""
    phrases: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    acronyms: dict[str, int] = {}
    for row, forms in enumerate(COUNTRY_NAMES):
        for form in forms:
            if _acronym(form):
                acronyms[_acronym(form)] = row
                continue
            words = tuple(w for w in (_base(w) for w in re.split(r"[_\s-]+", form)) if w)
            phrases.setdefault(words[0], []).append((words, row))
    for candidates in phrases.values():
        candidates.sort(key=lambda item: -len(item[0]))
    return phrases, acronyms


def _country_spans(words: list[str], raw: list[str]) -> list[tuple[int, int, int]]:
    """(first word, end word, row) of every country form in a run of words."""
    phrases, acronyms = _country_forms()
    spans: list[tuple[int, int, int]] = []
    for i, word in enumerate(words):
        acronym = _acronym(raw[i])
        if acronym:
            if acronym in acronyms:
                spans.append((i, i + 1, acronyms[acronym]))
            continue
        for form, row in phrases.get(word, ()):
            if tuple(words[i : i + len(form)]) == form:
                spans.append((i, i + len(form), row))
                break
    return spans


def _header_dates(text: str, body_dates: set[DateKey]) -> set[DateKey]:
    """The dates a passage header ("title | speaker | 2024-07-26", the first line) supports.

    Its day supports a claim only when the text does not place events on other days: a
    statement of 26 July saying "Yesterday, ... arrested" puts the arrest on 25 July, and
    one announcing a visit "on May 23" does not date the visit by its own date.
    """
    header = _HEADER_DATE.match(text)
    if header is None:
        return set()
    day = dt.date.fromisoformat(header.group(1))
    words = set(re.findall(r"[a-z]+", text[header.end() :].lower()))
    offsets = {RELATIVE_DAYS[w] for w in words & RELATIVE_DAYS.keys()}
    moved = {day + dt.timedelta(days=n) for n in offsets}
    others = {d for d in body_dates if d[2] is not None and d != (day.year, day.month, day.day)}
    keys: set[DateKey] = {(day.year, day.month, None), (day.year, None, None)}
    if not others and not (offsets - {0}):
        keys.add((day.year, day.month, day.day))
    return (
        keys | {(d.year, d.month, d.day) for d in moved} | {(d.year, d.month, None) for d in moved}
    )


def _given_names(tokens: list[str]) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    names = [w[:1].isupper() and (b := _base(w)) not in _NOT_NAMES and b for w in tokens]
    for before, name in zip([False, *names], names, strict=False):
        if name:
            pairs.add((name, before if before and len(before) > 1 else ""))
    return pairs


def _same_given(a: str, b: str) -> bool:
    return (
        a == b
        or NICKNAMES.get(a) == b
        or NICKNAMES.get(b) == a
        or NICKNAMES.get(a, a) == NICKNAMES.get(b, b)
    )


def read_evidence(text: str) -> Evidence:
    """Index a cited text (its passage header, the first line, included) for the checks."""
    header = _HEADER_DATE.match(text)
    dates = _dates(text[header.end() :] if header else text)
    body_dates = {key for _, key in dates}
    spans = [(m.start(), m.end()) for m, _ in _dates(text)]
    numbers = {key for _, values in _numbers(text, spans, cited=True) for key in values}
    numbers |= {str(key[0]) for key in body_dates if key[0] is not None and key[1:] == (None, None)}
    tokens = [t.group() for t in _TOKEN.finditer(text)]
    parts = [part for token in tokens for part in token.split("-") if part]
    bases = [_base(part) for part in parts]
    countries = {row for _, _, row in _country_spans(bases, parts)}
    return Evidence(
        given=frozenset(_given_names(tokens)),
        numbers=frozenset(numbers),
        dates=frozenset(body_dates | _header_dates(text, body_dates)),
        words=frozenset(bases),
        lower=frozenset(b for b, p in zip(bases, parts, strict=True) if p[:1].islower()),
        upper=frozenset(filter(None, map(_acronym, parts))),
        initials=frozenset(_text_initials(text)),
        countries=frozenset(countries),
    )


def _name_parts(run: list[re.Match[str]]) -> tuple[str, ...]:
    """The words of a name: a hyphenated word gives its capitalised pieces ("Kenya-led" is
    Kenya, "al-Shabaab" is Shabaab), or all of them when none is capitalised."""
    parts: list[str] = []
    for token in run:
        pieces = [p for p in token.group().split("-") if _base(p)]
        capitalised = [p for p in pieces if p[:1].isupper()]
        parts += capitalised or pieces
    return tuple(parts)


def _name(text: str, run: list[re.Match[str]], joined: bool, opening: bool) -> Fact:
    parts = _name_parts(run)
    person = (
        not joined
        and 2 <= len(parts) <= 3
        and not {_base(p) for p in parts} & PLACE_OR_BODY_WORDS
        and not any(_acronym(p) for p in parts)
    )
    start, end = run[0].start(), run[-1].end()
    return Fact(
        "name",
        text[start:end],
        start,
        parts=parts,
        surname_only=person,
        opening=opening and len(run) == 1,
    )


def _ordinary_start(word: str) -> bool:
    base = _base(word)
    return (
        base in SENTENCE_OPENERS
        or base in COMMON_WORDS
        or (len(base) > 5 and base.endswith(("ly", "ing", "ed")))
    )


def _names(text: str, taken: list[tuple[int, int]]) -> list[Fact]:
    """Runs of capitalised words, minus titles, common words and ordinary sentence openers."""
    names: list[Fact] = []
    run: list[re.Match[str]] = []
    joined = opening = False
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
            names.append(_name(text, run, joined, opening))
            run, joined = [], False
        if is_name:
            if not run:
                opening = opens
            run.append(token)
        elif run:
            joined = True  # a joiner inside the run: "Republic of the Congo"
    if run:
        names.append(_name(text, run, joined, opening))
    return names


def stated(sentence: str) -> tuple[Fact, ...]:
    """Every date, number and name `sentence` states, in order."""
    dates = _dates(sentence)
    spans = [(m.start(), m.end()) for m, _ in dates]
    facts = [Fact("date", m.group(0), m.start(), date=key) for m, key in dates]
    numbers = _numbers(sentence, spans)
    facts += [Fact("number", m.group(0), m.start(), values=values) for m, values in numbers]
    facts += _names(sentence, spans + [(m.start(), m.end()) for m, _ in numbers])
    return tuple(sorted(facts, key=lambda fact: fact.start))


def _part_found(part: str, evidence: Evidence) -> bool:
    acronym = _acronym(part)
    if acronym:  # case matters: "US" is not the pronoun "us"
        return acronym in evidence.upper or acronym in evidence.initials
    return bool(_variants(_base(part)) & evidence.words)


def _name_found(fact: Fact, evidence: Evidence) -> bool:
    parts = fact.parts
    if fact.opening and len(parts) == 1 and _base(parts[0]) in evidence.lower:
        return True  # "Cuts to ..." where the passage writes "cuts"
    found = [_part_found(part, evidence) for part in parts]
    for i in range(len(parts)):  # "United Nations" is written "UN"
        for j in range(i + 2, len(parts) + 1):
            if "".join(p[0] for p in parts[i:j]).upper() in evidence.upper:
                found[i:j] = [True] * (j - i)
    bases = [_base(p) for p in parts]
    for i, j, row in _country_spans(bases, list(parts)):  # "South Korea" is "ROK"
        if row in evidence.countries:
            found[i:j] = [True] * (j - i)
    if fact.surname_only and found[-1] and not found[0]:
        # "Martha Washington" where the passage names only George Washington.
        surname = _base(parts[-1])
        given = {g for s, g in evidence.given if s == surname}
        if given and "" not in given and not any(_same_given(_base(parts[0]), g) for g in given):
            return False
    return found[-1] if fact.surname_only else all(found)


def found(fact: Fact, evidence: Evidence) -> bool:
    """Whether `evidence` contains `fact`, in any of the forms it may take."""
    if fact.kind == "number":
        return bool(fact.values & evidence.numbers)
    if fact.kind == "date":
        year, month, day = fact.date
        if month is None and day is None and f"{year}" in evidence.numbers:
            return True  # "2000" read as a year here, as a count there
        return any(
            all(want is None or want == have for want, have in zip(fact.date, key, strict=True))
            for key in evidence.dates
        )
    return _name_found(fact, evidence)


def quantities(text: str, *, cited: bool) -> list[tuple[int, int, frozenset[str]]]:
    """(start, end, forms) of every number and year in `text`, read as `stated` (a claim) or
    `read_evidence` (a cited text) reads them: for binding figures to what they count."""
    dates = _dates(text)
    spans = [(m.start(), m.end()) for m, _ in dates]
    found = [(m.start(), m.end(), values) for m, values in _numbers(text, spans, cited=cited)]
    found += [
        (m.start(), m.end(), frozenset({str(key[0])}))
        for m, key in dates
        if key[0] is not None and key[1:] == (None, None)
    ]
    return sorted(found, key=lambda item: item[0])
