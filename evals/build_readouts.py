"""Build the White House readouts suite and its corpus from the shared statements file.

Answerable cases are made mechanically from readout titles and dates ("Readout of President Biden's
Call with President William Ruto of Kenya", 2023-10-03 -> "What did President Biden and President
William Ruto of Kenya discuss on their call on 3 October 2023?"). Unanswerable cases name a real
pair on a date with no readout of that pair within 60 days, or a counterpart whose name occurs
nowhere in the source file. The corpus is every gold statement plus random other statements, copied
verbatim. Everything is drawn from one seeded generator, so a rebuild gives the same bytes.

    python evals/build_readouts.py [--data ../shared/data/whitehouse/statements.jsonl.gz]
        [--cases 300] [--distractors 2700] [--seed 13]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_DATA = EVALS_DIR.parent.parent / "shared" / "data" / "whitehouse" / "statements.jsonl.gz"
SUITE_PATH = EVALS_DIR / "readouts.jsonl"
CORPUS_PATH = EVALS_DIR / "corpora" / "readouts.jsonl.gz"

DATE_MISSES = 25
ABSENT_COUNTERPARTS = 25
MISS_WINDOW_DAYS = 60
PAIR_MARGIN_DAYS = 120
# must_include is matched as a substring of the answer: "Ali", "Han" would match "quality", "than".
MIN_MUST_INCLUDE = 4
# Counterparts that never occur in the source are asked about while all of them held office.
ABSENT_SINCE, ABSENT_UNTIL = dt.date(2021, 3, 1), dt.date(2022, 12, 31)
ABSENT_ASKERS = (
    "President Biden",
    "Vice President Harris",
    "National Security Advisor Jake Sullivan",
)

EVENTS = {
    "call": "call",
    "phone call": "call",
    "telephone call": "call",
    "video call": "call",
    "secure video call": "call",
    "meeting": "meeting",
    "virtual meeting": "meeting",
    "bilateral meeting": "meeting",
    "pull aside": "meeting",
    "pull-aside": "meeting",
}
_EVENT = "|".join(sorted((re.escape(e) for e in EVENTS), key=len, reverse=True))
_TITLE = re.compile(
    rf"^Readout (?:by NSC Spokesperson [A-Z][\w.]*(?: [A-Z][\w.]*)* )?(?:of|from) "
    rf"(?P<a>[A-Z].*?)(?:'s |' | )(?P<event>{_EVENT}) with (?P<b>.+)$",
    re.IGNORECASE,
)
# Trailing phrases of a counterpart that are about the occasion, not the person.
_TRAILING = re.compile(
    r"(?:,| on | in | at | during | ahead of | following | to discuss | regarding | about ).*$"
)
ASKER_OFFICES = (
    "President",
    "Vice President",
    "National Security Advisor",
    "Principal Deputy National Security Advisor",
    "Deputy National Security Advisor",
    "First Lady",
    "Second Gentleman",
)
OFFICE_WORDS = frozenset(
    """president vice prime minister deputy chancellor king queen crown prince princess emir amir
    sultan secretary secretary-general general governor governor-general mayor senator speaker
    leader premier taoiseach pope chairman chair chairwoman director director-general chief
    commissioner foreign defense defence finance trade majesty highness holiness his her
    president-elect prime-minister-designate ambassador advisor adviser national security state
    affairs member politburo head representative envoy minister-president grand duke""".split()
)
GROUP_WORDS = frozenset(
    """leaders ceos members counterparts officials delegation delegations governors mayors
    senators representatives advocates group caucus team executives students ministers
    presidents partners families workers organizations advisors legislators secretariat""".split()
)
COUNTRIES_WITH_AND = (
    "Great Britain and Northern Ireland",
    "Trinidad and Tobago",
    "Antigua and Barbuda",
    "Bosnia and Herzegovina",
    "Saint Kitts and Nevis",
    "Saint Vincent and the Grenadines",
)
NAME_PARTICLES = frozenset("bin bint ibn al el von der de da del van la le du dos di".split())
NAME_SUFFIXES = frozenset("jr jr. sr sr. ii iii iv v vi".split())
MONTHS = (
    "January February March April May June July August September October November December"
).split()

ANSWERABLE_TEMPLATES = (
    "What did {a} and {b} discuss {at} their {kind} {when}?",
    "What was discussed during {a}'s {kind} with {b} {when}?",
    "According to the White House, what did {a} and {b} talk about during their {kind} {when}?",
    "What came up when {a} {verb} {b} {when}?",
)
VERBS = {"call": "spoke by phone with", "meeting": "met with"}
PREPOSITIONS = {"call": "on", "meeting": "at"}

# Counterparts for questions that cannot be answered from the source: real leaders of countries
# whose name the statements never mention, and invented ministers of real countries. Each is
# checked against the whole source file before use; failures are skipped.
ABSENT = (
    "Prince Albert II of Monaco",
    "Foreign Minister Halvard Lindqvist of Sweden",
    "King Tupou VI of Tonga",
    "Defence Minister Pieter Vanderkamp of the Netherlands",
    "Prime Minister Robert Abela of Malta",
    "Finance Minister Katarzyna Wolańska of Poland",
    "President Yoweri Museveni of Uganda",
    "Foreign Minister Aurelio Bastianelli of Italy",
    "Prime Minister Xavier Espot Zamora of Andorra",
    "Trade Minister Hiroto Kameyama of Japan",
    "President Ismaïl Omar Guelleh of Djibouti",
    "Interior Minister Joaquín Arrabal Quesada of Spain",
    "President Alassane Ouattara of Côte d'Ivoire",
    "Foreign Minister Ama Owusu-Boakye of Ghana",
    "King Mswati III of Eswatini",
    "Energy Minister Oskar Vellamo of Finland",
    "President Abdelmadjid Tebboune of Algeria",
    "Foreign Minister Ilse Brandauer of Austria",
    "President Wavel Ramkalawan of Seychelles",
    "Health Minister Mateus Coutinho Ramalho of Brazil",
    "Prime Minister Pravind Jugnauth of Mauritius",
    "Foreign Minister Daniyar Serikbayev of Kazakhstan",
    "Sultan Hassanal Bolkiah of Brunei",
    "Defense Minister Chaiwat Somboonsak of Thailand",
    "President Azali Assoumani of the Comoros",
    "Foreign Minister Lucía Echeverri Montoya of Colombia",
    "President Faustin-Archange Touadéra of the Central African Republic",
    "Trade Minister Arjun Raghavachari of India",
    "Prime Minister Xavier Bettel of Luxembourg",
    "Finance Minister Rutendo Chikowore of Zimbabwe",
)


@dataclass(frozen=True, slots=True)
class Source:
    line: str
    """The record's line in the source file, copied into the corpus unchanged."""
    id: str
    title: str
    date: dt.date
    text: str
    folded: str
    """Title and text, folded for whole-word search."""


@dataclass(frozen=True, slots=True)
class Readout:
    asker: str
    """The White House side, e.g. "President Biden"."""
    counterpart: str
    """The other side, e.g. "President William Ruto of Kenya"."""
    kind: str
    asker_key: str
    """Lowercase surname of each side (the longest part of a hyphenated one, "al-sisi" -> "sisi"):
    what identifies the pair across the variants of its titles."""
    counterpart_key: str
    surname: str


def fold(text: str) -> str:
    """Lowercase without diacritics, so "Vučić" and "Vucic" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def mentions(word: str, folded: str) -> bool:
    """Whether `word` occurs in the folded text as a whole word, ignoring case and diacritics."""
    key = fold(word)
    return key in folded and re.search(rf"(?<!\w){re.escape(key)}(?!\w)", folded) is not None


def _surname(name_words: list[str]) -> str | None:
    words = [w for w in name_words if w.lower() not in NAME_SUFFIXES]
    return words[-1] if words and words[-1][:1].isupper() else None


def parse_asker(asker: str) -> str | None:
    """The asker's surname, when the asker is one named office holder."""
    asker = asker.strip().rstrip(",")
    if "'" in asker:
        return None
    office = next(
        (o for o in sorted(ASKER_OFFICES, key=len, reverse=True) if asker.startswith(o + " ")), None
    )
    if office is None:
        return None
    words = asker[len(office) :].replace(",", " ").split()
    if not words or any(not (w[:1].isupper() or w.lower() in NAME_SUFFIXES) for w in words):
        return None
    return _surname(words)


def parse_counterpart(counterpart: str) -> tuple[str, str] | None:
    """(the counterpart as asked about, their surname), when it is one named person."""
    counterpart = _TRAILING.sub("", counterpart).strip()
    person, _, place = counterpart.partition(" of ")
    if place and not (place[:1].isupper() or place.startswith("the ")):
        return None
    if any(mark in person for mark in "&/:"):
        return None
    if " and " in counterpart and not any(c in place for c in COUNTRIES_WITH_AND):
        return None
    words = person.split()
    if not words or words[0].lower() == "the":
        return None
    offices = [i for i, w in enumerate(words) if w.lower() in OFFICE_WORDS]
    if not offices or offices[0] > 2:
        return None
    name = words[offices[-1] + 1 :]
    if not name or any(w.lower() in GROUP_WORDS for w in name):
        return None
    if any(not (w[:1].isupper() or w.lower().split("-")[0] in NAME_PARTICLES) for w in name):
        return None
    surname = _surname(name)
    return (counterpart, surname) if surname else None


def parse_title(title: str) -> Readout | None:
    """A readout of one office holder's call or meeting with one named person, else None."""
    plain = re.sub(r"\s+", " ", title.replace("\u2019", "'").replace("\u2018", "'")).strip()
    match = _TITLE.match(plain)
    if match is None:
        return None
    asker = match["a"].strip().rstrip(",")
    asker_key = parse_asker(asker)
    parsed = parse_counterpart(match["b"])
    if asker_key is None or parsed is None:
        return None
    counterpart, surname = parsed
    return Readout(
        asker=asker,
        counterpart=counterpart,
        kind=EVENTS[match["event"].lower()],
        asker_key=fold(asker_key),
        counterpart_key=max(fold(surname).split("-"), key=len),
        surname=surname,
    )


def read_source(path: Path) -> list[Source]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        records = [(line.rstrip("\n"), json.loads(line)) for line in lines if line.strip()]
    return [
        Source(
            line,
            r["id"],
            r["title"],
            dt.date.fromisoformat(r["date"]),
            r["text"],
            fold(f"{r['title']}\n{r['text']}"),
        )
        for line, r in records
    ]


def is_readout(source: Source) -> bool:
    return source.title.lower().startswith("readout")


def pair_dates(sources: Iterable[Source], asker_key: str, counterpart_key: str) -> list[dt.date]:
    """Dates of every readout that names both sides, and of every statement whose title does."""
    dates = []
    for s in sources:
        title = fold(s.title)
        if is_readout(s):
            named = mentions(asker_key, s.folded) and mentions(counterpart_key, s.folded)
        else:
            named = mentions(asker_key, title) and mentions(counterpart_key, title)
        if named:
            dates.append(s.date)
    return dates


def spoken_date(date: dt.date, style: int) -> str:
    if style == 0:
        return f"on {date.day} {MONTHS[date.month - 1]} {date.year}"
    if style == 1:
        return f"on {MONTHS[date.month - 1]} {date.day}, {date.year}"
    return f"in {MONTHS[date.month - 1]} {date.year}"


def question(readout: Readout, when: str, template: str) -> str:
    return template.format(
        a=readout.asker,
        b=readout.counterpart,
        kind=readout.kind,
        verb=VERBS[readout.kind],
        at=PREPOSITIONS[readout.kind],
        when=when,
    )


def answerable_cases(
    sources: list[Source], count: int, rng: random.Random
) -> tuple[list[dict[str, object]], list[Readout], set[str]]:
    readouts = [(s, parse_title(s.title)) for s in sources if is_readout(s)]
    groups: dict[tuple[str, dt.date], list[Source]] = defaultdict(list)
    parsed: dict[tuple[str, dt.date], Readout] = {}
    for source, readout in readouts:
        if readout is not None:
            key = (re.sub(r"\s+", " ", source.title.replace("\u2019", "'")).casefold(), source.date)
            groups[key].append(source)
            parsed[key] = readout
    # Two different readouts of one pair and kind on one day would make the question ambiguous.
    same_day: dict[tuple[str, str, str, dt.date], int] = defaultdict(int)
    for (_, date), readout in parsed.items():
        same_day[(readout.asker_key, readout.counterpart_key, readout.kind, date)] += 1
    keys = sorted(
        key
        for key, readout in parsed.items()
        if same_day[(readout.asker_key, readout.counterpart_key, readout.kind, key[1])] == 1
    )
    chosen = sorted(rng.sample(keys, min(count, len(keys))), key=lambda k: (k[1], k[0]))
    cases: list[dict[str, object]] = []
    for number, key in enumerate(chosen, start=1):
        readout, gold = parsed[key], groups[key]
        date = key[1]
        style = rng.randrange(3)
        if style == 2:
            dates = set(pair_dates(sources, readout.asker_key, readout.counterpart_key))
            if sum(1 for d in dates if (d.year, d.month) == (date.year, date.month)) != 1:
                style = rng.randrange(2)
        template = ANSWERABLE_TEMPLATES[rng.randrange(len(ANSWERABLE_TEMPLATES))]
        name = readout.surname.lower()
        named = len(name) >= MIN_MUST_INCLUDE and any(name in s.text.lower() for s in gold)
        cases.append(
            {
                "id": f"readouts-{number:03d}",
                "question": question(readout, spoken_date(date, style), template),
                "answerable": True,
                "gold_doc_ids": [s.id for s in gold],
                "must_include": [name] if named else [],
                "reference_answer": None,
                "gold_quotes": [],
            }
        )
    gold_ids = {s.id for key in chosen for s in groups[key]}
    return cases, [parsed[key] for key in chosen], gold_ids


def unanswerable(case_id: str, text: str) -> dict[str, object]:
    return {
        "id": case_id,
        "question": text,
        "answerable": False,
        "gold_doc_ids": [],
        "must_include": [],
        "reference_answer": None,
        "gold_quotes": [],
    }


def date_miss_cases(
    sources: list[Source], pairs: list[Readout], rng: random.Random
) -> list[dict[str, object]]:
    """A real pair, on a date with no readout of that pair within MISS_WINDOW_DAYS.

    The date stays within PAIR_MARGIN_DAYS of readouts titled with the same counterpart (and
    within the asker's term), so both most likely held those offices then: the question is wrong
    only about the date.
    """
    tenure: dict[str, list[dt.date]] = defaultdict(list)
    titled: dict[tuple[str, str], list[dt.date]] = defaultdict(list)
    for s in sources:
        readout = parse_title(s.title) if is_readout(s) else None
        if readout is not None:
            tenure[readout.asker_key].append(s.date)
            titled[(readout.asker_key, readout.counterpart)].append(s.date)
    unique = list({(p.asker, p.counterpart, p.kind): p for p in pairs}.values())
    rng.shuffle(unique)
    window = dt.timedelta(days=MISS_WINDOW_DAYS)
    cases: list[dict[str, object]] = []
    for readout in unique:
        if len(cases) == DATE_MISSES:
            break
        known = pair_dates(sources, readout.asker_key, readout.counterpart_key)
        margin = dt.timedelta(days=PAIR_MARGIN_DAYS)
        anchors = titled[(readout.asker_key, readout.counterpart)]
        first = max(min(tenure[readout.asker_key]), min(anchors) - margin)
        last = min(max(tenure[readout.asker_key]), max(anchors) + margin)
        for _ in range(20):
            date = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
            if all(abs(date - d) > window for d in known):
                break
        else:
            continue
        template = ANSWERABLE_TEMPLATES[rng.randrange(len(ANSWERABLE_TEMPLATES))]
        cases.append(
            unanswerable(
                f"readouts-nodate-{len(cases) + 1:02d}",
                question(readout, spoken_date(date, rng.randrange(2)), template),
            )
        )
    return cases


def absent_cases(sources: list[Source], rng: random.Random) -> list[dict[str, object]]:
    """A real asker with a counterpart whose name occurs nowhere in the source file."""
    everything = "\n".join(s.folded for s in sources)
    cases: list[dict[str, object]] = []
    for counterpart in ABSENT:
        if len(cases) == ABSENT_COUNTERPARTS:
            break
        parsed = parse_counterpart(counterpart)
        assert parsed is not None, f"cannot parse {counterpart!r}"
        person = counterpart.partition(" of ")[0]
        offices = [i for i, w in enumerate(person.split()) if w.lower() in OFFICE_WORDS]
        name = " ".join(person.split()[offices[-1] + 1 :])
        if fold(name) in everything or mentions(parsed[1], everything):
            continue
        asker = ABSENT_ASKERS[rng.randrange(len(ABSENT_ASKERS))]
        readout = Readout(asker, counterpart, rng.choice(("call", "meeting")), "", "", parsed[1])
        span = (ABSENT_UNTIL - ABSENT_SINCE).days
        date = ABSENT_SINCE + dt.timedelta(days=rng.randrange(span + 1))
        template = ANSWERABLE_TEMPLATES[rng.randrange(len(ANSWERABLE_TEMPLATES))]
        cases.append(
            unanswerable(
                f"readouts-absent-{len(cases) + 1:02d}",
                question(readout, spoken_date(date, rng.randrange(3)), template),
            )
        )
    return cases


def write_corpus(path: Path, sources: list[Source]) -> None:
    """Gzip with no name or time in the header, so the same corpus gives the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = "".join(s.line + "\n" for s in sources).encode("utf-8")
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
        out.write(payload)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cases", type=int, default=300, help="answerable cases")
    parser.add_argument("--distractors", type=int, default=2700, help="non-gold statements")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sources = read_source(args.data)
    answerable, pairs, gold = answerable_cases(sources, args.cases, rng)
    declined = date_miss_cases(sources, pairs, rng) + absent_cases(sources, rng)
    others = [s.id for s in sources if s.id not in gold]
    distractors = set(rng.sample(others, min(args.distractors, len(others))))
    corpus = [s for s in sources if s.id in gold or s.id in distractors]
    SUITE_PATH.write_text(
        "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in answerable + declined),
        encoding="utf-8",
    )
    write_corpus(CORPUS_PATH, corpus)
    readouts = sum(1 for s in corpus if is_readout(s))
    print(f"cases: {len(answerable)} answerable, {len(declined)} unanswerable -> {SUITE_PATH}")
    print(f"  with must_include: {sum(1 for c in answerable if c['must_include'])}")
    print(
        f"corpus: {len(corpus)} statements ({len(gold)} gold, {len(distractors)} distractors, "
        f"{readouts} readouts), {CORPUS_PATH.stat().st_size / 1e6:.1f} MB -> {CORPUS_PATH}"
    )


if __name__ == "__main__":
    main()
