"""The speaker index: stored speaker names grouped into people.

One person is stored under many names: "William Samoei Ruto" (UN), "William Ruto" (a title),
"Ruto" (a transcript label), "Mr. William Ruto". A filter for "President Ruto" must match all
of them and no other Ruto; a question naming "Ruto" must find him. Names are grouped by
surname when their distinctive words are compatible (one set contains the other), so
"Joe Biden" and "Jill Biden" stay apart, and a bare "Biden" goes to whichever of them the
corpus names most. Everything is ordered explicitly, so the same counts give the same index.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rag.people.mentions import AliasIndex, transliterated
from rag.people.names import clean_name, plausible_person, role_only, surname
from rag.people.speakers import name_tokens
from rag.text.vocabulary import NAME_SUFFIXES, NICKNAMES
from rag.text.words import fold

FUZZY_CUTOFF = 0.85
SPELLING_RATIO = 0.75
SPELLING_MIN_CHARS = 4


def distinctive_tokens(name: str) -> frozenset[str]:
    """The words that tell people apart: no honorifics, initials or suffixes; nicknames resolved.

    A repeated word counts twice ("Abdullah Abdullah" is not "Abdullah II"): it is kept as
    "abdullah" and "abdullah#2".
    """
    display = clean_name(name) or name
    allowed = name_tokens(display)
    seen: Counter[str] = Counter()
    for word in re.findall(r"[a-z0-9]+(?:['’-][a-z0-9]+)*", fold(display)):
        if word in allowed and len(word) > 1 and word not in NAME_SUFFIXES:
            seen[NICKNAMES.get(word, word)] += 1
    kept = {f"{w}#{n}" if n > 1 else w for w, count in seen.items() for n in range(1, count + 1)}
    return frozenset(kept) or allowed


@dataclass(frozen=True, slots=True)
class SpeakerEntry:
    """One person: the name to show, every name they go by, and how often the corpus has them."""

    canonical: str
    aliases: tuple[str, ...]
    statements: int
    passages: int


@dataclass(slots=True)
class _Form:
    """One display form (raw names that clean to the same text) and its counts."""

    display: str
    raws: list[str]
    tokens: frozenset[str]
    statements: int = 0
    passages: int = 0
    offices: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Group:
    head: frozenset[str]
    forms: list[_Form] = field(default_factory=list)

    @property
    def statements(self) -> int:
        return sum(f.statements for f in self.forms)

    @property
    def passages(self) -> int:
        return sum(f.passages for f in self.forms)

    @property
    def offices(self) -> set[str]:
        return set().union(*(f.offices for f in self.forms))


def _forms(
    statement_counts: Mapping[str, int],
    passage_counts: Mapping[str, int],
    offices: Mapping[str, Iterable[str]],
) -> list[_Form]:
    forms: dict[str, _Form] = {}
    for raw in sorted(set(statement_counts) | set(passage_counts)):
        display = clean_name(raw) or " ".join(raw.split())
        if not display or not plausible_person(display):
            continue  # a role, a place, a group: stored by an older version, not a person
        form = forms.setdefault(fold(display), _Form(display, [], distinctive_tokens(display)))
        form.raws.append(raw)
        form.statements += statement_counts.get(raw, 0)
        form.passages += passage_counts.get(raw, 0)
        form.offices.update(offices.get(raw, ()))
    return list(forms.values())


def _written_words(display: str) -> list[str]:
    """The distinctive words of a name as written (no nickname resolution), in order."""
    allowed = name_tokens(display)
    words = re.findall(r"[a-z0-9]+(?:['’-][a-z0-9]+)*", fold(display))
    return [w for w in words if w in allowed and len(w) > 1 and w not in NAME_SUFFIXES]


def _respell(forms: list[_Form]) -> None:
    """A name that sounds the same as a more frequent one ("Sergey Lavrov", "Sergei
    Lavrov") or differs from it only by a near spelling of its surname ("Jacinda Arden",
    "Jacinda Ardern"; "Macky Sail", "Macky Sall") takes its words, so the two are one person;
    the given names must be the same words."""
    by_sound: dict[frozenset[str], list[_Form]] = {}
    for form in sorted(forms, key=lambda f: (-f.statements, -f.passages, f.display)):
        if len(form.tokens) > 1:  # "Sergei Lavrov" and "Sergey Lavrov"
            sound = frozenset(transliterated(t) for t in form.tokens)
            same = by_sound.setdefault(sound, [])
            if same:
                form.tokens = same[0].tokens
            same.append(form)
    by_given: dict[frozenset[str], list[_Form]] = {}
    for form in forms:
        last = surname(form.display)
        if len(form.tokens) > 1 and last in form.tokens and len(last) >= SPELLING_MIN_CHARS:
            by_given.setdefault(form.tokens - {last}, []).append(form)
    for given, same in by_given.items():
        if not given or len(same) < 2:
            continue
        same.sort(key=lambda f: (-f.statements, -f.passages, f.display))
        for i, minor in enumerate(same[1:], start=1):
            last = surname(minor.display)
            for major in same[:i]:
                other = surname(major.display)
                if other != last and _near(last, other):
                    minor.tokens = major.tokens
                    break


def _near(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a, b).ratio() >= SPELLING_RATIO


def _group(forms: list[_Form]) -> list[_Group]:
    """Fullest names first; each later name joins the best group whose words contain its own."""
    _respell(forms)
    # The same words in another order are the same person ("Kishida Fumio", "Fumio Kishida"):
    # they share the surname of the form the corpus uses most.
    shared: dict[frozenset[str], str] = {}
    for form in sorted(forms, key=lambda f: (-f.statements, -f.passages, f.display)):
        if len(form.tokens) > 1:
            shared.setdefault(form.tokens, surname(form.display))
    # A lone word that only one fuller name starts with, and no fuller name ends with, joins
    # it: "Kishida" with "Kishida Fumio", "Yoon" with "Yoon Suk Yeol". Words as written, not
    # nicknames resolved: "Charles III" must not join "Chuck Schumer".
    endings = {shared[f.tokens] for f in forms if len(f.tokens) > 1}
    fuller = [f for f in forms if len(f.tokens) > 1]
    written = Counter(w for f in fuller for w in set(_written_words(f.display)))
    for form in fuller:
        first = _written_words(form.display)[:1]
        if first and first[0] not in endings and written[first[0]] == 1:
            shared.setdefault(frozenset({first[0]}), shared[form.tokens])
    by_surname: dict[str, list[_Form]] = {}
    for form in forms:
        key = shared.get(form.tokens, surname(form.display))
        by_surname.setdefault(key, []).append(form)
    groups: list[_Group] = []
    for key in sorted(by_surname):
        local: list[_Group] = []
        ordered = sorted(
            by_surname[key],
            key=lambda f: (-len(f.tokens), -f.statements, -f.passages, f.display),
        )
        for form in ordered:
            fits = [g for g in local if form.tokens <= g.head]
            if fits:  # "Trump" from "President Trump" joins the Trump who is president, or
                # at least not the one titles only ever call First Lady
                best = max(
                    fits,
                    key=lambda g: (
                        bool(form.offices & g.offices),
                        not (form.offices and g.offices),
                        g.statements,
                        g.passages,
                        -local.index(g),
                    ),
                )
                best.forms.append(form)
            else:
                local.append(_Group(form.tokens, [form]))
        groups.extend(local)
    return groups


def _holds_bare(group: _Group, last: str) -> bool:
    return any(f.tokens == frozenset({last}) for f in group.forms)


def _entry(group: _Group, surname_owner: bool) -> SpeakerEntry:
    best = max(
        group.forms,
        key=lambda f: (len(f.tokens), f.statements, f.passages, -len(f.display), f.display),
    )
    words = [w for w in best.display.split() if fold(w).rstrip(".") not in NAME_SUFFIXES]
    derived = []
    if surname_owner and len(words) > 1 and not role_only(best.display) and len(words[-1]) > 2:
        derived.append(words[-1])  # not "Un" of "Kim Jong Un"
    if len(words) > 2 and all(w[:1].isupper() for w in words):
        derived.append(f"{words[0]} {words[-1]}")
    aliases = {a for f in group.forms for a in (*f.raws, f.display)} | set(derived)
    return SpeakerEntry(
        canonical=best.display,
        aliases=tuple(sorted(aliases, key=lambda a: (fold(a), a))),
        statements=group.statements,
        passages=group.passages,
    )


class SpeakerIndex:
    """People in the corpus, built from the speaker names stored on statements and passages."""

    __slots__ = (
        "_alias_index",
        "_alias_map",
        "_by_name",
        "_by_raw",
        "_by_token",
        "_entries",
        "_order",
        "_tokens",
        "_variants",
    )

    def __init__(
        self,
        entries: tuple[SpeakerEntry, ...],
        variants: Mapping[str, tuple[str, ...]],
        tokens: Mapping[str, frozenset[str]],
    ) -> None:
        self._entries = entries
        self._by_name = {e.canonical: e for e in entries}
        self._variants = dict(variants)
        self._by_raw = {raw: name for name, raws in self._variants.items() for raw in raws}
        self._tokens = dict(tokens)
        self._order = {e.canonical: i for i, e in enumerate(entries)}
        by_token: dict[str, list[str]] = {}
        for canonical, words in self._tokens.items():
            for word in words:
                by_token.setdefault(word, []).append(canonical)
        self._by_token = by_token
        alias_map: dict[str, list[str]] = {}
        for entry in entries:  # most statements first, so each alias lists the likeliest first
            for alias in entry.aliases:
                names = alias_map.setdefault(fold(" ".join(alias.split())), [])
                if entry.canonical not in names:
                    names.append(entry.canonical)
        self._alias_map = {alias: tuple(names) for alias, names in alias_map.items()}
        self._alias_index: AliasIndex | None = None

    @classmethod
    def build(
        cls,
        statement_counts: Mapping[str, int],
        passage_counts: Mapping[str, int],
        offices: Mapping[str, Iterable[str]] | None = None,
    ) -> SpeakerIndex:
        """Group raw display names (with how many statements and passages carry each, and the
        offices titles give each). A surname alone belongs to the person it is written for:
        the group that holds it bare ("Trump" of "President Trump"), else the one the corpus
        names most."""
        groups = _group(_forms(statement_counts, passage_counts, offices or {}))
        owners: dict[str, _Group] = {}
        for group in groups:
            key = surname(group.forms[0].display)
            current = owners.get(key)
            rank = (_holds_bare(group, key), group.statements, group.passages)
            if current is None or rank > (
                _holds_bare(current, key),
                current.statements,
                current.passages,
            ):
                owners[key] = group
        built = [(_entry(g, owners.get(surname(g.forms[0].display)) is g), g) for g in groups]
        built.sort(key=lambda pair: (-pair[0].statements, -pair[0].passages, pair[0].canonical))
        return cls(
            tuple(entry for entry, _ in built),
            {e.canonical: tuple(sorted(r for f in g.forms for r in f.raws)) for e, g in built},
            {e.canonical: g.head for e, g in built},
        )

    def entries(self) -> tuple[SpeakerEntry, ...]:
        """Every person, most statements first."""
        return self._entries

    def resolve(self, name: str) -> tuple[SpeakerEntry, ...]:
        """The people `name` may mean, best first: an alias, a subset of a person's name words
        ("Ruto", "President Ruto", "william ruto"), else a close spelling ("Rutto")."""
        query = fold(" ".join(name.split()))
        if not query:
            return ()
        exact = [*self._alias_map.get(query, ()), *self._alias_map.get(fold(clean_name(name)), ())]
        wanted = distinctive_tokens(name)
        matched: set[str] = set()
        if wanted:  # people whose name words hold every word asked
            matched = set.intersection(*(set(self._by_token.get(t, ())) for t in wanted))
        if matched or exact:
            rest = sorted(matched, key=self._order.__getitem__)
            return self._by_canonical(dict.fromkeys([*exact, *rest]))
        close = difflib.get_close_matches(
            fold(clean_name(name)) or query, list(self._alias_map), n=10, cutoff=FUZZY_CUTOFF
        )
        return self._by_canonical(
            dict.fromkeys(c for alias in close for c in self._alias_map[alias])
        )

    def canonical(self, raw: str) -> str | None:
        """The person a stored name belongs to (None for a name not in the index)."""
        return self._by_raw.get(raw)

    def entry(self, canonical: str) -> SpeakerEntry | None:
        return self._by_name.get(canonical)

    def variants(self, entry: SpeakerEntry) -> tuple[str, ...]:
        """The raw names stored on statements and passages for this person (what filters match)."""
        return self._variants.get(entry.canonical, ())

    def aliases(self) -> AliasIndex:
        """Folded alias -> canonical names, likeliest first: to spot speakers in a question.

        Prepared once per index (preparing costs tens of milliseconds at corpus scale).
        """
        if self._alias_index is None:
            self._alias_index = AliasIndex.build(self._alias_map)
        return self._alias_index

    def _by_canonical(self, canonicals: Mapping[str, None]) -> tuple[SpeakerEntry, ...]:
        return tuple(self._by_name[c] for c in canonicals if c in self._by_name)
