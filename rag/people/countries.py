"""Countries as speakers: which country a statement speaks for, and countries a question names.

A UN General Debate speech speaks for the country in its metadata (`country_iso3`, else
`country`); a White House statement for the United States government (its publisher, read
from the source URL). A question names a country by a short name ("Kenya", "the United
States"), an everyday one ("Britain", "South Korea"), an adjective ("the Japanese prime
minister") or a body that speaks for it ("the White House"). Countries are keyed by their
ISO 3166 alpha-3 code, so "Republic of Korea" and "South Korea" are one speaker.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from rag.text.vocabulary import COUNTRIES, PUBLISHER_COUNTRIES
from rag.text.words import fold, is_shouting

MAX_WORDS = 6


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    """The name to show: "United States", "Japan"."""
    names: tuple[str, ...]
    adjectives: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CountryMention:
    """A country as written in a question."""

    text: str
    start: int
    end: int
    code: str
    adjective: bool
    """Written as an adjective ("British", "Kenyan") rather than a name."""


_BY_CODE = {
    code: Country(code, names[0], tuple(names), tuple(adjectives))
    for code, names, adjectives in COUNTRIES
}
_POSSESSIVE = re.compile(r"['’]s?$")
_WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*\.?")
_OFFICIAL = re.compile(
    r"^(?:.*\b(?:republic|kingdom|state|states|commonwealth|principality|federation|"
    r"confederation|union|sultanate|emirates|duchy)\s+of\s+(?:the\s+)?)",
)


def _key(text: str) -> str:
    return " ".join(w.rstrip(".") for w in _WORD.findall(fold(text).replace("’", "'")))


def _phrases() -> dict[str, tuple[str, bool, bool]]:
    """Folded phrase -> (code, adjective, only in capitals)."""
    found: dict[str, tuple[str, bool, bool]] = {}
    for country in _BY_CODE.values():
        for phrase, adjective in [(n, False) for n in country.names] + [
            (a, True) for a in country.adjectives
        ]:
            capitals = phrase.replace(".", "").isupper() and len(phrase) <= 5
            found.setdefault(_key(phrase), (country.code, adjective, capitals))
    return found


_PHRASES = _phrases()
_FIRST = frozenset(key.split()[0] for key in _PHRASES)


def country(code: str) -> Country | None:
    return _BY_CODE.get(code)


def country_name(code: str) -> str:
    """The name to show for a code ("USA" -> "United States"); the code if unknown."""
    known = _BY_CODE.get(code)
    return known.name if known else code


@lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    """The code of a country as a statement's metadata or a user writes it: "Kenya",
    "Republic of Kenya", "Iran, Islamic Republic of", "Holy See (Vatican City State)"."""
    bare = re.sub(r"\(.*?\)", " ", name)
    key = _key(bare)
    parts = key.split(" of ")
    candidates = [key, _key(bare.split(",")[0]), _OFFICIAL.sub("", key), parts[0]]
    candidates += [" of ".join(parts[i:]) for i in range(1, len(parts))]
    for candidate in candidates:
        found = _PHRASES.get(candidate.strip())
        if found and not found[1]:
            return found[0]
    return None


def statement_country(metadata: Mapping[str, object], source_url: str | None) -> str | None:
    """The country a statement speaks for: its metadata, else the publisher of its URL."""
    code = metadata.get("country_iso3")
    if isinstance(code, str) and code.strip().upper() in _BY_CODE:
        return code.strip().upper()
    name = metadata.get("country")
    if isinstance(name, str) and name.strip():
        found = country_code(name)
        if found:
            return found
    if source_url:
        host = (urlsplit(source_url).hostname or "").lower()
        for domain, code in PUBLISHER_COUNTRIES.items():
            if host == domain or host.endswith("." + domain):
                return code
    return None


def find_countries(question: str) -> tuple[CountryMention, ...]:
    """Countries named in the question, longest phrase first where they overlap."""
    shouting = is_shouting(question)
    tokens = list(_WORD.finditer(question))
    taken: list[CountryMention] = []
    covered: set[int] = set()
    starts = [i for i, t in enumerate(tokens) if _key(_POSSESSIVE.sub("", t.group())) in _FIRST]
    for size in range(min(MAX_WORDS, len(tokens)), 0, -1):
        for first in starts:
            if first + size > len(tokens) or covered & set(range(first, first + size)):
                continue
            span = tokens[first : first + size]
            text = question[span[0].start() : span[-1].end()].rstrip(".")
            text = re.sub(r"['’]s?$", "", text)
            found = _PHRASES.get(_key(text))
            if found is None:
                continue
            code, adjective, capitals = found
            written = text.replace(".", "")
            if capitals and (shouting or not written.isupper()):
                continue  # "us" is a pronoun; "US" the country
            taken.append(
                CountryMention(text, span[0].start(), span[0].start() + len(text), code, adjective)
            )
            covered |= set(range(first, first + size))
    return tuple(sorted(taken, key=lambda m: m.start))


def is_country_word(word: str) -> bool:
    """A country's name or adjective: "Kenya", "the Bahamas", "Kenyan"."""
    return _key(word) in _PHRASES


def is_country_adjective(word: str) -> bool:
    """A country's adjective: "Kenyan", "Polish" (not "Israel" or "Jordan", also names)."""
    found = _PHRASES.get(_key(word))
    return found is not None and found[1]
