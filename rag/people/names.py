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

from rag.text.words import fold

_UP = "".join(c for c in map(chr, range(0x41, 0x2000)) if c.isupper())
_WS = r"(?:[ \t\xa0]*\n[ \t\xa0]*|[ \t\xa0]+)"
# A capitalised word; a full stop only after an initial or an abbreviation ("R.", "Dr."), so a
# run of names never crosses the end of a sentence.
_TOKEN = (
    rf"(?:(?:[{_UP}]\.){{1,3}}|(?:Mr|Mrs|Ms|Dr|Jr|Sr|St|Lt|Gov|Sen|Rep|Gen|Hon|Amb)\."
    rf"|[{_UP}][\w’'\-]*)"
)
_PARTICLES = frozenset(
    "da de del della der di do dos das du van von bin bint ibn al el la le ter".split()
)
# Capitalised words, joined by particles or "of (the)": "Secretary of State Marco Rubio".
_PHRASE = (
    rf"{_TOKEN}(?:{_WS}(?:(?:{'|'.join(sorted(_PARTICLES | {'of', 'the'}))}){_WS})*{_TOKEN}){{0,8}}"
    rf"(?:,?{_WS}(?:Jr|Sr)\.?)?"
)

# Words of a role or an honorific: they say what someone is, not who.
_ROLE_WORDS = frozenset(
    """president vice prime minister deputy secretary general chancellor first lady second
    gentleman national security advisor adviser press spokesperson spokesman spokeswoman chief
    senior principal special presidential envoy coordinator director administrator ambassador
    amb senator sen representative rep congressman congresswoman governor gov lieutenant lt
    mayor speaker leader majority minority chair chairman chairwoman acting commissioner
    attorney surgeon judge justice admiral king queen crown prince princess amir emir sheikh
    shaikh sultan pope majesty highness excellency his her h.e mr mrs ms dr prof professor hon
    honourable honorable right sir dame lord dato sri tun nsc white house taoiseach premier
    counselor counsel officer official foreign trade economic domestic policy climate homeland
    staff cabinet member vp apnsa council assistant cardinal rabbi bishop reverend rev
    pastor""".split()
)
# Role words that end a role; after the others ("White House", "National Security") an
# organisation may follow before the role's head ("White House COVID-19 Response Coordinator").
_ROLE_HEADS = frozenset(
    """president minister secretary chancellor lady gentleman advisor adviser spokesperson
    spokesman spokeswoman envoy coordinator director administrator ambassador amb senator sen
    representative rep congressman congresswoman governor gov mayor speaker leader chair
    chairman chairwoman commissioner general judge justice admiral king queen prince princess
    amir emir sheikh shaikh sultan pope mr mrs ms dr prof professor taoiseach premier counselor
    counsel officer official member vp apnsa hon honourable honorable excellency majesty
    highness sir dame lord dato sri tun assistant cardinal rabbi bishop reverend rev
    pastor""".split()
)
# Portfolios that sit between a role and a name: "Secretary of State Marco Rubio".
_PORTFOLIOS = frozenset(
    """state defense defence commerce energy treasury labor agriculture education transportation
    health human services interior veterans affairs housing urban development homeland security
    foreign justice finance trade expatriates international cooperation""".split()
)
# Words that end a name: connectors, and the verbs and nouns of title-case headlines.
_STOP = frozenset(
    """a an the and or but nor so yet of on in at to for with from by about regarding before
    after during upon via as amid ahead following between against into over under this that
    these those it its we they he she i you our their there here today yesterday tonight
    tomorrow earlier later meanwhile however moreover furthermore finally also still now then
    instead indeed separately additionally again while when since""".split()
)
# Capitalised words of title-case headlines and institutions that are not names.
_NOT_NAME_WORDS = frozenset(
    """announces approves amends names nominates signs hosts visits launches unveils applauds
    reinforces advances inspires invites rejects delivers calls meets speaks travels
    highlights honors celebrates welcomes declares issues directs releases awards appoints
    congratulates marks commemorates joins tours urges warns discusses thanks sends
    proclaims designates establishes expands extends takes makes continues builds creates
    lowers secures protects restores ends orders statement statements remarks message letter
    call meeting meetings phone video virtual bilateral trilateral joint trip visit travel
    conversation discussion conference briefing gaggle interview address toast event
    reception ceremony dinner luncheon summit roundtable administration team office
    announcement update report day week month marking signing hosting honoring visiting
    touring calling opening closing participating joining urging helping leaders members
    officials partners allies
    advisors advisers ceos students workers families survivors activists experts
    stakeholders delegation counterparts ministers presidents lawmakers governors mayors
    group coalition congressional bipartisan civil rights tribal ministry department
    government council committee commission agency union nations states republic kingdom
    party court congress senate assembly parliament forces police company university
    institute foundation fact sheet news discussions convening convenings forum session
    sessions listening working republicans democrats order orders act plan program
    initiative strategy framework agreement declaration partnership alliance accords treaty
    law bill rule blueprint dialogue east west north south sea river basin ocean island
    islands region release america legislative task force fund bank organization
    organisation association corporation authority service board center centre bureau
    society federation league network command guard corps army navy admin laying paying
    saying playing staying making taking giving raising leading talking holding getting
    putting sitting voting naming asking adding facing moving noting rising saving writing
    reading walking waving setting hearing keeping telling turning winning passing showing
    sending serving looking leaving previews reflects drives exposes unites acts addresses
    outlines recognizes emphasizes concludes champions convenes authorizes leads facilitates
    holds embraces sets opens named is are was will op-ed aboard participates reestablishes
    rings announced welcome talks years one two three four five six seven eight nine ten
    business coast elected community strategic en route delivered communist web response
    corridor inaugural""".split()
)
_NOT_NAME = _STOP | _PORTFOLIOS | _NOT_NAME_WORDS
_PLURAL = re.compile(r"(?:ers|ors|ists|ants|ents|ions|ups|ates|ges|ies|ives|ials)$")
_CONTRACTION = re.compile(r".*['’](?:ve|re|ll|d|m|t)", re.IGNORECASE)
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_POST_NOMINALS = re.compile(r"(?:[\s,]+(?:AM|MS|MP|MSP|MLA|QC|KC|OBE|CBE|MBE|MBBS|MD|PhD|TD))+\s*$")
_INITIAL = re.compile(rf"(?:[{_UP}]\.){{1,3}}|[{_UP}]")
_CAPITALISED = re.compile(rf"(?:[dlDL][’'])?[{_UP}]")


# "Co-Chair", "Vice-President", "President-elect", "Prime Minister-Designate".
_HYPHENATED_ROLE = re.compile(r"(?:co|vice)-\w+|\w+-(?:designate|elect|general)", re.IGNORECASE)
_HYPHEN_ROLE_STARTS = _ROLE_WORDS | {"co"}


def _base(word: str) -> tuple[str, bool]:
    """A word without its possessive ending, and whether it had one."""
    for ending in ("’s", "'s", "’", "'"):
        if word.endswith(ending) and len(word) > len(ending) + 1:
            return word[: -len(ending)], True
    return word, False


def _is_role(word: str) -> bool:
    bare = _base(word)[0].lower().rstrip(".")
    return bare in _ROLE_WORDS or bool(
        _HYPHENATED_ROLE.fullmatch(bare) and bare.split("-")[0] in _HYPHEN_ROLE_STARTS
    )


def _capitalised(word: str) -> bool:
    """Starts with a capital, allowing an elided particle: "O’Connor", "d'Entremont"."""
    return bool(_CAPITALISED.match(word))


def _is_initial(word: str) -> bool:
    return bool(_INITIAL.fullmatch(word))


def _is_real(word: str) -> bool:
    """A word that names (not an initial, a suffix or a particle)."""
    lower = word.lower().rstrip(".")
    return not _is_initial(word) and lower not in _SUFFIXES and lower not in _PARTICLES


def _name_word(words: Sequence[str], i: int, *, lenient: bool) -> bool:
    """Whether `words[i]` can be part of a personal name."""
    word, _ = _base(words[i])
    lower = word.lower().rstrip(".")
    if lower in _PARTICLES:  # "da Silva", "von der Leyen": a particle needs a name after it
        j = i + 1
        while j < len(words) and words[j].lower() in _PARTICLES:
            j += 1
        return j < len(words) and _capitalised(words[j])
    if not _capitalised(word) or any(c.isdigit() for c in word) or lower in _STOP:
        return False
    if _CONTRACTION.fullmatch(word):  # "You’ve", "Don’t"
        return False
    if _is_initial(word) or lower in _SUFFIXES or lenient:
        return True
    if len(lower) >= 8 and lower.endswith("ing"):  # "Jill Biden Announcing …" (not "Jinping")
        return False
    return lower not in _NOT_NAME and not _is_role(word)


@dataclass(frozen=True, slots=True)
class _Person:
    role: str  # lower-cased role words: "president", "vice president"; "" for none
    name: str  # as written, without the role: "Biden", "William Ruto"; "" for a role alone
    possessive: bool = False


def _after_portfolio(words: Sequence[str], k: int) -> int:
    """Skip "of [the] <portfolio>" after a role ("Secretary of State"), else stay at k."""
    j = k + 1 + (k + 1 < len(words) and words[k + 1].lower() == "the")
    if not (k < len(words) and words[k].lower() == "of" and j < len(words)):
        return k
    if words[j].lower() not in _PORTFOLIOS:
        return k
    while j < len(words) and (
        words[j].lower() in _PORTFOLIOS
        or (words[j] in ("and", "&") and j + 1 < len(words) and words[j + 1].lower() in _PORTFOLIOS)
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
        or (_capitalised(words[end]) and words[end].lower() not in _STOP)
    ):
        end += 1
        if _base(words[end - 1])[1]:
            break
    name: list[str] = []
    i = end - 1
    while i > k + 1 and sum(map(_is_real, name)) < 2 and _name_word(words, i, lenient=False):
        name.insert(0, _base(words[i])[0])
        i -= 1
    if sum(map(_is_real, name)) < 2:
        return [], k, False
    return name, end, _base(words[end - 1])[1]


def _role_word(word: str) -> str:
    """ "President-elect" -> "president": the office, not the stage of holding it."""
    return re.sub(r"-(?:elect|designate)$", "", _base(word)[0].lower().rstrip("."))


def _role_ahead(words: Sequence[str], k: int) -> int | None:
    """The role's head a few capitalised words ahead, to read an organisation into a role:
    "National Security Council Spokesperson", "White House COVID-19 Response Coordinator"."""
    last = None
    for j in range(k, min(k + 5, len(words))):
        word = words[j]
        if word.lower() in _STOP or not (_capitalised(word) or word[:1].isdigit()):
            break
        if _is_role(word):
            last = j
            if _role_word(word) in _ROLE_HEADS:
                break
        elif _base(word)[1]:
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
        word, possessive = _base(words[k])
        if not after_role and not name and word.lower() in _PARTICLES:
            break
        keep = _is_initial(word) or word.lower().rstrip(".") in _SUFFIXES
        name.append(word if keep else word.rstrip("."))
        k += 1
    return name, k, possessive


def _parse_person(
    words: Sequence[str], i: int, *, roleless: int = 2, lenient: bool = False
) -> tuple[_Person | None, int]:
    """A person starting at words[i]: [the] [prefix] role words [of portfolio] name [of country].

    A name without a role is accepted only with at least `roleless` words (0: never).
    Returns the person and the index after it.
    """
    n, k = len(words), i + (i < len(words) and words[i].lower() == "the")
    probe = k  # up to three words before a role: "Dutch Prime Minister", "U.S. President"
    while probe < n and probe - k < 3 and _capitalised(words[probe]) and not _is_role(words[probe]):
        if words[probe].lower() in _STOP or _base(words[probe])[1]:
            break
        probe += 1
    if k < probe < n and _is_role(words[probe]):
        k = probe
    start, role = k, []
    while k < n and _is_role(words[k]):
        role.append(_role_word(words[k]))
        possessive = _base(words[k])[1]
        k = _after_portfolio(words, k + 1)
        ahead = _role_ahead(words, k) if possessive or role[-1] not in _ROLE_HEADS else None
        if ahead is not None:
            role.extend(_role_word(w) for w in words[k:ahead] if _is_role(w))
            k = ahead
        elif possessive:
            break
    if role and not _ROLE_HEADS.intersection(role):  # "First Monthly Payments": no office
        k, role = start, []
    possessive = bool(role) and _base(words[k - 1])[1]
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
        while k < n and (_capitalised(words[k]) or words[k].lower() in ("the", "of")):
            if words[k].lower() in _STOP - {"the", "of"}:
                break
            k += 1
    return _Person(" ".join(role), " ".join(name), possessive), k


def _words(text: str) -> list[str]:
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
        if lower.rstrip(".") in _SUFFIXES - {"jr", "sr"}:
            out.append(word)
            continue
        if lower in _PARTICLES and i + 1 < len(words):  # "von der Leyen", "da Silva"
            out.append(lower)
            continue
        word = re.sub(r"(^|[-’'])(\w)", lambda m: m.group(1) + m.group(2).upper(), lower)
        out.append(re.sub(r"^Mc(\w)", lambda m: "Mc" + m.group(1).upper(), word))
    return " ".join(out)


def _strip_parens(text: str) -> tuple[str, list[str]]:
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
    outside, parts = _strip_parens(" ".join(raw.replace("\u2060", "").split()))
    outside = _POST_NOMINALS.sub("", outside).strip(" ,")
    person, _ = _parse_person(_words(outside), 0, roleless=1, lenient=True)
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
    return all(_is_role(w) or w.lower() in _STOP for w in words)


@lru_cache(maxsize=65536)
def _real_words(name: str) -> tuple[str, ...]:
    return tuple(w for w in re.findall(r"[\w’'-]+", fold(name)) if len(w) > 1 and _is_real(w))


@lru_cache(maxsize=65536)
def surname(name: str) -> str:
    """The folded last distinctive word of a name ("Joseph R. Biden Jr." -> "biden"); for a
    regnal name, the name before its numeral ("Abdullah II ibn Al Hussein" -> "abdullah")."""
    folded: list[str] = re.findall(r"[\w’'-]+", fold(name))
    regnal = next((i for i, w in enumerate(folded) if i and w in _SUFFIXES - {"jr", "sr"}), None)
    if regnal is not None:
        return folded[regnal - 1]
    words = [w for w in _real_words(name) if w not in _ROLE_WORDS] or _real_words(name)
    return words[-1] if words else fold(name).strip()


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    """Names in order, the first spelling of each (compared folded)."""
    seen: dict[str, str] = {}
    for name in names:
        if name:
            seen.setdefault(_folded(name), name)
    return tuple(seen.values())


@lru_cache(maxsize=65536)
def _folded(name: str) -> str:
    return fold(name)
