"""Person names and roles as official texts write them: parsed, cleaned, compared.

"Mr. William Ruto", "PRESIDENT RUTO" and "Secretary of State Marco Rubio" have one shape: role
words, a name, perhaps a country. Titles, transcript labels, news attributions and the speaker
index all read names through these rules, so they agree on who is who. Only regular
expressions and word lists: no model, no network, cheap enough for every statement at ingest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rag.people.countries import country_code, is_country_adjective, is_country_word
from rag.text.vocabulary import (
    GROUP_WORDS,
    NAME_PARTICLES,
    NAME_STOPS,
    NAME_SUFFIXES,
    NON_PERSON_WORDS,
    NOT_NAME,
    PORTFOLIOS,
    PRONOUNS,
    REGNAL_NUMERALS,
    ROLE_HEADS,
    ROLE_WORDS,
)
from rag.text.words import fold

UPPER = "".join(c for c in map(chr, range(0x41, 0x2000)) if c.isupper())
WS = r"(?:[ \t\xa0]*\n[ \t\xa0]*|[ \t\xa0]+)"
# A capitalised word; a full stop only after an initial or an abbreviation ("R.", "Dr."), so a
# run of names never crosses the end of a sentence.
_TOKEN = (
    rf"(?:(?:[{UPPER}]\.){{1,3}}|(?:Mr|Mrs|Ms|Dr|Jr|Sr|St|Lt|Gov|Sen|Rep|Gen|Hon|Amb)\."
    rf"|[{UPPER}][\w’'\-]*)"
)
# Capitalised words, joined by particles or "of (the)": "Secretary of State Marco Rubio".
_JOINING = "|".join(sorted(NAME_PARTICLES | {"of", "the"}))
PHRASE = (
    rf"{_TOKEN}(?:{WS}(?:(?:{_JOINING}){WS})*{_TOKEN}){{0,8}}"
    rf"(?:,?{WS}(?:Jr|Sr)\.?)?"
)

_PLURAL = re.compile(r"(?:ers|ors|ists|ants|ents|ions|ups|ates|ges|ies|ives|ials)$")
_CONTRACTION = re.compile(r".*['’](?:ve|re|ll|d|m|t)", re.IGNORECASE)
_POST_NOMINALS = re.compile(r"(?:[\s,]+(?:AM|MS|MP|MSP|MLA|QC|KC|OBE|CBE|MBE|MBBS|MD|PhD|TD))+\s*$")
_INITIAL = re.compile(rf"(?:[{UPPER}]\.){{1,3}}|[{UPPER}]")
_CAPITALISED = re.compile(rf"(?:[dlDL][’'])?[{UPPER}]")


# "Co-Chair", "Vice-President", "President-elect", "Prime Minister-Designate".
_HYPHENATED_ROLE = re.compile(r"(?:co|vice)-\w+|\w+-(?:designate|elect|general)", re.IGNORECASE)
_HYPHEN_ROLE_STARTS = ROLE_WORDS | {"co"}


def strip_possessive(word: str) -> tuple[str, bool]:
    """A word without its possessive ending, and whether it had one."""
    for ending in ("’s", "'s", "’", "'"):
        if word.endswith(ending) and len(word) > len(ending) + 1:
            return word[: -len(ending)], True
    return word, False


def is_role(word: str) -> bool:
    bare = strip_possessive(word)[0].lower().rstrip(".")
    return bare in ROLE_WORDS or bool(
        _HYPHENATED_ROLE.fullmatch(bare) and bare.split("-")[0] in _HYPHEN_ROLE_STARTS
    )


def capitalised(word: str) -> bool:
    """Starts with a capital, allowing an elided particle: "O’Connor", "d'Entremont"."""
    return bool(_CAPITALISED.match(word))


def _is_initial(word: str) -> bool:
    return bool(_INITIAL.fullmatch(word))


def _is_real(word: str) -> bool:
    """A word that names (not an initial, a suffix or a particle)."""
    lower = word.lower().rstrip(".")
    return not _is_initial(word) and lower not in NAME_SUFFIXES and lower not in NAME_PARTICLES


def _name_word(words: Sequence[str], i: int, *, lenient: bool) -> bool:
    """Whether `words[i]` can be part of a personal name."""
    word, _ = strip_possessive(words[i])
    lower = word.lower().rstrip(".")
    if lower in NAME_PARTICLES:  # "da Silva", "von der Leyen": a particle needs a name after it
        j = i + 1
        while j < len(words) and words[j].lower() in NAME_PARTICLES:
            j += 1
        return j < len(words) and capitalised(words[j])
    if not capitalised(word) or any(c.isdigit() for c in word) or lower in NAME_STOPS:
        return False
    if _CONTRACTION.fullmatch(word):  # "You’ve", "Don’t"
        return False
    if _is_initial(word) or lower in NAME_SUFFIXES or lenient:
        return True
    if len(lower) >= 8 and lower.endswith("ing"):  # "Jill Biden Announcing …" (not "Jinping")
        return False
    return lower not in NOT_NAME and not is_role(word)


@dataclass(frozen=True, slots=True)
class Person:
    role: str  # lower-cased role words: "president", "vice president"; "" for none
    name: str  # as written, without the role: "Biden", "William Ruto"; "" for a role alone
    possessive: bool = False


def _after_portfolio(words: Sequence[str], k: int) -> int:
    """Skip "of [the] <portfolio>" after a role ("Secretary of State"), else stay at k."""
    j = k + 1 + (k + 1 < len(words) and words[k + 1].lower() == "the")
    if not (k < len(words) and words[k].lower() == "of" and j < len(words)):
        return k
    if words[j].lower() not in PORTFOLIOS:
        return k
    while j < len(words) and (
        words[j].lower() in PORTFOLIOS
        or (words[j] in ("and", "&") and j + 1 < len(words) and words[j + 1].lower() in PORTFOLIOS)
    ):
        j += 1
    return j


# After a role, a qualifier may come before the name: "President of the United States Joe
# Biden", "Advisor for Cyber and Emerging Technology Anne Neuberger", "Press Secretary to the
# Vice President Kirsten Allen". Which words each qualifier may run over:
_QUALIFIERS = {"of": {"of", "the"}, "for": {"and", "&", "of", "the"}, "to": {"the"}}


def _name_after_qualifier(words: Sequence[str], k: int) -> tuple[list[str], int, bool]:
    """The name that ends a role's qualifier: its last two name words (one is not enough to
    tell a country or portfolio from a name), the index after it, and whether it was
    possessive ("… to the Vice President Phil Gordon’s Meeting")."""
    joins = _QUALIFIERS.get(words[k].lower()) if k < len(words) else None
    if joins is None:
        return [], k, False
    end = k + 1
    while end < len(words) and (
        words[end].lower() in joins
        or (capitalised(words[end]) and words[end].lower() not in NAME_STOPS)
    ):
        end += 1
        if strip_possessive(words[end - 1])[1]:
            break
    name: list[str] = []
    i = end - 1
    while i > k + 1 and sum(map(_is_real, name)) < 2 and _name_word(words, i, lenient=False):
        name.insert(0, strip_possessive(words[i])[0])
        i -= 1
    if sum(map(_is_real, name)) < 2:
        return [], k, False
    return name, end, strip_possessive(words[end - 1])[1]


def _role_word(word: str) -> str:
    """ "President-elect" -> "president": the office, not the stage of holding it."""
    return re.sub(r"-(?:elect|designate)$", "", strip_possessive(word)[0].lower().rstrip("."))


def heads_office(role: str) -> bool:
    """Whether a role word names an office, not only qualifies one: "president",
    "secretary-general", "vice-president" (a part of a hyphenated role counts)."""
    return role in ROLE_HEADS or any(part in ROLE_HEADS for part in role.split("-"))


def _role_ahead(words: Sequence[str], k: int) -> int | None:
    """The role's head a few capitalised words ahead, to read an organisation into a role:
    "National Security Council Spokesperson", "White House COVID-19 Response Coordinator"."""
    last = None
    for j in range(k, min(k + 5, len(words))):
        word = words[j]
        if word.lower() in NAME_STOPS or not (capitalised(word) or word[:1].isdigit()):
            break
        if is_role(word):
            last = j
            if _role_word(word) in ROLE_HEADS:
                break
        elif strip_possessive(word)[1]:
            break
    return last


def _read_name(
    words: Sequence[str], k: int, *, after_role: bool, lenient: bool
) -> tuple[list[str], int, bool]:
    """Name words from words[k] (at most eight), the index after them, and whether the last
    was possessive ("Biden’s")."""
    name: list[str] = []
    possessive = False
    while not possessive and k < len(words) and len(name) < 8:
        if not _name_word(words, k, lenient=lenient):
            break
        word, possessive = strip_possessive(words[k])
        if not after_role and not name and word.lower() in NAME_PARTICLES:
            break
        keep = _is_initial(word) or word.lower().rstrip(".") in NAME_SUFFIXES
        name.append(word if keep else word.rstrip("."))
        k += 1
    return name, k, possessive


def parse_person(
    words: Sequence[str], i: int, *, roleless: int = 2, lenient: bool = False
) -> tuple[Person | None, int]:
    """A person starting at words[i]: [the] [prefix] role words [of portfolio] name [of country].

    A name without a role is accepted only with at least `roleless` words (0: never).
    Returns the person and the index after it.
    """
    n, k = len(words), i + (i < len(words) and words[i].lower() == "the")
    probe = k  # up to three words before a role: "Dutch Prime Minister", "U.S. President"
    while probe < n and probe - k < 3 and capitalised(words[probe]) and not is_role(words[probe]):
        if words[probe].lower() in NAME_STOPS or strip_possessive(words[probe])[1]:
            break
        probe += 1
    if k < probe < n and is_role(words[probe]):
        k = probe
    start, role = k, []
    while k < n and is_role(words[k]):
        role.append(_role_word(words[k]))
        possessive = strip_possessive(words[k])[1]
        k = _after_portfolio(words, k + 1)
        ahead = _role_ahead(words, k) if possessive or not heads_office(role[-1]) else None
        if ahead is not None:
            role.extend(_role_word(w) for w in words[k:ahead] if is_role(w))
            k = ahead
        elif possessive:
            break
    if role and not any(map(heads_office, role)):  # "First Monthly Payments": no office
        k, role = start, []
    possessive = bool(role) and strip_possessive(words[k - 1])[1]
    name, k, possessive = (
        _name_after_qualifier(words, k) if role and not possessive else ([], k, possessive)
    )
    if not name and not possessive:
        name, k, possessive = _read_name(words, k, after_role=bool(role), lenient=lenient)
    real = sum(map(_is_real, name))
    if not role and (not roleless or real < roleless):
        return None, i
    if not role and not lenient and _PLURAL.search(name[-1]):
        return None, i  # "Readout of … Meeting with Immunization Manufacturers": not a person
    if real and not possessive and k + 1 < n and words[k].lower() == "of":
        k += 1  # "of the Republic of Kenya": a country, not part of the name
        while k < n and (capitalised(words[k]) or words[k].lower() in ("the", "of")):
            if words[k].lower() in NAME_STOPS - {"the", "of"}:
                break
            k += 1
    return Person(" ".join(role), " ".join(name), possessive), k


def name_words(text: str) -> list[str]:
    text = re.sub(r",\s*(Jr|Sr)\b\.?", r" \1.", text.replace("\u2060", "").replace("\xa0", " "))
    return re.findall(r"[^\s,:;|()“”\"—–]+|[,:;|()—–]", text)


def _smart_case(text: str) -> str:
    """Title-case the capitalised words of a name ("JEAN-PIERRE" -> "Jean-Pierre", "MCGILL"
    -> "McGill", "KISHIDA Fumio" -> "Kishida Fumio"); roman numerals stay ("Abdullah II")."""
    out: list[str] = []
    words = text.split()
    for i, word in enumerate(words):
        lower = word.lower()
        if any(c.islower() for c in word) or sum(map(str.isalpha, word)) < 2:
            out.append(word)
            continue
        if lower.rstrip(".") in REGNAL_NUMERALS:
            out.append(word)
            continue
        if lower in NAME_PARTICLES and i + 1 < len(words):  # "von der Leyen", "da Silva"
            out.append(lower)
            continue
        word = re.sub(r"(^|[-’'])(\w)", lambda m: m.group(1) + m.group(2).upper(), lower)
        out.append(re.sub(r"^Mc(\w)", lambda m: "Mc" + m.group(1).upper(), word))
    return " ".join(out)


def strip_parens(text: str) -> tuple[str, list[str]]:
    """The text outside parentheses, and each top-level parenthesised part."""
    outside: list[str] = []
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            if depth:
                current.append(char)
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth:
                current.append(char)
            else:
                parts.append("".join(current))
                current = []
        else:
            (current if depth else outside).append(char)
    return "".join(outside), parts


def clean_name(raw: str) -> str:
    """A display name: honorifics, roles, post-nominals, constituencies and countries removed.

    "Mr. William Ruto" -> "William Ruto"; "The Chair (Hon. Anthony Rota (...))" ->
    "Anthony Rota"; "PRESIDENT RUTO" -> "Ruto". A role alone stays ("The Chair").
    """
    outside, parts = strip_parens(" ".join(raw.replace("\u2060", "").split()))
    outside = _POST_NOMINALS.sub("", outside).strip(" ,")
    person, _ = parse_person(name_words(outside), 0, roleless=1, lenient=True)
    if person is not None and person.name:
        return _smart_case(person.name)
    for part in parts:  # "The Acting Chair (Mr. Bruce Stanton)": the name is inside
        inner = clean_name(part.split(",")[0])
        if inner and not role_only(inner):
            return inner
    return _smart_case(outside.strip(" ,:"))


def role_only(name: str) -> bool:
    """Whether a name is only a role or honorific ("The Chair", "The President")."""
    words = re.findall(r"[\w.’'-]+", name)
    return all(is_role(w) or w.lower() in NAME_STOPS for w in words)


@lru_cache(maxsize=65536)
def plausible_person(name: str) -> bool:
    """Whether a name found in a text can be a person's, not a role alone ("The President"),
    a country ("Burkina Faso welcomes"), a group ("Asian American", "Korean Women"), a place
    or an institution ("New York", "Ford Motor", "Hurricane Ida") or a sentence ("I Thank
    You."). Every name that enters the speaker index passes here."""
    words = [w.rstrip(".") for w in re.findall(r"[\w’'.-]+", name) if w.strip(".-")]
    folded = [fold(w) for w in words]
    if not words or role_only(name) or country_code(name) or is_country_word(name):
        return False
    if is_country_adjective(words[0]) and len(words) > 1:
        return False  # "Polish Aide", "American Rescue"
    for word in folded:
        if word in PRONOUNS or word in GROUP_WORDS or word in NON_PERSON_WORDS:
            return False
    return any(_is_real(w) and capitalised(w) for w in words)


@lru_cache(maxsize=65536)
def real_words(name: str) -> tuple[str, ...]:
    return tuple(w for w in re.findall(r"[\w’'-]+", fold(name)) if len(w) > 1 and _is_real(w))


@lru_cache(maxsize=65536)
def surname(name: str) -> str:
    """The folded last distinctive word of a name ("Joseph R. Biden Jr." -> "biden"); for a
    regnal name, the name before its numeral ("Abdullah II ibn Al Hussein" -> "abdullah")."""
    folded: list[str] = re.findall(r"[\w’'-]+", fold(name))
    regnal = next((i for i, w in enumerate(folded) if i and w in REGNAL_NUMERALS), None)
    if regnal is not None:
        return folded[regnal - 1]
    words = [w for w in real_words(name) if w not in ROLE_WORDS] or real_words(name)
    return words[-1] if words else fold(name).strip()


def unique(names: Iterable[str]) -> tuple[str, ...]:
    """Names in order, the first spelling of each (compared folded)."""
    seen: dict[str, str] = {}
    for name in names:
        if name:
            seen.setdefault(_folded(name), name)
    return tuple(seen.values())


@lru_cache(maxsize=65536)
def _folded(name: str) -> str:
    return fold(name)
