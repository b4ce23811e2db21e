"""Figures compared as writers round and hedge them.

A claim may round a figure ("$1.2 billion" for "$1.23 billion", "2,500" for "2,487"), hedge it
("about 40 percent" for "39.6 percent", "more than 2,000" for "2,487", "nearly half" for
"48 percent") or state a share another way ("67%" for "two-thirds", "a third" for "33
percent"). An amount is a value and what it counts: "%" for a share, "~month" or "~hour" for a
duration in its base unit (rag/text/vocabulary/durations.txt), "" for a count or a sum. A
stated amount matches a cited one of the same kind when it is the cited value rounded (to two
significant digits at least, unless hedged) or lies as its hedge allows
(rag/text/vocabulary/hedges.txt). A bare round figure is never a rounding: "40 percent" does
not stand for 38.

The number readers (`read_numbers`) find every figure of a text in the forms writers use
(digits, number words, ordinals, multiples, fractions, shares, durations, scales) and give
each its canonical keys, which `amount` turns into values to compare.

Number words are read by text2num (a maintained parser of spelt-out numbers): "twenty-five",
"one hundred and twenty".
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from text_to_num import text2num

from rag.text.vocabulary import (
    CARDINALS,
    DURATIONS,
    FRACTIONS,
    HEDGES,
    MULTIPLES,
    NUMBER_LABELS,
    ORDINALS,
    SCALES,
    TIME_SPANS,
)

Amount = tuple[Decimal, str]
"""(value, kind): kind "%" for a share, "~month"/"~hour" for a duration, "" otherwise."""

HEDGE_SPAN = Decimal("1.3")
"""A figure "more than" (or "nearly") the stated one lies within this factor of it."""
ABOUT = Decimal("0.1")
"""A figure "about" the stated one lies within this share of it (or rounds to it)."""
MIN_DIGITS = 2
"""Significant digits an unhedged rounding keeps: "1.2" for 1.23, not "40" for 38."""

_HEDGE = re.compile(
    r"\b(?P<hedge>"
    + "|".join(re.escape(h) for h in sorted(HEDGES, key=len, reverse=True))
    + r")\s+$",
    re.IGNORECASE,
)
_HEDGE_REACH = 24


def hedge_before(text: str, start: int) -> str:
    """How the figure at `start` is hedged by the words before it: "~", "<", ">" or ""."""
    found = _HEDGE.search(text, max(0, start - _HEDGE_REACH), start)
    return HEDGES[found["hedge"].lower()] if found else ""


def word_value(words: str) -> int:
    """The value of spelt-out number words: "twenty-five" is 25, "two hundred and six" 206;
    words that do not make one number give the first word's value."""
    plain = " ".join(words.lower().replace("-", " ").split())
    try:
        return int(text2num(plain, "en"))
    except ValueError:
        return CARDINALS[plain.split()[0]]


def amount(key: str) -> Amount | None:
    """The amount a number key stands for ("2500", "5%", "6 ~month"); None for keys that
    only match exactly (ordinals "#2", counts of any unit "6 *", units as written)."""
    if key.startswith("#"):
        return None
    value, _, kind = key.removesuffix("%").partition(" ")
    if kind and not kind.startswith("~"):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number, "%" if key.endswith("%") else kind


def _rounds_to(exact: Decimal, rounded: Decimal, *, loose: bool) -> bool:
    _, digits, exponent = rounded.normalize().as_tuple()
    if not isinstance(exponent, int) or (not loose and len(digits) < MIN_DIGITS):
        return False
    try:
        return exact.quantize(Decimal(1).scaleb(exponent), ROUND_HALF_UP) == rounded
    except InvalidOperation:
        return False


def close(stated: Amount, cited: Amount, hedge: str = "") -> bool:
    """Whether a stated amount, hedged as written, is true to a cited one (not equal)."""
    (value, kind), (other, other_kind) = stated, cited
    if kind != other_kind or value <= 0 or other <= 0:
        return False
    if hedge == ">":
        return value <= other <= value * HEDGE_SPAN
    if hedge == "<":
        return value / HEDGE_SPAN <= other <= value
    if hedge == "~" and abs(other - value) <= value * ABOUT:
        return True
    if _rounds_to(other, value, loose=hedge == "~"):
        return True
    # A share written as a fraction reads either way: "a third" (33.33%) and "33 percent".
    return kind == "%" and _rounds_to(value, other, loose=False)


_WORD_NUMBERS = {word: n for word, n in CARDINALS.items() if n > 1}
_CARDINAL = "|".join(sorted(CARDINALS, key=len, reverse=True))
_TENS = "|".join(word for word, n in CARDINALS.items() if n >= 20)
_SCALE_WORDS = "|".join(word for word in SCALES if word != "bn")
_SCALE = r"(?:\s+(?P<{0}>" + "|".join(SCALES) + r")\b)?"
_PERCENT = r"(?:\s*(?P<{0}>%|per\s?cent\b))?"
_SPAN = r"(?:[\s-]+(?P<{0}>" + "|".join(TIME_SPANS) + r")\b)?"
_UNIT = r"(?:[\s-]+(?P<{0}>(?:" + "|".join(DURATIONS) + r")s?)\b)?"
# Spelt-out numbers of several words: "twenty-five", "one hundred and twenty"; "one" is a
# count only before a scale word: alone it is as often a pronoun ("one of", "no one").
_NUMBER_WORD = (
    r"(?:(?!one\b)(?:" + _CARDINAL + r")|one(?=[\s-]+(?:" + _SCALE_WORDS + r")\b))"
    r"(?:[\s-]+(?:" + _CARDINAL + r")\b|[\s-]+(?:hundred|thousand)\b"
    r"(?:\s+and(?=\s+(?:" + _CARDINAL + r")\b))?)*"
)  # fmt: skip
_NUMBER = re.compile(
    r"(?<![\w.,\-/])(?:[$€£]\s?)?(?P<value>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:<sup>)?(?P<ordinal>st|nd|rd|th)?(?![\d,]\d)(?:(?P<short>bn|mn)\b)?"
    + _SCALE.format("scale") + _PERCENT.format("percent") + _SPAN.format("span")
    + _UNIT.format("unit")
    + r"|\b(?:(?P<ordinal_tens>" + _TENS + r")[\s-]+)?(?P<ordinal_word>"
    + "|".join(ORDINALS) + r")\b"
    + r"|\b(?P<word>" + _NUMBER_WORD + r")\b"
    + _SCALE.format("word_scale") + _PERCENT.format("word_percent") + _SPAN.format("word_span")
    + _UNIT.format("word_unit")
    + r"|\b(?P<multiple>" + "|".join(MULTIPLES) + r")\b",
    re.IGNORECASE,
)  # fmt: skip
_CANDIDATE = re.compile(r"[$€£]?\d|[A-Za-z]+")
_NUMBER_WORDS = frozenset({*_WORD_NUMBERS, "one", *ORDINALS, *MULTIPLES})
_WHOLES = "|".join([*TIME_SPANS, *DURATIONS, _SCALE_WORDS])
_FRACTION_WORDS = "|".join(FRACTIONS)
_SMALL = "|".join(word for word, n in CARDINALS.items() if n < 10)
# "half a billion", "a quarter of a century", "a century and a half", "a tenth of", "two-thirds",
# "three and a half million", "one in four", "7 out of 10", "a dozen": fractions, shares, wholes.
_FRACTION = re.compile(
    r"\b(?:(?:a|an|one)\s+)?(?P<part>" + _FRACTION_WORDS + r")(?:\s+of)?(?:\s+(?:a|an))?"
    r"[\s-]+(?P<whole>" + _WHOLES + r")s?\b"
    r"|\b(?:a|one)\s+(?P<and_whole>" + _WHOLES + r")\s+and\s+a\s+half\b"
    r"|(?<![\w.,])(?P<units>\d+|" + _CARDINAL + r")\s+and\s+a\s+half(?:[\s-]+(?P<units_whole>"
    + _WHOLES + r")s?)?\b(?P<units_percent>\s*(?:%|per\s?cent\b))?"
    r"|\b(?:a|an|one)\s+(?P<share>" + _FRACTION_WORDS + r")\b(?!\s+(?:time|place|round))"
    r"|\b(?P<count>" + _SMALL + r"|\d)[\s-]+(?P<shares>" + _FRACTION_WORDS + r")s\b"
    r"|\ba\s+(?P<single>" + _SCALE_WORDS + r")\b(?![\s-]+(?:and|" + _SCALE_WORDS + r")\b)"
    r"|(?<!-)(?<!\bfirst\s)(?<!\bsecond\s)(?<!\blast\s)\b(?P<bare>half)\b"
    r"(?![\s-]+(?:time|way|hearted|staff|mast)\b)",
    re.IGNORECASE,
)  # fmt: skip
_RATIO = re.compile(
    r"(?<![\w.,])(?P<of>\d+|" + _CARDINAL + r")\s+(?:in|out\s+of)\s+"
    r"(?P<every>(?!(?:19|20)\d\d\b)\d+|" + _CARDINAL + r")\b(?!\s*(?:%|per\s?cent))",
    re.IGNORECASE,
)  # fmt: skip
# Cheap tests before the patterns above, which are slow to try at every position.
_FRACTION_CUE = re.compile(r"half|third|quarter|fifth|tenth|dozen|hundred|thousand|illion")
_RATIO_CUE = re.compile(r"\s(?:in|out\s+of)\s+(?:\d|(?:" + _CARDINAL + r")\b)", re.IGNORECASE)
_WHOLE_VALUES = {**TIME_SPANS, **{k: v for k, v in SCALES.items() if k != "bn"}}
_ANAPHORIC_TWO = re.compile(r"\bthe\s+$", re.IGNORECASE)
_COUNTED = re.compile(r"[\s-]+(?!(?:of|and|or|in|to|for|from|by|on|at|the|a|an)\b)[a-z]{3,}")
_ANNIVERSARY = re.compile(r"(?:</sup>)?\s+anniversary\b", re.IGNORECASE)
_LABEL_BEFORE = re.compile(
    r"\b(?:" + "|".join(sorted(NUMBER_LABELS, key=len, reverse=True)) + r")\s+$", re.IGNORECASE
)
# A word, or an acronym with full stops ("U.S."); a hyphen before an acronym ends a word:


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _key(value: Decimal, percent: bool = False) -> str:
    if percent:  # a share such as a third: 33.33
        value = value.quantize(Decimal("0.01")) if value.as_tuple().exponent != 0 else value
    key = format(value.normalize(), "f")
    return f"{key}%" if percent else key


def _unit(word: str | None) -> str:
    word = (word or "").lower()
    return word[:-3] + "y" if word.endswith("ies") else word.rstrip("s")


def _number_keys(
    value: Decimal, *, unit: str = "", ordinal: bool = False, label: bool = False, cited: bool
) -> set[str]:
    """How a number compares. A claim's "6 months" needs "6 months" (or a 6 with no unit:
    "the sixth anniversary", or half a year: a duration counts in its base unit), its
    "second" an ordinal or a label ("Phase Two"), its "6" any 6; a cited text offers each
    number in every form it supports."""
    key = _key(value)
    duration = DURATIONS.get(unit)
    base = {f"{_key(value * duration[0])} ~{duration[1]}"} if duration else set()
    if not cited:
        if ordinal:
            return {f"#{key}"}
        return {f"{key} {unit}", f"{key} *", *base} if unit else {key}
    keys = {key, f"{key} {unit}", *base} if unit else {key, f"{key} *"}
    if ordinal or label:
        keys |= {f"#{key}", f"{key} *"}
    return keys


def _number_values(match: re.Match[str], text: str, cited: bool) -> frozenset[str]:
    """A number's canonical forms: "2,500" and "2500" -> "2500", "5%" -> "5%", "four
    decades" -> "4 decade" and "40 year", "the 31st" -> "#31" (see `_number_keys`)."""
    anniversary = bool(_ANNIVERSARY.match(text, match.end()))
    if match.group("ordinal_word"):
        value = Decimal(ORDINALS[match.group("ordinal_word").lower()])
        if match.group("ordinal_tens"):  # "twenty-first"
            value += _WORD_NUMBERS[match.group("ordinal_tens").lower()]
        keys = _number_keys(value, ordinal=True, cited=cited)
        if anniversary:  # "the sixtieth anniversary" is "60 years"
            keys |= _number_keys(value, unit="year", cited=cited)
        return frozenset(keys)
    if match.group("multiple"):
        value = Decimal(MULTIPLES[match.group("multiple").lower()])
        return frozenset(_number_keys(value, cited=cited))
    word = match.group("word")
    read = Decimal(word_value(word)) if word else _decimal(match["value"].replace(",", ""))
    if read is None:
        return frozenset({match.group(0)})
    value = read
    scale = match.group("scale") or match.group("word_scale") or match.group("short")
    if scale:
        value *= SCALES.get(scale.lower(), SCALES["million"])  # "bn", "mn"
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


def _count(word: str) -> Decimal:
    return Decimal(word) if word.isdigit() else Decimal(word_value(word))


def _fraction_values(match: re.Match[str], cited: bool) -> frozenset[str]:
    """A fraction's forms: "a third" -> "33.33%", "two-thirds" -> "66.67%", "one in four"
    -> "25%", "half a year" -> "0.5 year" (and "6 ~month"), "a dozen" -> "12"."""
    group = {name: (value or "").lower() for name, value in match.groupdict().items()}
    if group.get("every"):  # a _RATIO
        part, whole = _count(group["of"]), _count(group["every"])
        if not 0 < part < whole:
            return frozenset({_key(part), _key(whole)})
        return frozenset({_key(part * 100 / whole, percent=True)})
    if group["share"] or group["bare"]:
        return frozenset({_key(Decimal(100) / FRACTIONS[group["share"] or group["bare"]], True)})
    if group["shares"]:
        value = _count(group["count"]) * 100 / FRACTIONS[group["shares"]]
        return frozenset({_key(value, percent=True)})
    if group["single"]:
        return frozenset(_number_keys(Decimal(SCALES[group["single"]]), cited=cited))
    if group["units"]:
        whole_word = group["units_whole"]
        value = (_count(group["units"]) + Decimal("0.5")) * _WHOLE_VALUES.get(whole_word, 1)
        if group["units_percent"]:
            return frozenset({_key(value, percent=True)})
        unit = _unit(whole_word) if whole_word in DURATIONS else ""
        return frozenset(_number_keys(value, unit=unit, cited=cited))
    whole_word = group["and_whole"] or group["whole"]
    whole = Decimal(_WHOLE_VALUES.get(whole_word, 1))
    value = whole * 3 / 2 if group["and_whole"] else whole / FRACTIONS[group["part"]]
    unit = "year" if whole_word in TIME_SPANS else _unit(whole_word)
    return frozenset(_number_keys(value, unit=unit if unit in DURATIONS else "", cited=cited))


def outside(spans: list[tuple[int, int]], match: re.Match[str]) -> bool:
    """Whether `match` overlaps none of `spans` (the text already read as something else)."""
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


def read_numbers(
    text: str, taken: list[tuple[int, int]], cited: bool = False
) -> list[tuple[re.Match[str], frozenset[str]]]:
    """Numbers outside the dates, fractions first ("half a billion"); an ordinal word that
    orders the text ("First, ...") is none, and neither is "the two" (of things named)."""
    found: list[tuple[re.Match[str], frozenset[str]]] = []
    spans = list(taken)
    fractions = [
        *(_FRACTION.finditer(text) if _FRACTION_CUE.search(text.lower()) else ()),
        *(_RATIO.finditer(text) if _RATIO_CUE.search(text) else ()),
    ]
    for m in sorted(fractions, key=lambda m: (m.start(), -m.end())):
        if outside(spans, m):
            found.append((m, _fraction_values(m, cited)))
            spans.append((m.start(), m.end()))
    for m in _number_matches(text):
        if not outside(spans, m):
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
