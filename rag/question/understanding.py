"""What a question asks: who ("Ruto", "the President", "Japan's prime minister"), when ("in
2023") and about what.

Who is read as it is written: people matched on the speaker index's aliases
(rag.people.mentions), offices ("the Vice President") and countries ("Kenya", "the White
House"); then how the question uses each: the one whose words are asked for ("What did *Trump*
say", "according to *the White House*", "*Biden* and *Netanyahu* discussed", "spoke *with*
Modi") or the topic ("say about *Jimmy Carter*", "describe *Kamala Harris*", "say *to* Biden").
When is read by rag.question.dates, and a year that belongs to an event ("the 1963 March on
Washington", "the 1994 genocide", a year before the corpus begins) is topic, not a period of
statements. Who a name means is decided later, with the corpus's evidence (rag.question.who).
Nothing here reads the clock or a store: `aliases`, `today` and the corpus's years are passed
in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from rag.people import (
    AliasIndex,
    CountryMention,
    OfficeMention,
    SpeakerMention,
    find_countries,
    find_offices,
    find_speakers,
    plausible_person,
)
from rag.question.dates import DateMention, date_window, find_dates
from rag.text.vocabulary import (
    AUXILIARIES,
    DETERMINERS,
    MEETING_WORDS,
    OCCASIONS,
    QUESTION_FRAME,
    QUESTION_VERBS,
    ROLE_WORDS,
    STATEMENT_NOUNS,
    STOPWORDS,
    TOPIC_PREPOSITIONS,
)
from rag.text.words import POSSESSIVE, content_terms, fold, is_shouting, stem, words

Role = Literal["speaker", "topic"]
Kind = Literal["person", "office", "country"]


@dataclass(frozen=True, slots=True)
class Who:
    """Someone the question names, and whether it asks for their words or about them."""

    kind: Kind
    text: str
    start: int
    end: int
    role: Role
    names: tuple[str, ...] = ()
    """A person's candidates in the speaker index, best match first."""
    title: str = ""
    """Role words written with a person ("president", "first lady", "mrs"), or the office."""
    country: str | None = None
    """The country (ISO code) named, or the one an office is of ("Japan's prime minister")."""
    family: bool = False
    """A surname in the plural: "the Bidens"."""
    party: bool = False
    """An office or country that is the other party of a call or meeting ("spoke with the
    King of Bahrain"): a readout of it names them, so its words stay in the topic."""


@dataclass(frozen=True, slots=True)
class Interpretation:
    """A question read for retrieval: who, when, about what, and whether over time."""

    question: str
    speakers: tuple[SpeakerMention, ...]
    """People the question asks the words of."""
    dates: tuple[DateMention, ...]
    """Periods of statements the question names."""
    since: dt.date | None
    until: dt.date | None
    topic: str
    """The question without its speakers, dates, frame and stopwords: "Haiti", "climate"."""
    topic_terms: tuple[str, ...]
    """Folded content words of the topic, one per stem, in order."""
    timeline: bool
    """The question asks how something changed over time."""
    who: tuple[Who, ...] = ()
    """Every person, office and country it names, speakers and topics, in order."""
    event_years: tuple[DateMention, ...] = ()
    """Years of events it names ("the 1963 March on Washington"): topic, not a period."""
    unknown_people: tuple[str, ...] = ()
    """Names of people the corpus does not know as speakers ("Lou Conter"): topic."""
    unplaced_dates: tuple[DateMention, ...] = ()
    """Dates written without a year ("in June", "on the anniversary of September 11"):
    which year is meant the question does not say, so they narrow nothing. A day that names
    an occasion ("the Fourth of July", "the January 6th attack") stays in the topic."""


def interpret(
    question: str,
    aliases: Mapping[str, tuple[str, ...]],
    today: dt.date,
    years: tuple[int, int] | None = None,
) -> Interpretation:
    """Who, when, topic and whether a timeline is wanted, read from the question.

    `years` are the first and last years of the corpus's statements: a year before them can
    only be an event's."""
    today, frame = _reference_day(question, today)
    found_speakers = find_speakers(question, _index(aliases))
    found_dates = [d for d in find_dates(question, today) if not _overlaps(d, frame)]
    # Where they overlap, a date with a number wins ("May 2019"), else the name ("Theresa May").
    numbered = [d for d in found_dates if any(c.isdigit() for c in d.text)]
    people = [s for s in found_speakers if not any(_overlaps(s, d) for d in numbered)]
    dates = [d for d in found_dates if d in numbered or not any(_overlaps(d, s) for s in people)]
    events = [d for d in dates if _is_event_year(question, d, years)]
    # A date without a year ("in June", "the January 6th attack") is this year's or last
    # year's only by guess: shown, not applied, unless a frame gives the year.
    unplaced = [d for d in dates if d.yearless and not frame.end]
    dates = [d for d in dates if d not in events and d not in unplaced]
    who = _who(question, people, find_offices(question), find_countries(question))
    since, until = date_window(dates)
    unknown = _unknown_names(question, [*who, *dates, *events, frame])
    spoken = [w for w in who if w.role == "speaker"]
    verb = _asking_verb(question)
    named_days = [d for d in unplaced if _names_a_day(question, d)]
    removed = [*dates, *(d for d in unplaced if d not in named_days)]
    kept = _topic_tokens(question, [*(w for w in spoken if not w.party), *removed, frame, verb])
    return Interpretation(
        question=question,
        speakers=tuple(
            SpeakerMention(w.text, w.start, w.end, w.names) for w in spoken if w.kind == "person"
        ),
        dates=tuple(dates),
        since=since,
        until=until,
        topic=" ".join(kept),
        topic_terms=_terms(kept),
        timeline=any(p.search(fold(question)) for p in _TIMELINE),
        who=tuple(who),
        event_years=tuple(events),
        unknown_people=unknown,
        unplaced_dates=tuple(unplaced),
    )


# --- who -----------------------------------------------------------------------------------

_recent: list[tuple[frozenset[tuple[str, tuple[str, ...]]], AliasIndex]] = []


def _index(aliases: Mapping[str, tuple[str, ...]]) -> AliasIndex:
    """The index for `aliases`, kept while the same aliases come back: a service handing over
    a fresh copy of its alias dict per question builds it once (comparing is far cheaper)."""
    if isinstance(aliases, AliasIndex):
        return aliases
    content = frozenset(aliases.items())
    for known, index in _recent:
        if known == content:
            return index
    index = AliasIndex.build(aliases)
    _recent[:] = [(content, index)]
    return index


_TOKEN = re.compile(r"[^\W_]+(?:['’.][^\W_]+)*")
_ABOUT = frozenset({"about", "regarding", "concerning"})
_FOLLOW_UP = re.compile(r"^\W*(?:and\s+)?(?:how|what)\s+about\b", re.IGNORECASE)
_PARTY_BEFORE = frozenset({"with", "between"})
_MEETING = OCCASIONS | MEETING_WORDS
_PARTY_REACH = 6
"""Words before "with" that a meeting word is looked for in ("spoke by phone with X")."""


@dataclass(frozen=True, slots=True)
class _Found:
    kind: Kind
    text: str
    start: int
    end: int
    names: tuple[str, ...] = ()
    title: str = ""
    country: str | None = None
    family: bool = False


def with_topic(reading: Interpretation, kept: Sequence[Who]) -> Interpretation:
    """The reading with these speakers' words put back in the topic: who the question names
    but could not be resolved ("the Pope" in a store without one) is what it asks about."""
    if not kept:
        return reading
    removed = [w for w in reading.who if w.role == "speaker" and not w.party and w not in kept]
    frame = _reference_day(reading.question, dt.date.max)[1]
    verb = _asking_verb(reading.question)
    unplaced = [d for d in reading.unplaced_dates if not _names_a_day(reading.question, d)]
    tokens = _topic_tokens(reading.question, [*removed, *reading.dates, *unplaced, frame, verb])
    return replace(reading, topic=" ".join(tokens), topic_terms=_terms(tokens))


def _who(
    question: str,
    people: Sequence[SpeakerMention],
    offices: Sequence[OfficeMention],
    countries: Sequence[CountryMention],
) -> list[Who]:
    """People, offices and countries with the role the question gives each."""
    found: list[_Found] = []
    for m in people:
        found.append(
            _Found(
                "person",
                m.text,
                m.start,
                m.end,
                m.names,
                _title(m.text),
                family=_is_family(question, m),
            )
        )
    taken = list(found)
    for office in offices:
        if any(_overlaps(office, f) for f in taken):
            continue
        country = _office_country(question, office, countries)
        start = min(office.start, country.start) if country else office.start
        end = max(office.end, country.end) if country else office.end
        found.append(
            _Found(
                "office",
                question[start:end],
                start,
                end,
                title=office.office,
                country=country.code if country else None,
            )
        )
    for c in countries:
        if not any(_overlaps(c, f) for f in found):
            found.append(_Found("country", c.text, c.start, c.end, country=c.code))
    found.sort(key=lambda f: f.start)
    tokens = [(m.start(), m.end(), fold(m.group())) for m in _TOKEN.finditer(question)]
    spans = [(f.start, f.end) for f in found]
    plain = [t for t in tokens if not any(s <= t[0] < e for s, e in spans)]
    verb = _verb(plain)
    auxiliary = any(w in AUXILIARIES for _, _, w in plain)
    follow_up = _FOLLOW_UP.match(question)  # "How about Biden?": who is asked about instead
    about = next(
        (s for s, _, w in plain if w in _ABOUT and not (follow_up and s < follow_up.end())),
        None,
    )
    according = [e for s, e, w in plain if w == "according"]
    roles: list[Role] = []
    for i, f in enumerate(found):
        if follow_up and i == 0 and f.start >= follow_up.end():
            roles.append("speaker" if f.kind == "person" else "topic")
            continue
        roles.append(_role(question, f, i, found, roles, plain, verb, auxiliary, about, according))
    return [
        Who(
            f.kind,
            f.text,
            f.start,
            f.end,
            role,
            f.names,
            f.title,
            f.country,
            f.family,
            role == "speaker"
            and f.kind != "person"
            and _word_before(question, f.start, [t for t in plain if t[1] <= f.start])
            in _PARTY_BEFORE,
        )
        for f, role in zip(found, roles, strict=True)
    ]


def _role(
    question: str,
    f: _Found,
    i: int,
    found: Sequence[_Found],
    roles: Sequence[Role],
    plain: Sequence[tuple[int, int, str]],
    verb: int | None,
    auxiliary: bool,
    about: int | None,
    according: Sequence[int],
) -> Role:
    before = [t for t in plain if t[1] <= f.start]
    last = _word_before(question, f.start, before)
    if according:  # "according to the White House": it speaks, and, if the question asks
        # what others said ("what did A and B discuss, according to ..."), they do too
        heard = any(
            re.fullmatch(r"\s+to\s+(?:the\s+)?", question[e : f.start], re.I) for e in according
        )
        if heard:
            return "speaker"
        if verb is None:
            return "topic"
    if about is not None and f.start > about:
        return "topic"
    if _STATEMENT_OF.match(question, f.end):
        return "speaker"  # "in Ruto's statement", "Modi's 2019 UN speech"
    if last in _PARTY_BEFORE:
        nearby = {w for _, _, w in before[-_PARTY_REACH:]}
        return "speaker" if nearby & _MEETING else "topic"
    if last in QUESTION_VERBS and _OUR_OCCASION.search(question):
        return "speaker"  # "What did Biden thank Ruto for on their call?": both speak
    if last in TOPIC_PREPOSITIONS or last in QUESTION_VERBS:
        return "topic"  # "say to Biden", "describe Kamala Harris"
    if last == "and" and i and _joined(question, found[i - 1], f):
        return roles[i - 1]
    if verb is not None:
        return "speaker" if f.start < verb else "topic"
    if auxiliary:  # "How many troops did the United States send": a person acts, and says so
        return "speaker" if f.kind == "person" else "topic"
    # A query without a verb ("jill biden panama canal"): the first named and those with it;
    # a country or office alone ("And the DRC?") is what it asks about.
    if f.kind != "person" and not _rest_of_query(question, found):
        return "topic"
    if i == 0:
        return "speaker"
    previous = found[i - 1]
    together = previous.kind == f.kind == "person" and _joined(question, previous, f)
    return "speaker" if roles[i - 1] == "speaker" and together else "topic"


def _rest_of_query(question: str, found: Sequence[_Found]) -> bool:
    """Whether a query holds content words besides the names in it."""
    rest = question
    for f in sorted(found, key=lambda f: -f.start):
        rest = rest[: f.start] + " " + rest[f.end :]
    return bool(content_terms(rest))


_STATEMENT_OF = re.compile(
    r"['’]s?\s+(?:[\w-]+\s+){0,3}?(?:" + "|".join(sorted(STATEMENT_NOUNS)) + r")\b", re.I
)


_OUR_OCCASION = re.compile(
    r"\btheir\s+(?:[\w-]+\s+){0,3}?(?:" + "|".join(sorted(OCCASIONS | MEETING_WORDS)) + r")\b",
    re.I,
)


def _word_before(question: str, at: int, before: Sequence[tuple[int, int, str]]) -> str:
    """The word a name follows, past determiners and other capitalised words ("with NATO
    Secretary General ...", "with President Andrés ..."), within its clause."""
    shouting = is_shouting(question)
    edge = at
    for start, end, word in reversed(before):
        if re.search(r"[,;:.!?()]", question[end:edge]):
            return ""
        capital = question[start].isupper() and not shouting
        if word not in DETERMINERS and not capital:
            return word
        edge = start
    return ""


def _asking_verb(question: str) -> _Span:
    """The verb that asks for someone's words ("accuse" in "What did Rouhani accuse the
    United States of"): the question's frame, not its topic."""
    tokens = [(m.start(), m.end(), fold(m.group())) for m in _TOKEN.finditer(question)]
    at = _verb(tokens)
    end = next((e for s, e, _ in tokens if s == at), 0) if at is not None else 0
    return _Span(at or 0, end)


def _verb(plain: Sequence[tuple[int, int, str]]) -> int | None:
    """Where the verb that asks for someone's words is: the first after an auxiliary ("what
    did Biden *tell* Xi"), else the first not used as a noun ("on their April 2024 call")."""
    first_aux = next((i for i, (_, _, w) in enumerate(plain) if w in AUXILIARIES), None)
    if first_aux is not None:
        found = next((s for s, _, w in plain[first_aux:] if w in QUESTION_VERBS), None)
        if found is not None:
            return found
    for i, (start, _, word) in enumerate(plain):
        before = plain[i - 1][2] if i else ""
        if word in QUESTION_VERBS and before not in DETERMINERS and not before.isdigit():
            return start
    return None


def _joined(question: str, a: _Found, b: _Found) -> bool:
    """Only a space, a comma or "and" between two names: "Biden and Netanyahu"."""
    return re.fullmatch(r"[\s,]*(?:and\s+)?", question[a.end : b.start], re.I) is not None


def _title(text: str) -> str:
    """Role words written before a name: "President Biden" -> "president"."""
    titles = []
    for word in _TOKEN.findall(text):
        folded = fold(word).rstrip(".")
        if folded in ROLE_WORDS:
            titles.append(folded)
        else:
            break
    return " ".join(titles)


def _is_family(question: str, m: SpeakerMention) -> bool:
    """A surname in the plural ("the Bidens", "the Obamas"): the family speaks."""
    return bool(re.fullmatch(r"[^\W\d_]+s", m.text)) and bool(
        re.search(r"\bthe\s+$", question[: m.start], re.I)
    )


def _office_country(
    question: str, office: OfficeMention, countries: Sequence[CountryMention]
) -> CountryMention | None:
    """The country an office is of: "Japan's prime minister", "the British prime minister",
    "the Emir of Qatar", "prime minister of Japan"."""
    for c in countries:
        if office.start <= c.start and c.end <= office.end:
            return c
        gap = question[c.end : office.start]
        if c.end <= office.start and re.fullmatch(r"(?:['’]s?)?\s*", gap):
            return c
        gap = question[office.end : c.start]
        if office.end <= c.start and re.fullmatch(r"\s+of\s+(?:the\s+)?", gap, re.I):
            return c
    return None


_NAME_RUN = re.compile(
    r"(?<![\w’'])[A-Z][\w’'.-]*(?:\s+(?:(?:de|da|van|von|der|bin|al|el|la|le)\s+)*[A-Z][\w’'.-]*)+"
)


def _unknown_names(question: str, taken: Sequence[_Spanned]) -> tuple[str, ...]:
    """Runs of capitalised words that read as a person's name and are no one the corpus
    knows ("What did Biden say when Lou Conter ... died?"): people the question is about."""
    if is_shouting(question):
        return ()
    found = []
    for match in _NAME_RUN.finditer(question):
        words = match.group().split()
        while words and fold(words[0]).rstrip(".") in STOPWORDS | QUESTION_FRAME:
            words = words[1:]
        name = re.sub(r"['’]s?$", "", " ".join(words))
        span = _Span(match.end() - len(" ".join(words)), match.end())
        if len(name.split()) < 2 or any(_overlaps(span, t) for t in taken):
            continue
        if plausible_person(name):
            found.append(name)
    return tuple(found)


# --- when ----------------------------------------------------------------------------------

# "Writing in 2023: what did ... last year": relative dates count from that year's end.
_FRAME = re.compile(
    r"^\W*(?:writing|speaking|asking|as\s+of)\s+(?:in\s+)?(?P<year>(?:19|20)\d\d)\b[\s:,;-]*",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int


def _reference_day(question: str, today: dt.date) -> tuple[dt.date, _Span]:
    """The day relative dates count from, and the span of a frame that sets it."""
    frame = _FRAME.match(question)
    if frame is None:
        return today, _Span(0, 0)
    year = int(frame["year"])
    return min(today, dt.date(year, 12, 31)), _Span(frame.start(), frame.end())


EVENT_GAP_YEARS = 10
"""A year this long before the corpus's first statement can only be an event's."""
_VERB_REACH = 4
"""Words before "in <year>" that the verb it goes with is looked for in."""
_NEXT_WORDS = re.compile(r"\s*([^\W_][\w.’'-]*)")


def _is_event_year(question: str, date: DateMention, years: tuple[int, int] | None) -> bool:
    """Whether a year the question names is an event's, not the statements': long before the
    corpus begins; written before a noun that is not a statement or its occasion ("the
    1994 genocide", "Chile's 1973 coup", but "his 2024 speech", "the 2018 UN General
    Assembly"); after a noun with "of" ("the attack of 1939"); or after a verb of something
    done, not said ("the soldiers who landed in 1944", "joining the UN in 1973")."""
    if date.precision != "year" or date.since is None:
        return False
    year = date.since.year
    if years is not None and year < years[0] - EVENT_GAP_YEARS:
        return True
    at = date.text.find(str(year))
    if at < 0:
        return False
    at += date.start
    after = _NEXT_WORDS.match(question, at + 4)
    previous = re.search(r"([\w’'.]+)\s*$", question[:at])
    attributive = previous is not None and (
        fold(previous.group(1)) in DETERMINERS or re.search(r"['’]s?$", previous.group(1))
    )
    if after and question[at + 4 : after.start(1)].strip() == "":
        word = fold(after.group(1)).rstrip(".’'")
        written = after.group(1)
        noun = word and word not in STATEMENT_NOUNS and not word.isdigit()
        if noun and (attributive or (written[:1].isupper() and not is_shouting(question))):
            return True
    before = question[:at].rstrip()
    if re.search(r"\b(?!the\b)[a-z]+\s+of$", before, re.IGNORECASE) and not re.search(
        r"\b(?:" + "|".join(sorted(STATEMENT_NOUNS)) + r")\s+of$", before, re.IGNORECASE
    ):
        return True
    return _done_in(before)


def _names_a_day(question: str, date: DateMention) -> bool:
    """Whether a date without a year names a day as a thing ("the January 6th attack",
    "the anniversary of September 11", "the Fourth of July"), not when something was said
    ("in June", "on July 4")."""
    previous = re.search(r"([\w’'.]+)\s*$", question[: date.start])
    word = fold(previous.group(1)) if previous else ""
    return word in DETERMINERS or word == "of" or bool(re.search(r"['’]s?$", word))


def _done_in(before: str) -> bool:
    """ "... landed in" before a year: the nearest verb, within the clause, is of something
    done ("landed", "joining"), not said ("say ... in")."""
    if not re.search(r"\bin$", before, re.IGNORECASE):
        return False
    clause = re.split(r"[,;:.!?]", before)[-1]
    for word in reversed([fold(w) for w in _TOKEN.findall(clause)][:-1][-_VERB_REACH:]):
        if word in QUESTION_VERBS:
            return False
        if len(word) > 4 and word.endswith(("ed", "ing")):
            return True
    return False


class _Spanned(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


def _overlaps(a: _Spanned, b: _Spanned) -> bool:
    return a.start < b.end and b.start < a.end


# --- topic ---------------------------------------------------------------------------------

_FRAME_PHRASES = re.compile(
    r"\baccording\s+to\b"
    r"|\b(?:came|come|comes|coming)\s+up\b"
    r"|\b(?:on|during|in|at|after|before|from)\s+(?:their|the|a|his|her|its|this|that)\s+"
    r"(?:(?:phone|telephone|video|virtual|bilateral)\s+)?"
    r"(?:call|conversation|meeting|talks|discussion|exchange)s?\b"
    r"|\b(?:spoke|speak|speaks|speaking|talked|talk|met|meet|meets|meeting|call|calls)\s+"
    r"(?:by\s+(?:tele)?phone\s+)?with\b"
    r"|\bby\s+(?:tele)?phone\b|\bover\s+(?:time|the\s+(?:years|decades|months))\b"
    # Where it was said is not what it was about: "at the UN", "to the General Assembly".
    r"|\b(?:at|to|before|in|tell|told|address|addressed)\s+the\s+"
    r"(?:(?:UN|U\.N\.|United\s+Nations|UNGA)\b(?:\s+General\s+Assembly|\s+Security\s+Council)?"
    r"|General\s+Assembly|Security\s+Council)",
    re.IGNORECASE,
)
_TIMELINE = tuple(
    re.compile(p)
    for p in (
        r"\bover\s+(?:time|the\s+(?:years|decades|months|course\s+of))\b",
        r"\b(?:through|across|throughout)\s+the\s+years\b",
        r"\b(?:evolved|evolving|evolution|trajectory|timeline|chronolog\w*)\b",
        r"\bhow\s+(?:has|have|had)\b.*\b(?:changed|shifted|developed)\b",
        r"\bhow\s+did\b.*\b(?:change|shift|evolve)\b",
        r"\b(?:year\s+(?:by|to|after)\s+year|from\s+year\s+to\s+year)\b",
    )
)
_TOPIC_TOKEN = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")


def _topic_tokens(question: str, mentions: Sequence[_Spanned]) -> list[str]:
    """The question's words outside speakers, dates and frame, stopwords dropped; acronyms
    ("US", "WHO") are kept even when they spell a stopword."""
    shouting = is_shouting(question)
    removed = [(m.start, m.end) for m in mentions]
    removed += [m.span() for m in _FRAME_PHRASES.finditer(question)]
    kept: list[str] = []
    for m in _TOPIC_TOKEN.finditer(question):
        if any(m.start() < end and start < m.end() for start, end in removed):
            continue
        token = POSSESSIVE.sub("", m.group())
        acronym = _is_acronym(token) and not shouting
        if acronym or (content_terms(token) and fold(token) not in QUESTION_FRAME):
            kept.append(token)
    return kept


def _is_acronym(token: str) -> bool:
    letters = token.replace(".", "")
    return len(letters) >= 2 and letters.isalpha() and letters.isupper()


def _terms(tokens: list[str]) -> tuple[str, ...]:
    terms: dict[str, str] = {}
    for token in tokens:
        if _is_acronym(token):
            acronym = "".join(words(token))
            terms.setdefault(stem(acronym), acronym)
        else:
            for stemmed, word in content_terms(token).items():
                terms.setdefault(stemmed, word)
    return tuple(terms.values())
