"""Speakers a question names, matched against the aliases of stored speakers.

Users write "Ruto", "President William Ruto", "ruto's" or "Rutto"; the speaker index stores
"William Samoei Ruto". Question words are folded and stripped of possessives, titles around a
name are taken into the mention, and a close misspelling is accepted. Everyday words that are
also names ("Price", "Power", "May") match only when written as a name, and a known name
inside an unknown one ("Simon Harris") is not that speaker.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from rag.text.vocabulary import (
    COMMON_WORDS,
    GENERATIONAL_SUFFIXES,
    MONTH_NAMES,
    NAME_PARTICLES,
    NAME_SUFFIXES,
    QUESTION_FRAME,
    TITLES,
    WEEKDAYS,
)
from rag.text.words import POSSESSIVE, content_terms, fold, is_shouting

MAX_NGRAM = 5
TYPO_RATIO = 0.88
TYPO_MIN_CHARS = 5
TITLE_TYPO_RATIO = 0.8


@dataclass(frozen=True, slots=True)
class SpeakerMention:
    """A speaker as written in the question, and the stored names it may mean, best first."""

    text: str
    start: int
    end: int
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True, eq=False)
class AliasIndex(Mapping[str, tuple[str, ...]]):
    """Aliases keyed as question words are compared: folded words, possessives dropped.

    Building it costs a pass over every alias; a caller that asks many questions builds it
    once (`AliasIndex.build`) and passes it to `interpret` in place of the plain mapping.
    """

    exact: Mapping[str, tuple[str, ...]]
    by_shape: Mapping[tuple[int, str], tuple[str, ...]]
    """(word count, first letter) -> keys: the few worth comparing with a misspelling."""
    name_words: Mapping[str, frozenset[str]]
    """Canonical name -> every word of it and its aliases ("joseph", "r", "biden", "jr")."""
    spelled: Mapping[str, str] = dataclass_field(default_factory=dict)
    """Transliteration key -> alias key: "zelenski" and "zelenskyy" are one name."""

    @classmethod
    def build(cls, aliases: Mapping[str, tuple[str, ...]]) -> AliasIndex:
        exact: dict[str, list[str]] = {}
        for alias, names in aliases.items():
            key = " ".join(_key_words(alias))
            if key:
                merged = exact.setdefault(key, [])
                merged.extend(n for n in names if n not in merged)
        shapes: dict[tuple[int, str], list[str]] = {}
        name_words: dict[str, set[str]] = {}
        for key, merged_names in exact.items():
            shapes.setdefault((key.count(" ") + 1, key[0]), []).append(key)
            for name in merged_names:
                name_words.setdefault(name, set(_key_words(name))).update(key.split())
        spelled: dict[str, str] = {}
        for key in sorted(exact, key=lambda k: -len(exact[k])):
            if len(key) >= TYPO_MIN_CHARS:
                spelled.setdefault(transliterated(key), key)
        return cls(
            {key: tuple(names) for key, names in exact.items()},
            {shape: tuple(keys) for shape, keys in shapes.items()},
            {name: frozenset(found) for name, found in name_words.items()},
            spelled,
        )

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self.exact[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.exact)

    def __len__(self) -> int:
        return len(self.exact)


_JOIN = re.compile(r"\s+|\s*-\s*")
_GUARDED = COMMON_WORDS | TITLES | QUESTION_FRAME | frozenset(MONTH_NAMES + WEEKDAYS)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_TITLE_KEYS = tuple(sorted(t for t in TITLES if len(t) >= TYPO_MIN_CHARS))


@dataclass(frozen=True, slots=True)
class _Word:
    """A word of the question: folded, without a possessive, at its offsets."""

    key: str
    start: int
    end: int
    capital: bool
    possessive: bool
    joined: bool
    """Only a space or hyphen parts it from the word before ("Simon Harris", not "Haiti, Ruto")."""


@dataclass(frozen=True, slots=True)
class _Match:
    first: int
    last: int
    """Word positions, inclusive."""
    names: tuple[str, ...]
    exact: bool


def _key_words(text: str) -> list[str]:
    """Folded words without possessives: "Joseph R. Biden, Jr.'s" -> joseph r biden jr."""
    return [POSSESSIVE.sub("", w) for w in _WORD.findall(fold(text))]


def _question_words(question: str) -> list[_Word]:
    shouting = is_shouting(question)
    found: list[_Word] = []
    previous_end = 0
    for m in _WORD.finditer(question):
        possessive = POSSESSIVE.search(m.group())
        end = m.end() - (len(possessive.group()) if possessive else 0)
        key = fold(question[m.start() : end])
        capital = m.group()[0].isupper() and not shouting
        joined = _JOIN.fullmatch(question, previous_end, m.start()) is not None
        found.append(_Word(key, m.start(), end, capital, possessive is not None, joined))
        previous_end = m.end()
    return found


def find_speakers(question: str, aliases: AliasIndex) -> tuple[SpeakerMention, ...]:
    """Mentions of known speakers, longest first where they compete, in question order."""
    found = _question_words(question)
    candidates = [
        match
        for first in range(len(found))
        for n in range(min(MAX_NGRAM, len(found) - first), 0, -1)
        if (match := _match(found, first, first + n - 1, aliases)) is not None
    ]
    candidates.sort(key=lambda m: (m.first - m.last, not m.exact, m.first))
    taken: list[_Match] = []
    for match in candidates:
        if all(match.last < t.first or match.first > t.last for t in taken):
            taken.append(match)
    taken.sort(key=lambda m: m.first)
    mentions: list[SpeakerMention] = []
    for i, match in enumerate(taken):
        low = taken[i - 1].last + 1 if i else 0
        high = taken[i + 1].first - 1 if i + 1 < len(taken) else len(found) - 1
        first, last = _extend(found, match, aliases, low, high)
        start, end = found[first].start, found[last].end
        if question[end : end + 1] == "." and (
            found[last].key in GENERATIONAL_SUFFIXES or len(found[last].key) == 1
        ):
            end += 1  # "Jr.", "R."
        said = {w.key for w in found[first : last + 1]}
        names = sorted(
            match.names, key=lambda n: -len(said & aliases.name_words.get(n, frozenset()))
        )
        mentions.append(SpeakerMention(question[start:end], start, end, tuple(names)))
    return tuple(mentions)


def _match(found: list[_Word], first: int, last: int, aliases: AliasIndex) -> _Match | None:
    span = found[first : last + 1]
    key = " ".join(w.key for w in span)
    if len(span) == 1 and (len(key) < 2 or not content_terms(key) or key in NAME_SUFFIXES):
        return None  # a single letter, a stopword, or "VI" of "Mohammed VI"
    guarded = [w.key in _GUARDED or not content_terms(w.key) for w in span]
    names = aliases.exact.get(key)
    if names:
        if all(guarded) and not _written_as_name(found, first, last):
            return None  # "the price of gas" is not Ned Price
    elif any(guarded) or len(key) < TYPO_MIN_CHARS or any(c.isdigit() for c in key):
        return None
    elif not span[0].capital and any(w.capital for w in found[1:]):
        return None  # where names are capitalised, "peers" is a word, not a misspelt "Peters"
    else:
        best = aliases.spelled.get(transliterated(key)) or _closest(
            key, aliases.by_shape.get((len(span), key[0]), ())
        )
        if best is None:
            return None
        names = aliases.exact[best]
    exact = key in aliases.exact
    if _inside_other_name(found, first, last, names, aliases, exact):
        return None  # "Simon Harris" is not Kamala Harris, "Philip Blaker" not Baker
    return _Match(first, last, names, exact)


def _written_as_name(found: list[_Word], first: int, last: int) -> bool:
    """Everyday words ("Price", "Power") name someone only when capitalised mid-question and
    not part of a longer proper noun ("the White House", "Power Africa")."""
    if first == 0 or not any(w.capital for w in found[first : last + 1]):
        return False
    before = found[first - 1]
    if first > 1 and found[first].joined and before.capital and before.key not in TITLES:
        return False
    after = found[last + 1] if last + 1 < len(found) else None
    return after is None or found[last].possessive or not (after.capital and after.joined)


def _inside_other_name(
    found: list[_Word],
    first: int,
    last: int,
    names: tuple[str, ...],
    aliases: AliasIndex,
    exact: bool,
) -> bool:
    """Whether a one-word match ("Harris", "Al Thani") is part of a longer name that none of
    `names` has: a capitalised word joined to it, perhaps by "bin" or "de", that is neither a
    title, an everyday word, one of their names' words nor (for an exact match right beside
    it) another alias."""
    one_word = sum(w.key not in NAME_PARTICLES for w in found[first : last + 1]) == 1
    known = frozenset().union(*(aliases.name_words.get(n, frozenset()) for n in names))
    for i, through_particle in (_beyond(found, first, -1), _beyond(found, last, 1)):
        if i is None or (i == 0 and first > 0) or (i < first and found[i].possessive):
            continue
        if not (one_word or through_particle):
            continue  # "Andrés Manuel López Obrador" is still López Obrador; not "X bin Salman"
        word = found[i]
        if i > last and found[last].possessive:
            continue
        if not word.capital or word.key in _GUARDED or word.key in known:
            continue
        if _misspelt_title(word.key):
            continue  # a misspelt title: "Shiekh Hasina"
        beside = not through_particle and word.key not in NAME_SUFFIXES
        if exact and beside and word.key in aliases.exact and _all_names(found, i, aliases):
            continue  # "the Biden Harris administration": two speakers
        return True
    return False


def _all_names(found: list[_Word], at: int, aliases: AliasIndex) -> bool:
    """Whether the capitalised words joined to found[at] are all names the index knows, or
    everyday words: not so in "the Francis Scott Key Bridge"."""
    for step in (-1, 1):
        i = at
        while 0 <= i + step < len(found) and found[max(i, i + step)].joined:
            i += step
            word = found[i]
            if not word.capital or word.key in NAME_PARTICLES:
                break
            if word.key not in aliases.exact and word.key not in _GUARDED:
                return False
    return True


def _beyond(found: list[_Word], edge: int, step: int) -> tuple[int | None, bool]:
    """The next word past `edge` in direction `step` and past any name particles, if joined
    to it all the way; and whether a particle was passed."""
    i, through_particle = edge, False
    while 0 <= i + step < len(found) and found[max(i, i + step)].joined:
        i += step
        if found[i].key not in NAME_PARTICLES:
            return i, through_particle
        through_particle = True
    return None, through_particle


def _misspelt_title(key: str) -> bool:
    return len(key) >= TYPO_MIN_CHARS and bool(
        difflib.get_close_matches(key, _TITLE_KEYS, n=1, cutoff=TITLE_TYPO_RATIO)
    )


def transliterated(key: str) -> str:
    """A name as it sounds across transliterations: "y" as "i", doubled letters once, "kh"
    as "k": "Zelenski", "Zelenskiy" and "Zelenskyy"; "Volodimir" and "Volodymyr"."""
    key = key.replace("y", "i").replace("kh", "k").replace("ph", "f")
    return re.sub(r"(.)\1+", r"\1", key)


def _closest(key: str, keys: tuple[str, ...]) -> str | None:
    """The alias most like a misspelt `key`, if any is close enough."""
    # A ratio of 2*matches/(a+b) >= TYPO_RATIO needs lengths within this much of each other.
    lowest = len(key) * TYPO_RATIO / (2 - TYPO_RATIO)
    highest = len(key) * (2 - TYPO_RATIO) / TYPO_RATIO
    best, best_ratio = None, TYPO_RATIO
    matcher = difflib.SequenceMatcher(b=key, autojunk=False)
    for candidate in keys:
        if not lowest <= len(candidate) <= highest:
            continue
        matcher.set_seq1(candidate)
        if matcher.quick_ratio() >= best_ratio and (ratio := matcher.ratio()) >= best_ratio:
            best, best_ratio = candidate, ratio
    return best


def _extend(
    found: list[_Word], match: _Match, aliases: AliasIndex, low: int, high: int
) -> tuple[int, int]:
    """Widen a match over the titles and name words around it: "President Joseph R. Biden,
    Jr." around "Biden"; stops at `low`/`high`, the neighbouring mentions."""
    known = frozenset().union(*(aliases.name_words.get(n, frozenset()) for n in match.names))
    first, last = match.first, match.last
    while first > low:
        key = found[first - 1].key
        if key in TITLES or key in known or _misspelt_title(key):
            first -= 1
        elif key == "of" and first - 2 >= low and found[first - 2].key in TITLES:
            first -= 2
        elif len(key) == 1 and first - 2 >= low and found[first - 2].key in known:
            first -= 2  # an initial: "Donald J. Trump"
        else:
            break
    while last < high and found[last + 1].key in known:
        last += 1
    return first, last
