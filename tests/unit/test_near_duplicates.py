"""rag/ingest/near_duplicates.py: republished statements are found, look-alike ones are not.

The pairs are real White House records (tests/fixtures/near-duplicates.ndjson); the
threshold and date window they exercise were set in evals/near_duplicates.md.
"""

from __future__ import annotations

import json
import re

import pytest

from rag.errors import InputError
from rag.ingest.near_duplicates import (
    DEFAULT_THRESHOLD,
    PERMUTATIONS,
    DuplicateGroup,
    DuplicateIndex,
    Fingerprint,
    fingerprint,
    group_of,
    normalise,
    similarity,
)
from rag.types import DateSpan
from tests.unit.conftest import FIXTURES

Record = dict[str, str]
RECORDS: dict[str, Record] = {
    record["id"]: record
    for record in map(
        json.loads, (FIXTURES / "near-duplicates.ndjson").read_text(encoding="utf-8").splitlines()
    )
}


def record(ending: str) -> Record:
    """The fixture record whose id ends with `ending` (ids are long slugs)."""
    (found,) = [r for r_id, r in RECORDS.items() if r_id.endswith(ending)]
    return found


# Copies: the same statement posted twice.
MEDICATION_ABORTION = (
    "2023-02-24-readout-of-vice-president-harris-meeting-on-threats-to-medication-abortion",
    "2023-02-25-readout-of-vice-president-harris-meeting-on-threats-to-medication-abortion",
)
NEW_TITLE = (  # "Statement From President Biden" reissued as "... from President Joe Biden"
    "2024-11-14-statement-from-president-biden-on-a-record-20-million-new-business-applications",
    "2024-11-14-statement-from-president-joe-biden-on-a-record-20-million-new-business-applications",
)
PACT_ACT = (  # re-posted at the signing eight days later: new title, a headline, 7 small edits
    "2022-08-02-fact-sheet-pact-act-delivers-on-president-bidens-promise-to-americas-veterans",
    "2022-08-10-fact-sheet-president-biden-signs-the-pact-act-and-delivers-on-his-promise-to-"
    "americas-veterans",
)
COPIES = (MEDICATION_ABORTION, NEW_TITLE, PACT_ACT)

# Different statements that share most of their words.
LOOK_ALIKES = (
    (  # template call readouts, same day, different counterpart
        "2024-02-29-readout-of-president-bidens-call-with-amir-sheikh-tamim-bin-hamad-al-thani-of-"
        "qatar-8",
        "2024-02-29-readout-of-president-bidens-call-with-president-abdel-fattah-al-sisi-of-egypt-4",
    ),
    (  # one letter per country
        "2022-07-02-letter-to-certain-congressional-committees-on-the-kingdom-of-swedens-accession-"
        "to-the-north-atlantic-treaty-organization",
        "2022-07-02-letter-to-certain-congressional-committees-on-the-republic-of-finlands-accession-"
        "to-the-north-atlantic-treaty-organization",
    ),
    (  # two determinations, same day: solar modules vs transformers
        "solar-photovoltaic-modules-and-module-components",
        "transformers-and-electric-power-grid-components",
    ),
    (  # the physician's daily letters: one sentence and a link to a different PDF
        "2022-08-01-letter-from-dr-kevin-oconnor-president-biden-sars-cov-2-update-8",
        "2022-08-06-letter-from-dr-kevin-oconnor-president-biden-sars-cov-2-update-13",
    ),
    (  # disaster declarations a day apart, different state
        "2023-01-14-president-joseph-r-biden-jr-approves-california-disaster-declaration-3",
        "2023-01-15-president-joseph-r-biden-jr-approves-alabama-disaster-declaration-3",
    ),
    (  # routine nominations lists
        "2022-01-14-nominations-sent-to-the-senate-58",
        "2022-05-02-nominations-and-withdrawals-sent-to-the-senate-4",
    ),
)
# Word for word (or nearly) the same, but issued weeks or years apart for a new event.
REISSUES = (
    (  # the NSC's condemnation of two ICBM launches, 25 days apart
        "2023-02-18-statement-by-nsc-spokesperson-adrienne-watson-on-the-democratic-peoples-"
        "republic-of-koreas-icbm-test-2",
        "2023-03-15-statement-by-nsc-spokesperson-adrienne-watson-on-the-democratic-peoples-"
        "republic-of-koreas-icbm-test-3",
    ),
    (  # the yearly notice continuing the Lebanon emergency, 2022 and 2024
        "2022-07-28-notice-on-the-continuation-of-the-national-emergency-with-respect-to-lebanon-2",
        "2024-07-29-notice-on-the-continuation-of-the-national-emergency-with-respect-to-lebanon-3",
    ),
)


def date_of(r: Record) -> DateSpan:
    return DateSpan.parse(r["date"])


@pytest.fixture(scope="module")
def index() -> DuplicateIndex:
    built = DuplicateIndex()
    for r in RECORDS.values():
        built.add(r["id"], fingerprint(r["text"]), date_of(r))
    return built


def test_every_fixture_pair_is_used() -> None:
    named = {end for pair in COPIES + LOOK_ALIKES + REISSUES for end in pair}
    assert len(RECORDS) == len(named) == 22
    assert all(record(end) for end in named)


@pytest.mark.parametrize(("a", "b"), COPIES, ids=["consecutive-days", "new-title", "edited"])
def test_republished_copies_match(index: DuplicateIndex, a: str, b: str) -> None:
    first, second = record(a), record(b)
    found = index.matches(fingerprint(first["text"]), published=date_of(first), exclude=first["id"])
    assert [sid for sid, _ in found] == [second["id"]]
    assert found[0][1] >= DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    ("a", "b"),
    LOOK_ALIKES,
    ids=["call-readouts", "nato-letters", "dpa-memos", "physician", "disasters", "nominations"],
)
def test_look_alike_statements_do_not_match(index: DuplicateIndex, a: str, b: str) -> None:
    first, second = record(a), record(b)
    fp = fingerprint(first["text"])
    assert 0.3 < similarity(fp, fingerprint(second["text"])) < DEFAULT_THRESHOLD
    assert index.matches(fp, published=date_of(first), exclude=first["id"]) == []


@pytest.mark.parametrize(("a", "b"), REISSUES, ids=["dprk-launches", "yearly-notice"])
def test_the_same_words_issued_weeks_apart_are_not_copies(
    index: DuplicateIndex, a: str, b: str
) -> None:
    first, second = record(a), record(b)
    fp = fingerprint(first["text"])
    assert similarity(fp, fingerprint(second["text"])) >= DEFAULT_THRESHOLD
    assert index.matches(fp, published=date_of(first), exclude=first["id"]) == []
    without_dates = index.matches(fp, max_gap_days=None, exclude=first["id"])
    assert [sid for sid, _ in without_dates] == [second["id"]]


def test_a_corrected_sentence_still_matches(index: DuplicateIndex) -> None:
    original = record(MEDICATION_ABORTION[0])
    text, typos = re.subn("accessingcare", "accessing care", original["text"])
    text, rewrites = re.subn(
        r"They\s+emphasized\s+the\s+long-standing\s+safety and efficacy record",
        "They stressed the proven safety record",
        text,
    )
    assert typos == rewrites == 1
    found = index.matches(fingerprint(text), published=date_of(original))
    assert {sid for sid, _ in found} == {record(end)["id"] for end in MEDICATION_ABORTION}


def test_markup_and_wrapping_do_not_count() -> None:
    text = record(NEW_TITLE[0])["text"]
    dressed = (
        "<p>"
        + re.sub(r"\s+", "\n  ", text).replace("President", "[President](https://t.co/x?e=91)", 1)
        + "</p>\n\n\\###"
    )
    assert similarity(fingerprint(text), fingerprint(dressed)) == 1.0
    assert normalise("Día de los <u>Muertos</u> &amp; ### \\###") == [
        "dia",
        "de",
        "los",
        "muertos",
    ]


def test_a_bare_link_is_part_of_the_text() -> None:
    """The physician's letters differ only in the PDF they point to."""
    assert "pdf" in normalise(record(LOOK_ALIKES[3][0])["text"])


def test_matches_are_best_first() -> None:
    base = record(PACT_ACT[0])["text"]
    index = DuplicateIndex()
    index.add("edited", fingerprint(record(PACT_ACT[1])["text"]))
    index.add("same", fingerprint(base))
    index.add("unrelated", fingerprint(record(NEW_TITLE[0])["text"]))
    found = index.matches(fingerprint(base))
    assert [sid for sid, _ in found] == ["same", "edited"]
    assert found[0][1] == 1.0 > found[1][1]


def test_remove_forgets_a_statement() -> None:
    a, b = (record(end) for end in MEDICATION_ABORTION)
    index = DuplicateIndex()
    index.add(a["id"], fingerprint(a["text"]))
    index.add(b["id"], fingerprint(b["text"]))
    fp = fingerprint(a["text"])
    index.remove(b["id"])
    assert [sid for sid, _ in index.matches(fp, exclude=a["id"])] == []
    assert b["id"] not in index and len(index) == 1
    index.remove(b["id"])  # removing twice is harmless
    index.remove(a["id"])
    assert index.matches(fp) == [] and len(index) == 0
    assert index.candidates(fp) == set()


def test_add_replaces_a_statement_s_fingerprint() -> None:
    a, b = (record(end) for end in MEDICATION_ABORTION)
    index = DuplicateIndex()
    index.add(b["id"], fingerprint(b["text"]))
    index.add(b["id"], fingerprint(record(NEW_TITLE[0])["text"]))  # the statement was edited
    assert index.matches(fingerprint(a["text"])) == []


def test_fingerprint_round_trips_through_its_string() -> None:
    fp = fingerprint(record(PACT_ACT[0])["text"])
    stored = fp.to_string()
    assert stored.isascii() and len(stored) < 700
    assert Fingerprint.from_string(stored) == fp
    assert len(fp.values()) == PERMUTATIONS
    assert Fingerprint.from_string(fingerprint("").to_string()).is_empty


@pytest.mark.parametrize("stored", ["mh1:not base64!", "mh0:AAAA", "mh1:AAAA", "AAAA"])
def test_a_damaged_string_is_an_input_error(stored: str) -> None:
    with pytest.raises(InputError):
        Fingerprint.from_string(stored)


def test_fingerprints_are_deterministic_and_short_texts_work() -> None:
    assert fingerprint("Thank you.") == fingerprint("THANK   you!")
    assert similarity(fingerprint("Thank you."), fingerprint("Thank you all.")) < 1.0
    empty = fingerprint("### \\###")
    assert empty.is_empty and similarity(empty, empty) == 0.0
    index = DuplicateIndex()
    index.add("empty", empty)
    assert index.matches(empty) == []


def test_groups_cite_the_first_published_copy(index: DuplicateIndex) -> None:
    groups = index.groups()
    assert groups == [
        DuplicateGroup(record(PACT_ACT[0])["id"], (record(PACT_ACT[1])["id"],)),
        DuplicateGroup(
            record(MEDICATION_ABORTION[0])["id"], (record(MEDICATION_ABORTION[1])["id"],)
        ),
        DuplicateGroup(record(NEW_TITLE[0])["id"], (record(NEW_TITLE[1])["id"],)),
    ]


def test_group_of_prefers_the_earliest_date_then_the_shortest_id() -> None:
    dates = {
        "later": DateSpan.parse("2023-02-25"),
        "earlier-2": DateSpan.parse("2023-02-24"),
        "earlier": DateSpan.parse("2023-02-24"),
        "undated": None,
    }
    assert group_of(["undated", "later", "earlier-2", "earlier"], dates) == DuplicateGroup(
        "earlier", ("earlier-2", "later", "undated")
    )
    assert group_of(["b", "a"], {}) == DuplicateGroup("a", ("b",))
    with pytest.raises(ValueError):
        group_of([], dates)
