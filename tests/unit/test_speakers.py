"""rag/people/speakers.py: a speaker as a user writes it -> the stored names it means."""

from __future__ import annotations

import pytest

from rag.people.speakers import name_tokens, resolve_speakers

# Speaker names as the fixtures store them.
KNOWN = [
    "William Samoei Ruto",
    "William Ruto",
    "Joe Biden",
    "Lula da Silva",
    "Catherine Colonna",
    "António Guterres",
]


@pytest.mark.parametrize(
    "wanted",
    ["Ruto", "ruto", "President Ruto", "William Ruto", "His Excellency President William Ruto"],
)
def test_ruto_matches_both_spellings_of_his_name(wanted: str) -> None:
    assert resolve_speakers(wanted, KNOWN) == ("William Ruto", "William Samoei Ruto")


def test_a_middle_name_narrows_the_match() -> None:
    assert resolve_speakers("William Samoei Ruto", KNOWN) == ("William Samoei Ruto",)


@pytest.mark.parametrize("wanted", ["Biden", "President Biden", "Mr. Biden"])
def test_biden_does_not_match_ruto(wanted: str) -> None:
    assert resolve_speakers(wanted, KNOWN) == ("Joe Biden",)


@pytest.mark.parametrize("wanted", ["Guterres", "Antonio Guterres", "ANTÓNIO GUTERRES"])
def test_accents_and_case_are_folded(wanted: str) -> None:
    assert resolve_speakers(wanted, KNOWN) == ("António Guterres",)


@pytest.mark.parametrize("wanted", ["Rubio", "Rut", "Ruto Biden", "", "  "])
def test_no_match(wanted: str) -> None:
    assert resolve_speakers(wanted, KNOWN) == ()


def test_a_role_alone_is_matched_as_written() -> None:
    """With only honorifics, the words themselves are the name."""
    assert name_tokens("The President") == frozenset({"the", "president"})
    assert resolve_speakers("President", ["President", "William Ruto"]) == ("President",)


def test_honorifics_are_not_part_of_a_name() -> None:
    assert name_tokens("Vice President Kamala Harris") == frozenset({"kamala", "harris"})
    assert name_tokens("Secretary of State Marco Rubio") == frozenset({"marco", "rubio"})


def test_stored_names_with_honorifics_match_the_bare_name() -> None:
    assert resolve_speakers("Harris", ["Vice President Kamala Harris"]) == (
        "Vice President Kamala Harris",
    )


def test_hyphens_and_apostrophes_stay_inside_a_name() -> None:
    assert name_tokens("Jean-Noël O'Neill") == frozenset({"jean-noel", "o'neill"})
    assert resolve_speakers("Noel", ["Jean-Noël O'Neill"]) == ()


def test_his_excellency_is_an_honorific() -> None:
    assert resolve_speakers("H.E. Ruto", ["William Ruto"]) == ("William Ruto",)
