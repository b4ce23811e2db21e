"""rag/people/quotes.py: direct quotations and who the text says spoke them, on real statements."""

from __future__ import annotations

import json

import pytest

from rag.people.quotes import MIN_WORDS, Quote, find_quotes
from rag.types import Statement
from tests.unit.conftest import FIXTURES

Record = dict[str, str]


def _records() -> dict[str, Record]:
    lines = (FIXTURES / "quotes-sample.ndjson").read_text(encoding="utf-8").splitlines()
    return {record["id"]: record for record in map(json.loads, lines)}


RECORDS = _records()


def record(ending: str) -> Record:
    return next(r for key, r in RECORDS.items() if key.endswith(ending))


def quotes_of(found: Record) -> tuple[Quote, ...]:
    return find_quotes(found["text"], found.get("title"), found.get("speaker"))


def quote(quotes: tuple[Quote, ...], opening: str) -> Quote:
    """The quotation whose words start with `opening` (line breaks as spaces)."""
    return next(q for q in quotes if " ".join(q.text.split()).startswith(opening))


# ---- the seed statement ---------------------------------------------------------------------


def test_seed_quotes_are_rutos_in_his_fullest_name(seed: Statement) -> None:
    quotes = find_quotes(seed.text, seed.title, seed.speaker)

    concurred = quote(quotes, "We concurred on the imperative")  # “…,” Ruto stated.
    remains = quote(quotes, "The United States remains one of Kenya’s key allies")  # President Ruto
    assert len(quotes) == 2
    assert (concurred.speaker, concurred.cue) == ("William Ruto", "said-after")
    assert (remains.speaker, remains.cue) == ("William Ruto", "said-after")
    assert concurred.text.endswith("secure Haiti,")  # inside the marks, marks excluded
    assert seed.text[concurred.start - 1] == "“" and seed.text[concurred.end] == "”"


def test_seed_quotes_are_found_without_metadata(seed: Statement) -> None:
    """ "President William Ruto has disclosed …" in the text is enough to name him in full."""
    quotes = find_quotes(seed.text, None, None)

    assert [q.speaker for q in quotes] == ["William Ruto", "William Ruto"]


# ---- press releases and readouts ------------------------------------------------------------


def test_press_release_quoting_several_people_and_split_quotes() -> None:
    """ "“…,” **said Gina McCarthy, President Biden’s National Climate Advisor**. “…”": both
    halves are hers; the next quotation has its own cue and its own speaker."""
    quotes = quotes_of(record("tackle-the-climate-crisis"))

    tapping = quote(quotes, "We are tapping into the imagination")
    same_time = quote(quotes, "At the same time, we are positioning America")
    inviting = quote(quotes, "Today we are inviting scientists")
    committed = quote(quotes, "The Department of Energy is committed")
    assert tapping.speaker == same_time.speaker == "Gina McCarthy"
    assert inviting.speaker == committed.speaker == "Tarak Shah"  # "DOE Chief of Staff Tarak Shah"
    assert tapping.cue == "said-after" and same_time.cue == "said-after"


def test_labels_before_a_colon_name_the_speaker_not_the_title() -> None:
    """What-they-are-saying lists: "**Mark Bristow, President & CEO, Barrick:** “…”"."""
    quotes = quotes_of(record("convening-on-mining-reform"))

    barrick = quote(quotes, "Barrick and Nevada Gold Mines value")
    liuna = quote(quotes, "I was pleased to be a part of the White House’s convening")
    assert (barrick.speaker, barrick.cue) == ("Mark Bristow", "colon")
    assert liuna.speaker == "Yvette Pena-O’Sullivan"
    assert all(q.speaker and q.cue == "colon" for q in quotes)


def test_a_persons_own_statement_quoting_someone_nameless_is_not_theirs() -> None:
    """ "Statement from President Joe Biden …: My father would always say, “…”": not Biden."""
    (father,) = quotes_of(record("project-labor-agreements-final-rule"))

    assert father.text.startswith("a job is about a lot more than a paycheck")
    assert (father.speaker, father.cue) == (None, "said-before")


def test_he_said_is_the_person_named_last() -> None:
    """ "Frederick Douglass said it better. He said, “…”"; "The women of Seneca Falls … by
    writing, “…”" names nobody."""
    quotes = quotes_of(record("university-of-delaware-commencement-ceremony"))

    soil = quote(quotes, "No soil is better adapted")
    truths = quote(quotes, "We hold these truths")
    assert (soil.speaker, soil.cue) == ("Frederick Douglass", "pronoun")
    assert truths.speaker is None


# ---- names of things and scare quotes -------------------------------------------------------


@pytest.mark.parametrize(
    "ending",
    [
        "catherine-russell-as-executive-director-of-unicef",  # “Don’t Ask, Don’t Tell” Working
        # Group; a book, “West Wingers: Stories from the Dream Chasers, …”
        "senate-spouses-luncheon-on-supporting-children-youth",  # signed the “Take It Down Act”
        "LIE_72_2017",  # the theme “Focusing on people: Striving for peace …”
        "PAK_74_2019",  # the catchphrase “Islamic terrorism”: fewer than four words
    ],
)
def test_titles_themes_and_scare_quotes_are_not_quotations(ending: str) -> None:
    assert quotes_of(record(ending)) == ()


# ---- transcripts and speeches ---------------------------------------------------------------


def test_transcript_quotations_are_the_turn_speakers_only_when_they_say_so() -> None:
    """THE PRESIDENT: "I said, “…”" is Trump's; "Melania said to me, “…”" is Melania's;
    "they said, “…”" (his supporters) is nobody's."""
    quotes = quotes_of(record("vance-at-starlight-ball"))

    again = quote(quotes, "We’re doing this again")
    paragraphs = quote(quotes, "You know, you could do without")
    supporters = quote(quotes, "We got to do it again, sir")
    assert (again.speaker, again.cue) == ("Trump", "turn")
    assert (paragraphs.speaker, paragraphs.cue) == ("Melania", "said-before")
    assert supporters.speaker is None


def test_a_speech_read_on_someone_elses_behalf_is_theirs() -> None:
    """A UN delegate reads "the following statement on behalf of His Excellency Mr. Patrice
    Talon": its paragraphs, each opened with “, are Talon's words, not the delegate's."""
    benin = record("BEN_73_2018")
    quotes = quotes_of(benin)

    assert benin["speaker"] == "Mr. Jean-Claude Félix do Rego"
    assert quotes and all((q.speaker, q.cue) == ("Patrice Talon", "statement") for q in quotes)


# ---- every fixture --------------------------------------------------------------------------


def test_offsets_are_exact_and_short_spans_are_left_out(seed: Statement) -> None:
    texts = [seed.text, *(r["text"] for r in RECORDS.values())]
    for text, found in ((t, find_quotes(t, None, None)) for t in texts):
        for q in found:
            assert text[q.start : q.end] == q.text and q.text == q.text.strip()
            assert len(q.text.split()) >= MIN_WORDS and q.kind == "verbatim"
