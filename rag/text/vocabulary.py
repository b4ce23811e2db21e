"""Every word list the package reads text with, each once, loaded from rag/text/vocabulary/.

A list is data, not code: one file per list, a comment saying what it is for, words separated
by white space (a `map` file: one entry per line, the key first). Modules import the constants
below; none defines a word list of its own (tests/unit/test_vocabulary.py checks both).
"""

from __future__ import annotations

from importlib.resources import files

_FOLDER = files("rag.text") / "vocabulary"


def _entries(name: str) -> list[list[str]]:
    text = (_FOLDER / f"{name}.txt").read_text(encoding="utf-8")
    return [line.split() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def words(name: str) -> tuple[str, ...]:
    """The words of a list, in file order."""
    return tuple(word for line in _entries(name) for word in line)


def word_set(name: str) -> frozenset[str]:
    return frozenset(words(name))


def numbers(name: str) -> dict[str, int]:
    """A map file of `word value` lines."""
    return {key: int(value) for key, value in _entries(name)}


def pairs(name: str) -> dict[str, str]:
    """A map file of `word value` lines, values as written."""
    return {key: value for key, value in _entries(name)}


def table(name: str) -> dict[str, tuple[str, ...]]:
    """A map file of `key value value ...` lines: each key's values, in column order."""
    return {key: tuple(values) for key, *values in _entries(name)}


def phrases(name: str) -> tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]:
    """A map file of `KEY: phrase | phrase ; phrase | phrase` lines: a key, then two groups
    of phrases that may hold spaces (the second group may be left out)."""
    text = (_FOLDER / f"{name}.txt").read_text(encoding="utf-8")
    found = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, rest = line.partition(":")
        first, _, second = rest.partition(";")
        groups = [tuple(p.strip() for p in g.split("|") if p.strip()) for g in (first, second)]
        found.append((key.strip(), groups[0], groups[1]))
    return tuple(found)


def rows(name: str) -> tuple[tuple[str, ...], ...]:
    """A map file whose lines are groups: `september sept sep`."""
    return tuple(tuple(line) for line in _entries(name))


# -- words of any text
STOPWORDS = word_set("stopwords")
NEGATIONS = word_set("negations")
NEGATING_VERBS = word_set("negating_verbs")
NOT_NEGATIONS = word_set("not_negations")
"""Words after a negation that undo it: "not only", "no doubt"."""
ABBREVIATIONS = word_set("abbreviations")
CONNECTIVES = word_set("connectives")
SENTENCE_OPENERS = word_set("sentence_openers")
COMMON_WORDS = word_set("common_words")

# -- people: titles, roles and the parts of names
HONORIFICS = word_set("honorifics")
OFFICES = word_set("offices")
TITLES = HONORIFICS | OFFICES
RANKS = word_set("ranks")
"""Military and police ranks and their abbreviations ("Adm.", "Lt."): titles before a name."""
ROLE_WORDS = TITLES | word_set("role_phrase_words")
ROLE_HEADS = word_set("role_heads")
PORTFOLIOS = word_set("portfolios")
NAME_STOPS = word_set("name_stops")
NOT_NAME_WORDS = word_set("not_name_words")
NOT_NAME = NAME_STOPS | PORTFOLIOS | NOT_NAME_WORDS
"""Capitalised words that never start or continue a person's name."""
NAME_PARTICLES = word_set("name_particles")
GENERATIONAL_SUFFIXES = word_set("generational_suffixes")
REGNAL_NUMERALS = word_set("regnal_numerals")
NAME_SUFFIXES = GENERATIONAL_SUFFIXES | REGNAL_NUMERALS
NICKNAMES = pairs("nicknames")
ORGANISATION_NOUNS = word_set("organisation_nouns")
PLACE_PREFIXES = word_set("place_prefixes")
PLACE_OR_BODY_WORDS = word_set("place_or_body_words")
DEMONYM_ENDINGS = words("demonym_endings")
TITLE_MINOR_WORDS = word_set("title_minor_words")
OFFICE_BODIES = word_set("office_bodies")
NON_PERSON_WORDS = word_set("non_person_words") | NOT_NAME_WORDS | PLACE_OR_BODY_WORDS
GROUP_WORDS = word_set("group_words")
FEMALE_WORDS = word_set("female_words")
MALE_WORDS = word_set("male_words")
PRONOUNS = word_set("pronouns")
SPELLING_VARIANTS = pairs("spelling_variants")
COUNTRIES = phrases("countries")
"""ISO alpha-3 code, the country's names (the first is shown), its adjectives."""
_PUBLISHED = table("publishers")
PUBLISHERS = {host: name.replace("_", " ") for host, (name, _) in _PUBLISHED.items()}
"""Web host -> who publishes there: "whitehouse.gov" -> "The White House"."""
PUBLISHER_COUNTRIES = {host: code for host, (_, code) in _PUBLISHED.items() if code != "-"}
"""Web host -> the country whose government publishes there (ISO alpha-3)."""

# -- who said it: verbs of saying, quotations, transcripts, readouts
SPEECH_VERBS = words("speech_verbs")
INVERTING_SPEECH_VERBS = word_set("inverting_speech_verbs")
CLAUSE_OPENERS = word_set("clause_openers")
LABEL_STOPS = word_set("label_stops")
ANONYMOUS_SPEAKERS = word_set("anonymous_speakers")
NOT_LABELS = word_set("not_labels")
OCCASIONS = word_set("occasions")

# -- questions and answers
QUESTION_FRAME = word_set("question_frame")
QUESTION_VERBS = word_set("question_verbs") | frozenset(SPEECH_VERBS)
"""Verbs that ask for what someone said: "say", "told", "describe", "called"."""
STATEMENT_NOUNS = word_set("statement_nouns")
OFFICE_ISSUES = {office: group for office, group, _ in phrases("office_issues")}
"""Office -> the first words of titles of statements it issues in its own name."""
OFFICE_HOLDERS = tuple(
    (office, since, name.replace("_", " "))
    for since, (office, name) in table("office_holders").items()
)
"""(office, first day as ISO text, name): who held an office from which day."""
TOPIC_PREPOSITIONS = word_set("topic_prepositions")
AUXILIARIES = word_set("auxiliaries")
DETERMINERS = word_set("determiners")
MEETING_WORDS = word_set("meeting_words")
CLAIM_FRAME = word_set("claim_frame")
ANSWER_LEAD_INS = word_set("answer_lead_ins")
RELATIONS = rows("relations")
"""Groups of words that say the same relation: "agreed", "concurred"."""
NAMED_CONNECTORS = word_set("named_connectors") | NAME_PARTICLES
"""Lower-case words inside a name of a thing or place: "Republic of the Congo"."""

# -- instructions aimed at a model (rag/text/instructions.py)
INSTRUCTION_CUES = {row[0].rstrip(":"): frozenset(row[1:]) for row in rows("instruction_cues")}
"""Role -> words: addressee, meta, prior, directive, answering."""

# -- dates and numbers
MONTHS = rows("months")
"""Calendar order; each row is the full name, then its short forms."""
MONTH_NAMES = tuple(row[0] for row in MONTHS)
WEEKDAYS = words("weekdays")
SEASONS = numbers("seasons")
PERIOD_PARTS = numbers("period_parts")
OPEN_SINCE = word_set("open_since")
OPEN_UNTIL = word_set("open_until")
CARDINALS = numbers("cardinals")
ORDINALS = numbers("ordinals")
SCALES = numbers("scales")
NUMBER_LABELS = word_set("number_labels")
COUNT_NOUNS = word_set("count_nouns")
MULTIPLES = numbers("multiples")
TIME_SPANS = numbers("time_spans")
FRACTIONS = numbers("fractions")
RELATIVE_DAYS = numbers("relative_days")
DURATIONS = {unit: (int(size), base) for unit, (size, base) in table("durations").items()}
"""A unit of time -> (its size, the base unit it is counted in): "week" -> (168, "hour")."""
HEDGES = {phrase: key for key, group, _ in phrases("hedges") for phrase in group}
"""A word or phrase before a figure -> how the true figure may lie: "~", "<" or ">"."""

# -- reading claims against passages
_COUNTRY_ALIASES = {
    code: (*names, *nouns, *(f"{n}s" for n in nouns if not n.endswith("ese")))
    for code, names, nouns in phrases("country_aliases")
}
_BY_CODE = frozenset(code for code, _, _ in COUNTRIES)


def _country_forms(names: tuple[str, ...], adjectives: tuple[str, ...]) -> tuple[str, ...]:
    """A country's names, adjectives and the plural of adjectives that name its people too
    ("Kenyans", "Israelis", "Filipinos")."""
    plurals = tuple(f"{a}s" for a in adjectives if a.endswith(("an", "i", "o")))
    return (*names, *adjectives, *plurals)


COUNTRY_NAMES = tuple(
    _country_forms(names, adjectives) + _COUNTRY_ALIASES.get(code, ())
    for code, names, adjectives in COUNTRIES
) + tuple(forms for code, forms in _COUNTRY_ALIASES.items() if code not in _BY_CODE)
"""Each row: the forms of one country's (or body's) name, for the claim checks: countries.txt
and country_aliases.txt joined."""
OPPOSITES = rows("opposites")
"""Each row: a label ("up+", "up-"; rows with the same label stem are opposites), then words."""
