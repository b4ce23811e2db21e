"""Matching a speaker as a user writes it ("Ruto", "President Ruto") to stored names."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.text.vocabulary import TITLES
from rag.text.words import fold

# Words that describe a role rather than name a person.
_NOT_NAME_TOKENS = TITLES | {"the", "of"}
_HIS_EXCELLENCY = re.compile(r"\bh\.\s?e\.?(?=\s|$)")


def name_tokens(name: str) -> frozenset[str]:
    """The distinctive words of a name: lower-cased, accents folded, honorifics dropped."""
    words = re.findall(r"[a-z0-9]+(?:['’-][a-z0-9]+)*", _HIS_EXCELLENCY.sub(" ", fold(name)))
    tokens = frozenset(w for w in words if w not in _NOT_NAME_TOKENS)
    return tokens or frozenset(words)


def resolve_speakers(wanted: str, known: Iterable[str]) -> tuple[str, ...]:
    """Stored names that `wanted` refers to: all of its distinctive words appear in the name."""
    wanted_tokens = name_tokens(wanted)
    if not wanted_tokens:
        return ()
    return tuple(sorted(name for name in known if wanted_tokens <= name_tokens(name)))


def same_person(name: str | None, names: Iterable[str]) -> bool:
    """Whether `name` is one of `names`, one's distinctive words containing the other's
    ("Ruto" and "President William Ruto" are the same person)."""
    if not name:
        return False
    tokens = name_tokens(name)
    return any(tokens <= name_tokens(n) or name_tokens(n) <= tokens for n in names)
