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

from rag.text.words import content_terms, fold

MAX_NGRAM = 5
TYPO_RATIO = 0.88
TYPO_MIN_CHARS = 5


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
        return cls(
            {key: tuple(names) for key, names in exact.items()},
            {shape: tuple(keys) for shape, keys in shapes.items()},
            {name: frozenset(found) for name, found in name_words.items()},
        )

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self.exact[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.exact)

    def __len__(self) -> int:
        return len(self.exact)


# Titles a user puts before a name ("President Ruto", "Secretary of State Blinken").
_TITLES = frozenset(
    """mr mrs ms dr sir dame madam lord lady his her excellency president vice prime minister
    secretary senator sen rep representative congressman congresswoman governor gov
    ambassador amb chancellor king queen prince princess crown sheikh emir general gen first
    deputy foreign national security advisor adviser state defense defence trade finance
    health interior chair chairman chairwoman pope taoiseach premier mayor speaker leader
    commissioner director special envoy elect designate principal assistant acting senior chief
    under press spokesperson spokesman amir highness sultan hon honourable honorable majesty
    holiness""".split()
)
# Words of the question's frame, not its topic.
_FRAME_WORDS = frozenset(
    """say said says saying tell told telling talk talked talking discuss discussed discusses
    discussing mention mentioned mentions speak speaks spoke spoken stated statement
    statements remark remarks comment comments commented announce announced describe
    described explain explained think thought view views position positions stance according
    regarding concerning call calls called phone telephone meeting met meet conversation
    readout came come evolve evolved evolving changed shifted president presidents vice prime
    minister secretary mr mrs ms dr excellency senator governor ambassador""".split()
)
# Words written in lower case at least 800 times in White House statements and remarks
# (2021-2025), and a few rarer ones that start proper nouns ("White House", "Black Sea"): a
# name that is also one of these ("Price", "Power") is matched only when written with a
# capital, and is never the target of a typo.
_COMMON_WORDS = frozenset(
    """
    ability able abortion accelerate access achieve act action actions activities actually add
    addition additional address addressing administration advance advanced advancing afford
    affordable afternoon age agencies agency agenda aggression ago agree agreed agreement ahead
    aid air allies allow almost alone along already always announce announced announcement
    announcing another answer anything approach appropriate area areas around ask asked assault
    assistance attack attacks available average away back background ban barriers based basic
    basis became become began begin beginning behind believe benefit benefits best better beyond
    big biggest bilateral bill billion billions bills bipartisan bit bless border borrowers
    bottom bridges bring bringing brought budget build building built business businesses buy
    call called calling came campaign cancer cannot capabilities capacity capital care career
    case cases celebrate centers century certain chain chains challenge challenges chance change
    child children choice cities citizens city civil class clean clear climate close closely
    collaboration collective college color combat come comes coming commit commitment
    commitments committed common communities community companies company competition
    comprehensive conditions conflict construction consumers continue continued continues
    continuing control conversation cooperation coordination corporations cost costs countries
    country couple courage course coverage create created creating credit crime criminal crisis
    critical current currently cut cuts cyber data date day days deal debt decade decades
    decision decisions dedicated deep defend defense deficit degree deliver delivering demand
    democracy democratic deserve determined develop developing development different digital
    dignity direct directly disaster discuss discussed diverse dollars domestic done drive drug
    drugs earlier early earned economic economies economy education effect effective effort
    efforts elected election electric eligible else emergency emerging emissions employees
    employment enable encourage end energy enforcement engage engagement enhance enough ensure
    ensuring entire environment environmental equal equipment equitable equity especially
    essential establish established even event events ever every everybody everyone everything
    example executive existing expand expanded expanding expansion experience extraordinary
    extreme face facilitate facilities facing fact fair faith families family far federal feel
    fees fight fighting finally finance financial financing find first five focus focused folks
    following food force forces foreign former forward found four free freedom friend friends
    front full fully fund fundamental funding funds future gas gave gender generation
    generations get getting give given giving global goal goals goes going good goods got
    government governments grant grants grateful great greater ground group groups grow growing
    growth guess guidance gun half hand happen happened happening hard hate health healthcare
    hear heard heart held help helped helping high higher highest historic history hold home
    homes honor hope hours house households housing human humanitarian hundreds idea identify
    impact impacts implement implementation importance important improve improving include
    included includes including inclusive income increase increased increasing incredible
    individuals industrial industries industry inflation information infrastructure initiative
    initiatives innovation innovative institutions insulin insurance intelligence intend
    interest interests international internet invest invested investing investment investments
    issue issued issues job jobs join joined joining joint justice keep key kids kind knew know
    known knows labor land large largest last later launch launched law laws lead leader leaders
    leadership leading learn learning least leave led left legal legislation less let level
    levels life like likely line lines literally little live lives living loan loans local long
    longer look looking loss lost lot love loved lower made major majority make makes making man
    management manufacturing many market markets materials matter matters mean means measures
    medical meet meeting member members men mental mentioned message met middle migration
    military million millions mission moment money month months morning mother move moving much
    name nation national nations nearly necessary need needed needs never new news next night
    nothing nuclear number offer office officials often oil old one ones ongoing online open
    operations opportunities opportunity order organizations others paid pandemic parents part
    particular particularly partner partners partnership partnerships pass passed past path pay
    paying peace people percent period person personal personnel place places plan planning
    plans play please point police policies policy political pollution position possible
    potential poverty power practices prescription president press prevent prevention previously
    price prices principles priorities priority private problem process production products
    program programs progress project projects promise promote promoting proposed prosperity
    protect protecting protection protections proud provide provided providers provides
    providing public put putting quality question questions quickly quote raise raised range
    rate rates reach ready real really reason receive received recent recently recognize record
    recovery reduce reducing region regional related relationship release released relief remain
    remains remember report reproductive require requirements research resilience resilient
    resources respect respond response responsible rest restore result results right rights risk
    risks role room rule rules run running rural safe safety said sanctions save saw say saying
    says school schools science second sector sectors secure security see seeing seek seen send
    senior seniors sense serious serve served serves service services serving set several share
    shared sharing shot show side sign signed significant since single sites situation six small
    social society solar solutions someone something son soon space speak special spent spoke
    stability staff stake stand standards standing start started state states stay step steps
    still stop story strategic strategy strength strengthen strengthening strong stronger
    student students summer supply support supported supporting supports sure survivors
    sustainable system systems table take taken takes taking talk talked talking tax taxes
    teachers team technical technologies technology tell term terms thank thanks thing things
    think third though thought thousands threat threats three throughout time times today
    together told took tools top total trade training transition transportation travel treatment
    trillion troops true trust truth try trying turn two underserved understand understanding
    union unions use used using vaccinated vaccination vaccine vaccines value values vehicles
    veterans vice view violence vision visit vital vote voted voting vulnerable walk want wanted
    wants war water way ways wealthy weapons week weeks welcome well went whether whole wife win
    wind woman women won word words work worked workers workforce working works world year years
    yesterday yet young youth
    white black green brown gray grey red blue gold silver rose king bush rice rich banks cash
    fox wolf bird hill stone wood field street north south east west central golden""".split()
)
_SUFFIXES = frozenset({"jr", "sr"})
_NUMERALS = frozenset("ii iii iv vi vii viii ix".split()) | _SUFFIXES
# Small words inside names: "Mohamed bin Zayed", "Lula da Silva", "Al Thani".
_PARTICLES = frozenset(
    "al el bin bint ibn ben abu de da das do dos du del della di van von der den la le".split()
)
_JOIN = re.compile(r"\s+|\s*-\s*")
_CALENDAR = frozenset(
    """january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday""".split()
)
_GUARDED = _COMMON_WORDS | _TITLES | _FRAME_WORDS | _CALENDAR
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)


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
    return [_POSSESSIVE.sub("", w) for w in _WORD.findall(fold(text))]


def _question_words(question: str) -> list[_Word]:
    shouting = _shouting(question)
    found: list[_Word] = []
    previous_end = 0
    for m in _WORD.finditer(question):
        possessive = _POSSESSIVE.search(m.group())
        end = m.end() - (len(possessive.group()) if possessive else 0)
        key = fold(question[m.start() : end])
        capital = m.group()[0].isupper() and not shouting
        joined = _JOIN.fullmatch(question, previous_end, m.start()) is not None
        found.append(_Word(key, m.start(), end, capital, possessive is not None, joined))
        previous_end = m.end()
    return found


def _shouting(question: str) -> bool:
    """Written in capitals throughout, so capitals say nothing about names or acronyms."""
    return not any(c.islower() for c in question)


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
            found[last].key in _SUFFIXES or len(found[last].key) == 1
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
    if len(span) == 1 and (len(key) < 2 or not content_terms(key) or key in _NUMERALS):
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
        best = _closest(key, aliases.by_shape.get((len(span), key[0]), ()))
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
    if first > 1 and found[first].joined and before.capital and before.key not in _TITLES:
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
    one_word = sum(w.key not in _PARTICLES for w in found[first : last + 1]) == 1
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
        beside = not through_particle and word.key not in _NUMERALS
        if exact and beside and word.key in aliases.exact:
            continue  # "the Biden Harris administration": two speakers
        return True
    return False


def _beyond(found: list[_Word], edge: int, step: int) -> tuple[int | None, bool]:
    """The next word past `edge` in direction `step` and past any name particles, if joined
    to it all the way; and whether a particle was passed."""
    i, through_particle = edge, False
    while 0 <= i + step < len(found) and found[max(i, i + step)].joined:
        i += step
        if found[i].key not in _PARTICLES:
            return i, through_particle
        through_particle = True
    return None, through_particle


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
        if key in _TITLES or key in known:
            first -= 1
        elif key == "of" and first - 2 >= low and found[first - 2].key in _TITLES:
            first -= 2
        elif len(key) == 1 and first - 2 >= low and found[first - 2].key in known:
            first -= 2  # an initial: "Donald J. Trump"
        else:
            break
    while last < high and found[last + 1].key in known:
        last += 1
    return first, last
