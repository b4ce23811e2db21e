"""Who a question means, weighed with the corpus's evidence, and how sure that reading is.

A name is resolved to the person the corpus most plausibly means: every person the written
name can be (all the Trumps for "Trump"), weighted by how much each speaks in the corpus
(in the period asked about, when there is one), by the title written with the name
("President Trump", "First Lady Jill Biden", "Mrs. Trump") and by the gender an honorific
implies. An office without a name ("the President", "the national security adviser") is the
person titles give that office in the period asked about, or, when no period is named, the
only person who held it in the corpus. A foreign office ("Japan's prime minister") and a
country ("Kenya", "the White House") are read as that country. A reading's confidence is
the share of the evidence its person holds; the search favours it only at or above
`min_confidence` (chosen on evals/reading.jsonl, see evals/README.md), and never excludes
anything because of it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from rag.people import Holder, Roster, country_name, office_key
from rag.question.understanding import Interpretation, Who
from rag.text.vocabulary import FEMALE_WORDS, MALE_WORDS, ROLE_WORDS
from rag.text.words import fold

MIN_CONFIDENCE = 0.7
"""The share of the evidence a reading must hold to be applied (evals/README.md)."""
PERIOD_PRIOR = 5.0
"""How many statements in the period the overall share of each candidate counts as."""
TITLE_WEIGHT = 5.0
"""How much more likely a person is when the title written with the name is theirs."""
MISMATCH_WEIGHT = 0.1
"""How much less likely when an honorific or title says it is someone else."""
MIN_HOLDER_SHARE = 0.02
"""A person named with an office in fewer of its titles than this is noise, not a holder
("President and First Lady Jill Biden" does not make her a president)."""
FAMILY_SHARE = 0.01
"""A person with this share of a surname's evidence is one of "the Bidens"."""

Kind = Literal["speaker", "country", "office", "party"]


@dataclass(frozen=True, slots=True)
class Resolved:
    """One reading of who speaks: a person or a country, with how sure it is."""

    kind: Kind
    text: str
    """As written in the question."""
    value: str
    """The person's canonical name, the country's name, or the office."""
    confidence: float
    applied: bool
    people: tuple[str, ...] = ()
    """Canonical names the search favours for this reading."""
    countries: tuple[str, ...] = ()
    """Country codes the search favours for this reading."""


def resolve(
    reading: Interpretation,
    roster: Roster,
    since: dt.date | None,
    until: dt.date | None,
    min_confidence: float = MIN_CONFIDENCE,
    on_topic: Mapping[str, float] | None = None,
) -> tuple[Resolved, ...]:
    """Each speaker the question names, resolved; topics are left to the topic.

    `on_topic` counts, for each person, the passages they speak among those that best match
    the question without any reading: "Trump" asked about Greenland is the Trump who speaks
    of Greenland."""
    resolved: list[Resolved] = []
    topical = _Topical(on_topic or {}, roster)
    for who in reading.who:
        if who.role != "speaker":
            continue
        if who.kind == "person":
            resolved.extend(_person(who, roster, since, until, min_confidence, topical))
        elif who.kind == "office" and who.country is None:
            resolved.append(_office(who, roster, since, until, min_confidence))
        elif who.country is not None and who.party:  # "spoke with the King of Bahrain"
            name = country_name(who.country)
            resolved.append(Resolved("party", who.text, name, 1.0, True))
        elif who.country is not None:
            name = country_name(who.country)
            resolved.append(Resolved("country", who.text, name, 1.0, True, (), (who.country,)))
    return tuple(resolved)


@dataclass(frozen=True, slots=True)
class TopicPerson:
    name: str
    """Canonical name, or the name as written for someone the corpus does not know."""
    words: tuple[str, ...]
    """Folded words, any of which shows a passage speaks of them: the surname, and the
    offices titles give them ("president" for a president). Empty for a name the corpus
    does not know as a person's ("Lou Conter", but also perhaps "Independence Hall")."""


def topic_people(reading: Interpretation, roster: Roster) -> tuple[TopicPerson, ...]:
    """People the question is about rather than asks the words of."""
    found: dict[str, TopicPerson] = {}
    for who in reading.who:
        if who.kind == "person" and who.role == "topic":
            entries = roster.speakers.resolve(_core(who.text))
            name = entries[0].canonical if entries else _core(who.text)
            words: tuple[str, ...] = ()
            if entries and entries[0].statements:  # a speaker of the corpus: surely a person
                offices = roster.offices_of(name)
                words = (fold(_core(who.text).split()[-1]), fold(name.split()[-1]), *offices)
            found.setdefault(name, TopicPerson(name, tuple(dict.fromkeys(words))))
    for name in reading.unknown_people:  # no evidence they are people: shown, not required
        found.setdefault(name, TopicPerson(name, ()))
    return tuple(found.values())


def _person(
    who: Who,
    roster: Roster,
    since: dt.date | None,
    until: dt.date | None,
    min_confidence: float,
    topical: _Topical,
) -> list[Resolved]:
    candidates = _candidates(who, roster)
    if not candidates:
        return []
    spoken = {n: float(e.passages) if (e := roster.speakers.entry(n)) else 1.0 for n in candidates}
    total = sum(spoken.values()) or 1.0
    weights = {
        name: _evidence(name, spoken[name] / total, who, roster, since, until) * topical.lift(name)
        for name in candidates
    }
    gender = _gender(who.title)
    if gender is not None:  # "Mrs. Trump": whoever is known to be one weighs, not the rest
        known = {name: _known_gender(name, roster) for name in candidates}
        matched = any(g == gender for g in known.values())
        for name, g in known.items():
            if g == gender:
                weights[name] *= TITLE_WEIGHT
            elif g is not None or matched:
                weights[name] *= MISMATCH_WEIGHT
    total = sum(weights.values()) or 1.0
    ranked = sorted(weights, key=lambda n: (-weights[n], candidates.index(n)))
    if who.family:  # "the Bidens": the two of the family who speak most
        family = [n for n in ranked[:2] if weights[n] / total >= FAMILY_SHARE]
        share = sum(weights[n] for n in family) / total
        applied = share >= min_confidence
        return [
            Resolved("speaker", who.text, n, round(weights[n] / total, 3), applied, (n,))
            for n in family
        ]
    best = ranked[0]
    confidence = round(weights[best] / total, 3)
    applied = confidence >= min_confidence
    return [Resolved("speaker", who.text, best, confidence, applied, (best,))]


class _Topical:
    """How much more than their share of the corpus each person speaks in the passages that
    best match the question: (1 + found) / (1 + expected), so a person the question's topic
    brings up weighs more, and one it never brings up less."""

    def __init__(self, on_topic: Mapping[str, float], roster: Roster) -> None:
        self._on_topic = on_topic
        self._found = sum(on_topic.values())
        self._total = sum(e.passages for e in roster.speakers.entries()) or 1
        self._roster = roster

    def lift(self, name: str) -> float:
        if not self._found:
            return 1.0
        entry = self._roster.speakers.entry(name)
        expected = self._found * (entry.passages if entry else 0) / self._total
        return (1 + self._on_topic.get(name, 0)) / (1 + expected)


def _candidates(who: Who, roster: Roster) -> list[str]:
    """Everyone the written name can be: alias matches (typos allowed) and every person
    whose name holds all its words ("Trump": Donald J. Trump, Melania Trump, ...)."""
    core = _core(who.text)
    if who.family:
        core = re.sub(r"s$", "", core)
    found = [e.canonical for e in roster.speakers.resolve(core)]
    return list(dict.fromkeys([*who.names, *found]))


def _core(text: str) -> str:
    """The name without the titles written before it and a possessive after it."""
    words = text.split()
    while len(words) > 1 and fold(words[0]).rstrip(".") in ROLE_WORDS:
        words = words[1:]
    return re.sub(r"['’]s?$", "", " ".join(words))


def _evidence(
    name: str,
    share: float,
    who: Who,
    roster: Roster,
    since: dt.date | None,
    until: dt.date | None,
) -> float:
    """How likely the written name means this person, before the topic is weighed: their
    `share` of what the candidates say; in a period, their statements in it, with that
    share as a prior worth PERIOD_PRIOR statements; and whether they hold the office
    written with the name."""
    weight = share
    if since or until:
        weight = roster.spoke(name, since, until) + PERIOD_PRIOR * share
    office = office_key(who.title)
    if office:
        holders = roster.holders(office)
        titled = sum(h.statements for h in holders) or 1
        held = {h.name for h in holders if h.statements / titled >= MIN_HOLDER_SHARE}
        if name in held:
            weight *= TITLE_WEIGHT
        elif held:
            weight *= MISMATCH_WEIGHT
    return weight


def _gender(title: str) -> str | None:
    words = set(title.split())
    if words & FEMALE_WORDS:
        return "f"
    if words & MALE_WORDS:
        return "m"
    return None


def _known_gender(name: str, roster: Roster) -> str | None:
    """What the offices a person held say: "first lady" is a woman's, "king" a man's."""
    for office in roster.offices_of(name):
        gender = _gender(office)
        if gender is not None:
            return gender
    return None


def _office(
    who: Who,
    roster: Roster,
    since: dt.date | None,
    until: dt.date | None,
    min_confidence: float,
) -> Resolved:
    """The person titles give the office over most of the period asked about (from the
    first to the last statement giving it to them); without a period, the only one."""
    holders = roster.holders(who.title)
    total = sum(h.statements for h in holders)
    real = [h for i, h in enumerate(holders) if not i or h.statements / total >= MIN_HOLDER_SHARE]
    if not real:
        return Resolved("office", who.text, who.title, 0.0, False)
    if since is None and until is None:
        if len(real) > 1:  # "the President" of which years? The period decides; none is named.
            return Resolved("office", who.text, who.title, 0.0, False)
        share = {real[0].name: 1.0}
    else:
        share = {h.name: _days_held(h, since, until) for h in real}
    held = sum(share.values())
    if not held:
        return Resolved("office", who.text, who.title, 0.0, False)
    best = max(share, key=lambda n: share[n])
    confidence = round(share[best] / held, 3)
    applied = confidence >= min_confidence
    return Resolved("office", who.text, best, confidence, applied, (best,))


def _days_held(holder: Holder, since: dt.date | None, until: dt.date | None) -> float:
    """Days of the period within the span the holder is seen holding the office."""
    if holder.first is None or holder.last is None:
        return 0.0
    start = max(holder.first, since) if since else holder.first
    end = min(holder.last, until) if until else holder.last
    return float(max(0, (end - start).days + 1))


def applied_people(resolved: Sequence[Resolved]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for r in resolved if r.applied for n in r.people))


def applied_parties(resolved: Sequence[Resolved]) -> tuple[str, ...]:
    """Countries named as the other party of a call or meeting: a statement of it names them."""
    return tuple(dict.fromkeys(r.value for r in resolved if r.applied and r.kind == "party"))


def applied_countries(resolved: Sequence[Resolved]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for r in resolved if r.applied for c in r.countries))
