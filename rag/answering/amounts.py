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

Number words are read by text2num (a maintained parser of spelt-out numbers): "twenty-five",
"one hundred and twenty".
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from text_to_num import text2num

from rag.text.vocabulary import CARDINALS, HEDGES

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
