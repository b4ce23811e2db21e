"""Who is speaking: statement, passage and transcript-turn speakers, found at ingest by rules.

The corpora rarely carry a speaker field (only UN speeches do), so speakers come from what
every official text states in its own conventions: the title ("Readout of President Biden's
Call with President William Ruto of Kenya"), transcript labels ("PRESIDENT RUTO:", "Lynne
Neagle AM:"), a signature line, and news attributions ("... ,” Ruto stated."). Only regular
expressions and word lists: no model, no network, linear in the text, so it runs on every
statement at ingest.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rag.answering.terms import fold
from rag.chunking import split_sentences

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
# Transcript labels that name nobody: the audience, reporters, anonymous officials.
_ANONYMOUS = frozenset(
    """q audience member members moderator operator participant participants aide aides child
    children crowd reporter reporters interpreter translator official officials senior
    administration unidentified voice announcer narrator student students all both video white
    house military local law enforcement attendee attendees guest guests pool staff""".split()
)
_INITIAL = re.compile(rf"(?:[{_UP}]\.){{1,3}}|[{_UP}]")
_CAPITALISED = re.compile(rf"(?:[dlDL][’'])?[{_UP}]")
_NOT_LABELS = frozenset(
    {"note", "item", "question", "answer", "dear", "subject", "date", "from", "to"}
)


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


# ---- titles -----------------------------------------------------------------------------

_DOC_TYPE = re.compile(
    r"^(?:[\W_]*(?:CORRECTED:\s*)?(?:Excerpts?\s+(?:from|of)\s+)?(?:Joint\s+)?"
    r"(?:Readout|Statements?|Remarks|Press\s+Briefing|Press\s+Gaggle|"
    r"(?:On-the-Record\s+|Background\s+)?Press\s+Call|Interview|Excerpts?|Pre-Taped\s+Remarks|"
    r"Closing\s+Remarks|Message|Letter|Address|Toast|Eulogy|Op-Ed)"
    r"(?:\s+(?:as\s+)?(?:Prepared|Delivered)(?:\s+for\s+Delivery)?)?)\s+(?:by|from|of)\s+",
    re.IGNORECASE,
)
_TITLE_PREFIX = re.compile(r"^(?:FACT SHEET|Fact Sheet|ICYMI|WHAT THEY ARE SAYING)\s*:\s*")
_READOUT = re.compile(r"\W*(?:Joint\s+)?Readout", re.IGNORECASE)
_EVENTS = frozenset("call calls meeting meetings conversation visit trip travel phone".split())


def _person_list(words: Sequence[str], i: int, *, first_roleless: int) -> tuple[list[_Person], int]:
    """People joined by commas and "and" from words[i], as in "by A, B, and C"."""
    people: list[_Person] = []
    person, i = _parse_person(words, i, roleless=first_roleless)
    while person is not None:
        people.append(person)
        j = i
        while j < len(words) and words[j].lower() in (",", "and", "&"):
            j += 1
        if person.possessive or j == i:
            break
        person, k = _parse_person(words, j, roleless=2)
        i = k if person is not None else i
    return people, i


def _title_people(title: str | None) -> list[_Person]:
    """People a title presents as speaking: authors, and both parties of a call or meeting."""
    if not title:
        return []
    title = _TITLE_PREFIX.sub("", re.sub(r"^[\W_]+", "", title))
    doc = _DOC_TYPE.match(title)
    kind = doc.group(0).lower() if doc else ""
    words = _words(title[doc.end() :] if doc else title)
    people, end = _person_list(words, 0, first_roleless=2 if doc else 0)
    if not doc and re.match(r"\W*Joint\s+Statement", title, re.IGNORECASE):
        for i, word in enumerate(words):  # "Joint Statement on X from U.S. President A, ..."
            if word.lower() in ("from", "by"):
                return _person_list(words, i + 1, first_roleless=0)[0]
        return []
    readout = "readout" in kind or bool(_READOUT.match(title))
    if ("statement" in kind and not readout) or not (readout or people):
        return people
    if end < len(words) and words[end].lower() in ("on", "of"):
        more, after = _person_list(words, end + 1, first_roleless=0)
        if more and more[-1].possessive:  # "Readout from A on B's Meeting with C"
            people, end = people + more, after
    for i in range(end, len(words) - 1):  # "<A>'s Call with <B>", "Meeting Between <A> and <B>"
        if words[i].lower() in ("with", "between", "of") and any(
            w.lower() in _EVENTS for w in words[max(0, i - 3) : i]
        ):
            people += _person_list(words, i + 1, first_roleless=2)[0]
            break
    return people


def title_speakers(title: str | None) -> tuple[str, ...]:
    """Names a title gives as speaking, as written there minus roles ("Biden", "William Ruto")."""
    return _unique(clean_name(p.name) for p in _title_people(title) if p.name)


# ---- names in the text ------------------------------------------------------------------

_ROLE_MENTION = re.compile(
    r"\b(?=[A-Z])(?:(?:Vice|Prime|Deputy|Crown|First|Second|Foreign|Press|Lt\.|Chief)[ \t\xa0]+)?"
    r"(?:President|Minister|Secretary|Chancellor|King|Queen|Prince|Amir|Emir|Sheikh|Pope|Lady|"
    r"Gentleman|Senator|Sen\.|Representative|Rep\.|Congressman|Congresswoman|Governor|Gov\.|"
    r"Mayor|Ambassador|Administrator|Advisor|Adviser|Spokesperson|Taoiseach|Premier|Speaker|"
    r"Leader|Chairman|Chairwoman|Commissioner|Director|Envoy|Mr\.|Mrs\.|Ms\.|Dr\.)"
    rf"{_WS}(?:of{_WS}(?:the{_WS})?)?{_PHRASE}"
)
_HONORIFICS = frozenset({"mr", "mrs", "ms", "dr", "hon", "sir", ""})
_SIGNATURE = re.compile(rf"(?:\A|\n)[ \t\xa0]*([{_UP}][{_UP}.’' \-]{{3,40}}?)[ \t\xa0]*\Z")


def _roles_agree(a: str, b: str) -> bool:
    if a in _HONORIFICS or b in _HONORIFICS:
        return True
    return a.split()[-1] == b.split()[-1] and ("vice" in a) == ("vice" in b)


@dataclass(frozen=True, slots=True)
class _Mention:
    at: int
    role: str
    name: str
    surname: str
    words: frozenset[str]


class _Context:
    """What one statement says about its people: names given with a role ("President William
    Ruto"), names already known, roles from the title. Built once per statement."""

    def __init__(self, text: str, known: Sequence[str] = ()) -> None:
        self.text = text
        self.roles: dict[str, str] = {}
        self.mentions: list[_Mention] = []
        for match in _ROLE_MENTION.finditer(text):
            person, _ = _parse_person(_words(match.group(0)), 0, roleless=0)
            if person is not None and person.name:
                name = clean_name(person.name)
                words = frozenset(_real_words(name))
                self.mentions.append(
                    _Mention(match.start(), person.role, name, surname(name), words)
                )
        self.by_surname: dict[str, list[_Mention]] = {}
        for mention in self.mentions:
            self.by_surname.setdefault(mention.surname, []).append(mention)
        self.known: list[tuple[str, str, frozenset[str]]] = []
        self.know(known)
        self._lower: frozenset[str] | None = None
        self._flat: str | None = None

    def know(self, names: Sequence[str]) -> None:
        """Take `names` as the statement's own speakers: expansions prefer them."""
        self.known = [(surname(k), k, frozenset(_real_words(k))) for k in names if k]

    def expand(self, name: str, role: str = "") -> str:
        """The fullest form the statement gives of `name`: a known name first, then the text.

        A lone word matches a surname, or the first word of a longer name ("President Yoon"
        -> "Yoon Suk Yeol"), as family names come first in some languages.
        """
        last, words = surname(name), frozenset(_real_words(name))

        def fits(candidate: str) -> bool:
            full = _real_words(candidate)
            return words <= set(full) and (
                surname(candidate) == last or (len(words) == 1 and full[0] == last)
            )

        known = Counter(k for _, k, _ in self.known if fits(k))
        pool = self.by_surname.get(last, []) if len(words) > 1 else self.mentions
        text = Counter(m.name for m in pool if _roles_agree(m.role, role) and fits(m.name))
        for found in (known, text):
            if found:
                return max(found, key=lambda c: (len(_real_words(c)), found[c], c))
        return name

    def as_written(self, name: str) -> str:
        """A title's name cut to the longest part the text writes: a title-case headline runs
        into its verb ("First Lady Melania Trump Concludes Second Day …") or puts a description
        first ("… with Freed American-Israeli Hostage Keith Siegel")."""
        words = name.split()
        if len(words) < 2 or name in self.text:
            return name
        if self._flat is None:
            self._flat = " ".join(self.text.split())
        if name in self._flat:
            return name
        for cut in range(1, len(words)):  # "President Biden Intends to …": "Biden" + a verb
            verb = words[cut].endswith("s") or self.common_word(words[cut])
            if verb and surname(words[cut - 1]) in self.by_surname:
                return " ".join(words[:cut])
        for cut in range(len(words) - 1, 1, -1):
            if " ".join(words[:cut]) in self._flat:
                return " ".join(words[:cut])
        for cut in range(1, len(words) - 1):
            rest = words[cut:]
            if not self.common_word(rest[0]) and " ".join(rest) in self._flat:
                return " ".join(rest)
        return name

    def common_word(self, word: str) -> bool:
        """Whether the text also writes `word` in lower case: an ordinary word, not a name."""
        if self._lower is None:
            self._lower = frozenset(re.findall(r"\b[a-z][a-z’'-]+\b", self.text))
        return word.lower() in self._lower


def _signature(text: str) -> str | None:
    """A name signed in capitals on the last line, as letters and messages end."""
    match = _SIGNATURE.search(text.rstrip()[-120:])
    if not match:
        return None
    words = match.group(1).split()
    if not 2 <= len(words) <= 5 or any(w.rstrip(".") in ("END", "P.M", "A.M") for w in words):
        return None
    name = clean_name(match.group(1))
    return name if len(_real_words(name)) >= 2 else None


# ---- transcript turns -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Turn:
    """A transcript turn: who holds the floor from `start` to `end` (label included)."""

    start: int
    end: int
    label: str
    speaker: str | None


_UPPER_LABEL = re.compile(
    rf"(?m)^[ \t\xa0]*(?P<label>[{_UP}](?:[{_UP}.’'\-]|[ \xa0](?=[{_UP}]))*)[ \t\xa0]*:(?=\s|\Z)"
)
_Q_LABEL = re.compile(r"(?m)^[ \t\xa0]*Q(?=[:\s])")
_NAME_LABEL = re.compile(
    rf"(?:\A|\n[ \t\xa0]*\n)[ \t\xa0]*(?P<label>[{_UP}][^\n:]{{0,150}}?):[ \t\xa0]"
)
_PARAGRAPH = re.compile(r"\n[ \t\xa0]*\n")
_END_LINE = re.compile(r"(?m)^[ \t\xa0]*END\b")
_LABEL_STOP = frozenset("is are was were to for on in with by a an our we your its and at".split())


def _upper_label_ok(label: str, count: int) -> bool:
    """A speaker label, not a heading ("FACT SHEET:", "NOMINATIONS SENT TO THE SENATE:")."""
    words = label.split()
    lowered = [w.lower().rstrip(".") for w in words]
    if len(words) > 6 or lowered[0] in _NOT_LABELS | {"end"} or sum(map(str.isalpha, label)) < 2:
        return False
    if any(w in _LABEL_STOP for w in lowered):
        return False
    if all(w in _ANONYMOUS for w in lowered) or lowered[0] == "the":
        return True
    if _is_role(words[0]) and not all(map(_is_role, words)):
        return True
    return count >= 2 and len(words) <= 3


def _name_label_ok(label: str) -> bool:
    """A mixed-case label that reads as a person: "Lynne Neagle AM", "Hon. Bill Blair (...)"."""
    outside, _ = _strip_parens(label)
    words = outside.split()
    if not 1 <= len(words) <= 7 or any(c.isdigit() for c in outside):
        return False
    if words[0].lower().rstrip(".") in _NOT_LABELS:
        return False
    return all(_capitalised(w) or w.lower() in _PARTICLES | {"the", "of"} for w in words)


def _q_ok(text: str, at: int) -> bool:
    """ "Q" asks a question when followed by a colon or wide space, or when it opens a paragraph."""
    after = text[at + 1 : at + 3]
    if after[:1] in (":", "\xa0") or (len(after) == 2 and after.isspace()):
        return True
    line = text.rfind("\n", 0, at)
    previous = text[text.rfind("\n", 0, max(line, 0)) + 1 : max(line, 0)]
    return (line < 0 or not previous.strip(" \t\xa0")) and not after[1:2].islower()


def _labels(text: str) -> list[tuple[int, str]]:
    """(offset, label) of every plausible speaker label, in order."""
    found: dict[int, str] = {}
    upper = [
        (m.start("label"), " ".join(m.group("label").split())) for m in _UPPER_LABEL.finditer(text)
    ]
    counts = Counter(label for _, label in upper)
    for at, label in upper:
        if _upper_label_ok(label, counts[label]):
            found[at] = label
    for match in _Q_LABEL.finditer(text):
        if _q_ok(text, match.end() - 1):
            found[match.end() - 1] = "Q"
    named = [
        (m.start("label"), " ".join(m.group("label").split()))
        for m in _NAME_LABEL.finditer(text)
        if any(map(str.islower, m.group("label"))) and _name_label_ok(m.group("label"))
    ]
    # Mixed-case labels only in a text made of them, as committee transcripts are.
    if len(named) >= 2 and 2 * len(named) > len(_PARAGRAPH.findall(text)):
        found.update(named)
    return sorted(found.items())


def _label_speaker(label: str, context: _Context, chairs: dict[str, str]) -> str | None:
    outside = _strip_parens(label)[0]
    if label == "Q" or all(w.lower().rstrip(".") in _ANONYMOUS for w in outside.split()):
        return None
    person, _ = _parse_person(_words(outside), 0, roleless=1, lenient=True)
    name = clean_name(label)
    if person is not None and person.name:
        return context.expand(name, person.role)
    role = person.role if person else outside.lower()
    if role in context.roles:  # "THE PRESIDENT" in "Remarks by President Biden"
        return context.roles[role]
    if not role_only(name):  # "The Chair (Hon. Anthony Rota)": later "The Chair" is him too
        chairs[role] = name
        return name
    return chairs.get(role, name)


def _find_turns(text: str, context: _Context) -> tuple[Turn, ...]:
    labels = _labels(text)
    if not labels or (len(labels) == 1 and labels[0][1] != "Q"):
        return ()
    ends = [m.start() for m in _END_LINE.finditer(text)]
    chairs: dict[str, str] = {}
    turns: list[Turn] = []
    for index, (start, label) in enumerate(labels):
        end = labels[index + 1][0] if index + 1 < len(labels) else len(text)
        cut = bisect.bisect_right(ends, start)
        if cut < len(ends) and ends[cut] < end:
            end = ends[cut]
        while end > start and text[end - 1].isspace():
            end -= 1
        turns.append(Turn(start, end, label, _label_speaker(label, context, chairs)))
    return tuple(turns)


def find_turns(text: str, title: str | None, statement_speakers: Sequence[str]) -> tuple[Turn, ...]:
    """The turns of a transcript, each label resolved to a display name where the statement
    makes it clear ("THE PRESIDENT" -> the title's president); () for other texts."""
    context = _statement_context(text, title, None)
    context.know(_unique([*statement_speakers, *(k for _, k, _ in context.known)]))
    return _find_turns(text, context)


# ---- attributions in running text -------------------------------------------------------

_VERBS = (
    "said says stated emphasi[sz]ed emphasi[sz]es noted added adds told "
    "announced announces urged urges warned warns called stressed stresses reaffirmed "
    "reaffirms welcomed welcomes thanked declared declares explained remarked observed "
    "asserted insisted underscored highlighted disclosed affirmed reiterated acknowledged "
    "commented wrote argued pledged vowed expressed praised recalled assured cautioned"
)
_VERB = re.compile(rf"\b(?:{'|'.join(_VERBS.split())})\b")
_INVERTING = frozenset("said says stated added noted wrote explained".split())
_ADVERBS = r"(?:(?:has|have|had|also|further|then|later|again|previously|once|publicly)\s+)*"
_LOOKBACK = 160
_WHO_BEFORE = re.compile(rf"(?<![\w’'.\-])(?P<who>{_PHRASE}),?{_WS}{_ADVERBS}\Z")
_AND_BEFORE = re.compile(rf"(?<![\w’'.\-])(?P<who>{_PHRASE}){_WS}and{_WS}\Z")
_PRONOUN_BEFORE = re.compile(rf"(?<![\w’'])(?:[Hh]e|[Ss]he){_WS}{_ADVERBS}\Z")
_WHO_AFTER = re.compile(rf"{_WS}(?P<who>{_PHRASE})(?=[ \t\xa0]*[.,;:!?)]|\s*\Z)")
_ACCORDING = re.compile(rf"\b[Aa]ccording{_WS}to{_WS}(?:(?P<pron>him|her)\b|(?P<who>{_PHRASE}))")
_CLOSING_QUOTE = re.compile(r"[”\"][\s,]*\Z")
_OPENING_QUOTE = re.compile(r"[ \t\xa0]*[:,]?\s*“")


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int  # of the region the name is attributed to: its sentence, or the quote it closes
    end: int
    name: str


class _Reader:
    """Attributions in one text, with names, roles and pronouns resolved against the context."""

    def __init__(self, context: _Context) -> None:
        self.context, self.text = context, context.text
        self._events: list[tuple[int, str]] | None = None
        self._sentences: list[tuple[int, int]] | None = None

    def person(self, raw: str, at: int) -> str | None:
        """The display name a "<who> said" refers to, or None if it is not a person."""
        words = _words(raw)
        cut = max((i for i, w in enumerate(words[:-1]) if _base(w)[1]), default=-1)
        words = words[cut + 1 :]  # "Kenya's President William Ruto": after the possessive
        while len(words) > 1 and not _is_role(words[0]) and self.context.common_word(words[0]):
            words = words[1:]  # "Because Donald Trump said": a sentence's first word
        person, _ = _parse_person(words, 0, roleless=1)
        if person is None:
            return None
        if not person.name:  # "The President noted": the title's, else the last one so named
            if person.role in self.context.roles:
                return self.context.roles[person.role]
            named = [m for m in self.context.mentions if m.role == person.role]
            before = [m for m in named if m.at < at] or named
            return self.context.expand(before[-1].name, person.role) if before else None
        if not person.role and not self._plausible(person.name):
            return None
        return self.context.expand(clean_name(person.name), person.role)

    def _plausible(self, name: str) -> bool:
        """Whether a name without a role reads as a person's: one the statement names elsewhere,
        or two or more words that are neither acronyms ("ACS CAN") nor words the text also
        writes in lower case ("Colorado River Basin", "Disease Control"). "Kenya said" is not."""
        last = surname(name)
        if last in self.context.by_surname or any(s == last for s, _, _ in self.context.known):
            return True
        words = name.split()
        return len(_real_words(name)) >= 2 and not any(
            (w.isupper() and len(w) > 1) or self.context.common_word(w) for w in words
        )

    def events(self) -> list[tuple[int, str]]:
        """(offset, name) of people named so far: what "he said" can refer to."""
        if self._events is None:
            self._events = sorted(
                (m.at, self.context.expand(m.name, m.role)) for m in self.context.mentions
            )
            surnames = {k.split()[-1]: k for _, k, _ in self.context.known if k.split()}
            if surnames:
                pattern = r"\b(?:" + "|".join(map(re.escape, surnames)) + r")\b"
                for match in re.finditer(pattern, self.text):
                    bisect.insort(self._events, (match.start(), surnames[match.group(0)]))
        return self._events

    def sentence(self, at: int) -> tuple[int, int]:
        if self._sentences is None:
            self._sentences = [(s.start, s.end) for s in split_sentences(self.text)]
        index = bisect.bisect_right(self._sentences, (at, len(self.text))) - 1
        return self._sentences[index] if index >= 0 else (0, len(self.text))

    def region(self, at: int, who_start: int, after: int) -> tuple[int, int]:
        """The sentence of an attribution, widened to a quote it closes ("“…,” Ruto said") or
        opens ("Senator Ted Cruz, commented: “…”"), within the paragraph."""
        text = self.text
        start, end = self.sentence(at)
        if _CLOSING_QUOTE.search(text, max(0, who_start - 4), who_start):
            opening = text.rfind("“", max(text.rfind("\n\n", 0, who_start), 0), who_start)
            if opening >= 0:
                start = min(start, self.sentence(opening)[0])
        opened = _OPENING_QUOTE.match(text, after)
        if opened:
            paragraph = text.find("\n\n", opened.end())
            closing = text.find("”", opened.end(), paragraph if paragraph >= 0 else len(text))
            if closing >= 0:
                end = max(end, closing + 1)
        return start, max(end, at)

    def hits(self) -> list[_Hit]:
        # (offset, start of the who, end of the verb, name or "" for he/she)
        found: list[tuple[int, int, int, str]] = []
        text = self.text
        for match in _VERB.finditer(text):
            at = match.start()
            before = text[max(0, at - _LOOKBACK) : at]
            offset = at - len(before)
            who = _WHO_BEFORE.search(before)
            if who:
                also = _AND_BEFORE.search(before, 0, who.start())  # "Ruto and Rubio reaffirmed"
                for subject in (who, also) if also else (who,):
                    name = self.person(subject.group("who"), at)
                    if name:
                        found.append((at, offset + subject.start(), match.end(), name))
            elif _PRONOUN_BEFORE.search(before):
                found.append((at, at, match.end(), ""))
            elif match.group(0) in _INVERTING and _CLOSING_QUOTE.search(before[-4:]):
                inverted = _WHO_AFTER.match(text, match.end())  # "…,” said President Ruto."
                name = self.person(inverted.group("who"), at) if inverted else None
                if inverted and name:
                    found.append((at, at, inverted.end(), name))
        for match in _ACCORDING.finditer(text):
            raw = match.group("who")
            name = self.person(raw, match.start()) if raw else ""
            if name is not None:
                found.append((match.start(), match.start(), match.end(), name))
        hits: list[_Hit] = []
        for at, who_start, after, name in sorted(found):
            if not name:
                events = self.events()
                index = bisect.bisect_left(events, (at, ""))
                name = events[index - 1][1] if index else ""
            if name:
                if self._events is not None:
                    bisect.insort(self._events, (at, name))
                hits.append(_Hit(*self.region(at, who_start, after), name))
        return hits


def attributed_speakers(text: str, start: int, end: int, known: Sequence[str]) -> tuple[str, ...]:
    """Names attributed in the sentences that text[start:end] overlaps: "Ruto stated",
    "said President Ruto", "according to him" (the person named last before it)."""
    hits = _Reader(_Context(text, known)).hits()
    return _unique(h.name for h in hits if h.start < end and start < h.end)


# ---- a statement ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who speaks in a statement and in each of its passages."""

    statement_speakers: tuple[str, ...]
    passage_speakers: tuple[tuple[str, ...], ...]
    turns: tuple[Turn, ...]


def _statement_context(text: str, title: str | None, speaker: str | None) -> _Context:
    """The metadata speaker, the title's people (fullest form the text gives), a signature.

    A title that names only a role ("Statement by the President") takes the first person the
    text names with that role.
    """
    given = [clean_name(speaker)] if speaker and speaker.strip() else []
    signature = _signature(text)
    people = _title_people(title)
    context = _Context(text, [*given, *([signature] if signature else [])])
    titled: list[str] = []
    for person in people:
        name = clean_name(person.name) if person.name else ""
        if not name:
            name = next((m.name for m in context.mentions if m.role == person.role), "")
        elif all(context.common_word(w) for w in name.split()):
            continue  # "Readout of White House State Legislative Convening": not a name
        else:
            name = context.as_written(name)
        if name:
            titled.append(context.expand(name, person.role))
            context.roles.setdefault(person.role, titled[-1])
    context.know(_unique([*given, *titled, *([signature] if signature else [])]))
    return context


def attribute(
    text: str, title: str | None, speaker: str | None, spans: Sequence[tuple[int, int]]
) -> Attribution:
    """Statement, passage and turn speakers for one statement and its passage spans.

    Transcript passages get the speakers of the turns they overlap; other passages the
    statement's speakers plus whoever the passage's sentences quote.
    """
    context = _statement_context(text, title, speaker)
    statement = [name for _, name, _ in context.known]
    turns = _find_turns(text, context)
    if turns:
        spoken: Counter[str] = Counter()
        for turn in turns:
            if turn.speaker:
                spoken[turn.speaker] += turn.end - turn.start
        statement = list(_unique([*statement, *(n for n, _ in spoken.most_common())]))
        starts = [t.start for t in turns]
        passages: list[tuple[str, ...]] = []
        for start, end in spans:
            first = max(bisect.bisect_right(starts, start) - 1, 0)
            overlapping = [
                t
                for t in turns[first : bisect.bisect_left(starts, end)]
                if t.start < end and start < t.end
            ]
            names = _unique(t.speaker for t in overlapping if t.speaker)
            passages.append(names if overlapping else tuple(statement))
        return Attribution(tuple(statement), tuple(passages), turns)
    hits = _Reader(context).hits()
    if not statement:
        statement = [name for name, _ in Counter(h.name for h in hits).most_common()]
    passages = [
        _unique([*statement, *(h.name for h in hits if h.start < end and start < h.end)])
        for start, end in spans
    ]
    return Attribution(tuple(statement), tuple(passages), ())
