"""rag/people/speaker_index.py: speaker names stored on statements and passages, grouped into
people."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from rag.people.attribution import attribute
from rag.people.speaker_index import SpeakerEntry, SpeakerIndex
from rag.text.sentences import split_sentences
from rag.types import Statement
from tests.unit.conftest import FIXTURES

# Raw names as the corpora give them (UN speaker fields, White House titles and transcript
# labels after rag.people.attribution), with made-up but plausible counts.
STATEMENTS = {
    "Joe Biden": 500,
    "Joseph R. Biden Jr.": 150,
    "Joseph R. Biden, Jr": 1,
    "Biden": 300,
    "Jill Biden": 60,
    "William Ruto": 12,
    "William Samoei Ruto": 3,
    "Mr. William Ruto": 1,
    "Ruto": 2,
    "Abdullah II ibn Al Hussein": 3,
    "Abdullah II": 1,
    "Abdullah Shahid": 1,
    "Fumio Kishida": 20,
    "Kishida Fumio": 2,
    "Kishida": 5,
    "Volodymyr Zelenskyy": 5,
    "Mr. Volodymyr Zelenskyy": 2,
    "Donald J. Trump": 115,
    "Trump": 40,
    "Melania Trump": 54,
    "The Chair": 4,
}
PASSAGES = {"Ruto": 30, "William Ruto": 80, "Biden": 900, "Jill Biden": 100, "Ted Cruz": 6}


@pytest.fixture(scope="module")
def index() -> SpeakerIndex:
    return SpeakerIndex.build(STATEMENTS, PASSAGES)


def canonicals(entries: tuple[SpeakerEntry, ...]) -> tuple[str, ...]:
    return tuple(e.canonical for e in entries)


def entry(index: SpeakerIndex, canonical: str) -> SpeakerEntry:
    return next(e for e in index.entries() if e.canonical == canonical)


# ---- grouping -------------------------------------------------------------------------------


def test_every_form_of_ruto_is_one_person(index: SpeakerIndex) -> None:
    ruto = entry(index, "William Samoei Ruto")  # the fullest form

    assert index.variants(ruto) == (
        "Mr. William Ruto",
        "Ruto",
        "William Ruto",
        "William Samoei Ruto",
    )
    assert ruto.statements == 12 + 3 + 1 + 2
    assert ruto.passages == 30 + 80
    assert {"Ruto", "William Ruto", "Mr. William Ruto"} <= set(ruto.aliases)


def test_a_nickname_and_a_suffix_do_not_split_a_person(index: SpeakerIndex) -> None:
    biden = entry(index, "Joe Biden")  # as full as "Joseph R. Biden Jr.", and named more

    assert index.variants(biden) == (
        "Biden",
        "Joe Biden",
        "Joseph R. Biden Jr.",
        "Joseph R. Biden, Jr",
    )
    assert biden.statements == 500 + 150 + 1 + 300


def test_conflicting_given_names_are_different_people(index: SpeakerIndex) -> None:
    assert index.variants(entry(index, "Jill Biden")) == ("Jill Biden",)
    assert index.variants(entry(index, "Abdullah Shahid")) == ("Abdullah Shahid",)
    assert index.variants(entry(index, "Abdullah II ibn Al Hussein")) == (
        "Abdullah II",
        "Abdullah II ibn Al Hussein",
    )


def test_a_bare_surname_goes_to_whoever_is_named_most(index: SpeakerIndex) -> None:
    assert "Trump" in index.variants(entry(index, "Donald J. Trump"))
    assert index.variants(entry(index, "Melania Trump")) == ("Melania Trump",)
    assert "Biden" not in index.variants(entry(index, "Jill Biden"))


def test_family_name_first_is_the_same_person(index: SpeakerIndex) -> None:
    kishida = entry(index, "Fumio Kishida")

    assert index.variants(kishida) == ("Fumio Kishida", "Kishida", "Kishida Fumio")


def test_entries_come_most_statements_first(index: SpeakerIndex) -> None:
    counts = [e.statements for e in index.entries()]

    assert counts == sorted(counts, reverse=True)
    assert index.entries()[0].canonical == "Joe Biden"
    assert entry(index, "Ted Cruz").statements == 0  # only quoted in passages


def test_the_same_counts_give_the_same_index_in_any_order() -> None:
    names = list(STATEMENTS.items())
    random.Random(3).shuffle(names)
    shuffled = SpeakerIndex.build(dict(names), dict(reversed(list(PASSAGES.items()))))
    original = SpeakerIndex.build(STATEMENTS, PASSAGES)

    assert shuffled.entries() == original.entries()
    assert shuffled.aliases() == original.aliases()


# ---- resolving what a user writes -----------------------------------------------------------


@pytest.mark.parametrize(
    "wanted",
    ["Ruto", "President Ruto", "william ruto", "WILLIAM SAMOEI RUTO", "Mr. William Ruto", "Rutto"],
)
def test_resolve_finds_ruto_however_he_is_written(index: SpeakerIndex, wanted: str) -> None:
    assert canonicals(index.resolve(wanted)) == ("William Samoei Ruto",)


def test_resolve_lists_every_fitting_person_best_first(index: SpeakerIndex) -> None:
    assert canonicals(index.resolve("Biden")) == ("Joe Biden", "Jill Biden")
    assert canonicals(index.resolve("President Joseph R. Biden")) == ("Joe Biden",)
    assert canonicals(index.resolve("Jill")) == ("Jill Biden",)
    assert canonicals(index.resolve("Zelensky")) == ("Volodymyr Zelenskyy",)  # close spelling


@pytest.mark.parametrize("wanted", ["Obama", "", "   ", "Rubio"])
def test_resolve_misses_people_not_in_the_corpus(index: SpeakerIndex, wanted: str) -> None:
    assert index.resolve(wanted) == ()


def test_aliases_find_speakers_named_in_a_question(index: SpeakerIndex) -> None:
    aliases = index.aliases()

    assert aliases["ruto"] == ("William Samoei Ruto",)
    assert aliases["william ruto"] == ("William Samoei Ruto",)
    assert aliases["biden"] == ("Joe Biden",)
    assert aliases["kishida"] == ("Fumio Kishida",)
    assert "chair" not in aliases  # a role is not a surname


# ---- built from attributed fixtures ---------------------------------------------------------


def test_index_of_the_attributed_fixtures(fixture_statements: tuple[Statement, ...]) -> None:
    records = [(s.text, s.title, s.speaker) for s in fixture_statements]
    for name in ("remarks-sample.ndjson", "qmsum-sample.ndjson", "statements-sample.ndjson"):
        for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            records.append((record["text"], record.get("title"), record.get("speaker")))
    statements: Counter[str] = Counter()
    passages: Counter[str] = Counter()
    for text, title, speaker in records:
        spans = [(s.start, s.end) for s in split_sentences(text)]
        result = attribute(text, title, speaker, spans)
        statements.update(result.statement_speakers)
        passages.update(name for names in result.passage_speakers for name in names)

    index = SpeakerIndex.build(statements, passages)

    (ruto,) = index.resolve("President Ruto")
    assert ruto.canonical == "William Samoei Ruto"
    assert index.variants(ruto) == ("William Ruto", "William Samoei Ruto")
    assert canonicals(index.resolve("Biden")) == ("Joe Biden",)
    assert set(index.variants(index.resolve("Biden")[0])) == {
        "Biden",
        "Joe Biden",
        "Joseph R. Biden Jr.",
    }
    assert canonicals(index.resolve("Trudeau")) == ("Justin Trudeau",)
    assert canonicals(index.resolve("Jean-Pierre")) == ("Karine Jean-Pierre",)


def test_a_misspelt_or_transliterated_name_is_the_same_person() -> None:
    index = SpeakerIndex.build(
        {"Jacinda Ardern": 3, "Jacinda Arden": 1, "Sergei Lavrov": 2, "Sergey Lavrov": 1},
        {"Jacinda Ardern": 60, "Jacinda Arden": 21, "Sergei Lavrov": 40, "Sergey Lavrov": 25},
    )
    (ardern,) = index.resolve("Ardern")
    assert {"Jacinda Ardern", "Jacinda Arden"} <= set(ardern.aliases)
    (lavrov,) = index.resolve("Lavrov")
    assert {"Sergei Lavrov", "Sergey Lavrov"} <= set(lavrov.aliases)


def test_a_surname_alone_joins_the_person_whose_office_it_is_written_with() -> None:
    """Melania Trump has more statements here; "Trump" of "Remarks by President Trump" is
    still not her."""
    counts = {"Melania Trump": 9, "Donald J. Trump": 2, "Trump": 5}
    offices = {"Trump": ["president"], "Melania Trump": ["first lady"]}
    index = SpeakerIndex.build(counts, counts, offices)
    donald = index.entry("Donald J. Trump")
    assert donald is not None and "Trump" in donald.aliases
    melania = index.entry("Melania Trump")
    assert melania is not None and "Trump" not in melania.aliases


def test_places_groups_and_roles_are_no_one_in_the_index() -> None:
    index = SpeakerIndex.build(
        {"New York": 1, "Asian American": 2, "The Vice President": 3, "Kamala Harris": 4}, {}
    )
    assert [e.canonical for e in index.entries()] == ["Kamala Harris"]


def test_a_hyphenated_title_does_not_split_a_person() -> None:
    """Readouts write "Secretary-General Guterres" and "UN Secretary-General António
    Guterres", UN pages "Antonio Guterres": one person, whom "the Secretary-General"'s
    surname finds."""
    counts = {
        "Secretary-General Guterres": 3,
        "UN Secretary-General António Guterres": 2,
        "Antonio Guterres": 5,
        "Vice-President Kamala Harris": 1,
        "Kamala Harris": 4,
    }
    index = SpeakerIndex.build(counts, counts)
    assert [e.canonical for e in index.resolve("Guterres")] == ["Antonio Guterres"]
    assert [e.canonical for e in index.resolve("Secretary-General Guterres")] == [
        "Antonio Guterres"
    ]
    assert [e.canonical for e in index.resolve("Kamala Harris")] == ["Kamala Harris"]
    assert len(index.entries()) == 2
