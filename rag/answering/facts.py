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
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from itertools import pairwise, takewhile
from typing import Literal

from rag.answering.amounts import amount, close, hedge_before, outside, read_numbers
from rag.answering.relative_dates import DECADE, RELATIVE, Span, resolve, within
from rag.people import transliterated
from rag.text.vocabulary import (
    COMMON_WORDS,
    COUNTRY_NAMES,
    DEMONYM_ENDINGS,
    MONTH_NAMES,
    NAME_PARTICLES,
    NICKNAMES,
    PLACE_OR_BODY_WORDS,
    RANKS,
    RELATIVE_DAYS,
    SENTENCE_OPENERS,
    STOPWORDS,
    TITLES,
    WEEKDAYS,
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
    initials: str = ""
    """A name's initials with the titles after it: "DHS" for "Department of Homeland
    Security" (a portfolio word such as "Security" ends the name itself)."""
    hedge: str = ""
    """How a number is hedged: "~" about, "<" at most, ">" at least (rag.answering.amounts)."""
    relative: bool = False
    """A date given relative to the statement's ("last week", "on Tuesday"): read against
    the date of each cited text (rag.answering.relative_dates)."""

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
    amounts: frozenset[tuple[Decimal, str]] = frozenset()
    """The numbers as amounts, for figures a claim rounds or hedges (rag.answering.amounts)."""
    today: dt.date | None = None
    """The date in the passage header: what "yesterday" or "on Tuesday" is counted from."""
    spans: frozenset[Span] = frozenset()
    """Every date the text gives, absolute or relative to `today`, as spans of days."""
    titled: frozenset[str] = frozenset()
    """Capitalised words right after a title ("xi" in "President Xi"): names used alone."""
    sounds: frozenset[str] = frozenset()
    """Name words as they sound across transliterations ("zelenski" for "Zelenskyy")."""
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
# "Kenyan-U.S." is "Kenyan" and "U.S.".
_TOKEN = re.compile(
    r"(?:[A-Z]\.){2,}|[A-Z]\.[A-Z]\b|[^\W\d_](?:(?:[\w’']|-(?![A-Z]\.))*\w)?|\d[\w,.]*"
)
_OPENERS = re.compile(r"[.:;!?\"“‘—–]")
_SPACE_GAP = re.compile(r"[ \t\n\-]*")
_JOINERS = NAME_PARTICLES | {"of", "the"}
_HEADER_DATE = re.compile(r"\A[^\n]*\|[ \t]*((?:19|20)\d\d-[01]\d-[0-3]\d)[ \t]*(?=\n)")
_TITLE_WORDS = TITLES | RANKS
_TRAILING_WORDS = re.compile(r"(?:[ \t]+[A-Z][a-z]+)*")
MIN_SPELT_OUT = 4
"""Letters each word of a phrase spelt out for an acronym needs ("continuing resolution")."""
MAX_SPELT_OUT = 5
_WORDS = re.compile(r"[A-Za-z]+|\S")
MIN_SOUNDED = 5
"""Letters a name word needs before it is compared by sound ("Zelensky", "Zelenskyy")."""
MIN_SHORT_NAME = 3
_INITIAL_JOINERS = _JOINERS | {"and", "for", "&", "on", "to"}
_NOT_NAMES = (
    STOPWORDS | TITLES | RANKS | {fold(m) for m in _MONTHS} | set(WEEKDAYS) | {"i", "today", "fy"}
)


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


def _spelling(word: str) -> bool:
    """Whether a word may be one of the words an acronym spells out."""
    return word.islower() and len(word) >= MIN_SPELT_OUT and word not in STOPWORDS


def _phrase_initials(text: str) -> set[str]:
    """Initials of runs of lower-case words that may be spelt out for an acronym: "CR" for
    "continuing resolution", "AI" for "artificial intelligence"."""
    initials: set[str] = set()
    heads: list[str] = []
    for word in _WORDS.findall(text):
        if _spelling(word):
            heads.append(word[0].upper())
            continue
        initials |= _initials(heads)
        heads = []
    return initials | _initials(heads)


def spelt_out(text: str, evidence: Evidence) -> list[str]:
    """Lower-case runs of `text` whose initials are an acronym `evidence` writes."""
    found: list[str] = []
    words = _WORDS.findall(text)
    for i in range(len(words)):
        for j in range(i + 2, min(len(words), i + MAX_SPELT_OUT) + 1):
            run = words[i:j]
            if not _spelling(run[-1]) or not _spelling(run[0]):
                break
            if "".join(w[0] for w in run).upper() in evidence.upper:
                found += run
    return found


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


def _header_dates(text: str, body_dates: set[DateKey], days: set[dt.date]) -> set[DateKey]:
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
    others |= {(d.year, d.month, d.day) for d in days if d != day}
    keys: set[DateKey] = {(day.year, day.month, None), (day.year, None, None)}
    if not others and not (offsets - {0}):
        keys.add((day.year, day.month, day.day))
    return (
        keys | {(d.year, d.month, d.day) for d in moved} | {(d.year, d.month, None) for d in moved}
    )


def _period_keys(periods: frozenset[Span]) -> set[DateKey]:
    """The dates a claim may write for these periods: a year, a month or a day that holds
    one ("March 2024" for "last Tuesday")."""
    keys: set[DateKey] = set()
    for start, end in periods:
        if start.year == end.year:
            keys.add((start.year, None, None))
            if start.month == end.month:
                keys.add((start.year, start.month, None))
                if start == end:
                    keys.add((start.year, start.month, start.day))
    return keys


def _key_span(key: DateKey) -> Span | None:
    """The days a date key with a year covers; None for a day that does not exist."""
    year, month, day = key
    if year is None:
        return None
    if month is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if day is None:
        last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
        return dt.date(year, month, 1), dt.date(year, month, last)
    try:
        return dt.date(year, month, day), dt.date(year, month, day)
    except ValueError:
        return None


def _given_names(tokens: list[str]) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    names = [w[:1].isupper() and (b := _base(w)) not in _NOT_NAMES and b for w in tokens]
    for before, name in zip([False, *names], names, strict=False):
        if name:
            pairs.add((name, before if before and len(before) > 1 else ""))
    return pairs


def _same_given(a: str, b: str) -> bool:
    """Whether two given names may be one person's: a nickname ("Joe", "Joseph") or a short
    form that begins or ends the full one ("Alex", "Alexander"; "Tony", "Antony")."""
    short, full = sorted((a, b), key=len)
    return (
        a == b
        or (len(short) >= MIN_SHORT_NAME and (full.startswith(short) or full.endswith(short)))
        or NICKNAMES.get(a) == b
        or NICKNAMES.get(b) == a
        or NICKNAMES.get(a, a) == NICKNAMES.get(b, b)
    )


def read_evidence(text: str) -> Evidence:
    """Index a cited text (its passage header, the first line, included) for the checks."""
    header = _HEADER_DATE.match(text)
    dates = _dates(text[header.end() :] if header else text)
    body_dates = {key for _, key in dates}
    today = dt.date.fromisoformat(header.group(1)) if header else None
    periods = resolve(text[header.end() :], today) if header and today else frozenset()
    if today:  # "On March 5" in a statement of 7 March 2024: that year's, or the year before
        yearless = [
            _key_span((today.year - back, month, day))
            for (year, month, day) in body_dates
            if year is None and month is not None
            for back in (0, 1)
            if not back or (month, day or 1) > (today.month, today.day)
        ]
        periods |= {span for span in yearless if span}
    days = {start for start, end in periods if start == end}
    spans = [(m.start(), m.end()) for m, _ in _dates(text)]
    read = [values for _, values in read_numbers(text, spans, cited=True)]
    numbers = {key for values in read for key in values}
    # Ordinals and labels ("the eighteenth century", "Phase 2") are no amounts to round.
    amounts = {
        a for values in read if not any(k[0] == "#" for k in values) for a in map(amount, values)
    }
    numbers |= {str(key[0]) for key in body_dates if key[0] is not None and key[1:] == (None, None)}
    tokens = [t.group() for t in _TOKEN.finditer(text)]
    parts = [part for token in tokens for part in token.split("-") if part]
    bases = [_base(part) for part in parts]
    countries = {row for _, _, row in _country_spans(bases, parts)}
    return Evidence(
        given=frozenset(_given_names(tokens)),
        numbers=frozenset(numbers),
        amounts=frozenset(a for a in amounts if a is not None),
        dates=frozenset(body_dates | _header_dates(text, body_dates, days) | _period_keys(periods)),
        today=today,
        spans=periods | frozenset(filter(None, map(_key_span, body_dates))),
        words=frozenset(bases),
        lower=frozenset(b for b, p in zip(bases, parts, strict=True) if p[:1].islower()),
        upper=frozenset(filter(None, map(_acronym, parts))),
        initials=frozenset(_text_initials(text) | _phrase_initials(text)),
        countries=frozenset(countries),
        titled=frozenset(
            _base(word)
            for before, word in pairwise(tokens)
            if word[:1].isupper()
            and _base(before) in _TITLE_WORDS
            and _base(word) not in _NOT_NAMES
        ),
        sounds=frozenset(
            transliterated(b) for b, p in zip(bases, parts, strict=True) if p[:1].isupper()
        ),
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
    after = _TRAILING_WORDS.match(text, end)
    titles = takewhile(lambda w: _base(w) in TITLES, after.group().split() if after else ())
    heads = [_acronym(t.group()) or t.group()[0] for t in run] + [w[0] for w in titles]
    return Fact(
        "name",
        text[start:end],
        start,
        parts=parts,
        surname_only=person,
        opening=opening and len(run) == 1,
        initials="".join(heads) if len(heads) > 1 else "",
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
            and not all(_base(p) in _NOT_NAMES for p in word.split("-") if p)
            and not (opens and _ordinary_start(word))
            and outside(taken, token)
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
    relative = [m for m in RELATIVE.finditer(sentence) if outside(spans, m)]
    relative += [m for m in DECADE.finditer(sentence) if outside(spans, m)]
    facts += [Fact("date", m.group(0), m.start(), relative=True) for m in relative]
    spans += [(m.start(), m.end()) for m in relative]
    numbers = read_numbers(sentence, spans)
    facts += [
        Fact(
            "number", m.group(0), m.start(), values=values, hedge=hedge_before(sentence, m.start())
        )
        for m, values in numbers
    ]
    facts += _names(sentence, spans + [(m.start(), m.end()) for m, _ in numbers])
    return tuple(sorted(facts, key=lambda fact: fact.start))


def _part_found(part: str, evidence: Evidence) -> bool:
    acronym = _acronym(part)
    if acronym:  # case matters: "US" is not the pronoun "us"
        return acronym in evidence.upper or acronym in evidence.initials
    base = _base(part)
    if _variants(base) & evidence.words:
        return True
    return len(base) >= MIN_SOUNDED and transliterated(base) in evidence.sounds


def _name_found(fact: Fact, evidence: Evidence) -> bool:
    parts = fact.parts
    if fact.initials and fact.initials in evidence.upper:
        return True  # "Department of Homeland Security" for "DHS"
    owner = next((i for i, p in enumerate(parts[:-1]) if _unpossessed(p) != p), None)
    if owner is not None:  # "Ukraine's Zelensky": two names
        return all(
            _name_found(replace(fact, parts=half, surname_only=2 <= len(half) <= 3), evidence)
            for half in (parts[: owner + 1], parts[owner + 1 :])
        )
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
    if fact.surname_only and found[0] and not found[-1]:
        # "Xi Jinping" where the passage writes "President Xi": the family name comes first.
        return _base(parts[0]) in evidence.titled
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
        if fact.values & evidence.numbers:
            return True
        stated_amounts = [a for a in map(amount, fact.values) if a is not None]
        return any(close(a, b, fact.hedge) for a in stated_amounts for b in evidence.amounts)
    if fact.kind == "date" and fact.relative:
        if evidence.today is None and not DECADE.fullmatch(fact.text):
            # nothing to count from: the same words will do
            return {_base(w) for w in fact.text.split()} <= evidence.words
        return within(resolve(fact.text, evidence.today or dt.date.today()), evidence.spans)
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
    found = [(m.start(), m.end(), values) for m, values in read_numbers(text, spans, cited=cited)]
    found += [
        (m.start(), m.end(), frozenset({str(key[0])}))
        for m, key in dates
        if key[0] is not None and key[1:] == (None, None)
    ]
    return sorted(found, key=lambda item: item[0])
