"""rag/people/names.py: display names cleaned from real speaker fields, committee and transcript
labels."""

from __future__ import annotations

import pytest

from rag.people.names import clean_name, plausible_person


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        # UN General Debate speaker fields
        ("Mr. William Ruto", "William Ruto"),
        ("William Samoei Ruto", "William Samoei Ruto"),
        ("Mr. Teodoro L. Locsin, Jr.", "Teodoro L. Locsin Jr."),
        ("Joseph R. Biden, Jr", "Joseph R. Biden Jr."),
        ("Dr. Lotay Tshering, MBBS, MD", "Lotay Tshering"),
        ("Mr. Scott Morrison, MP", "Scott Morrison"),
        ("His Highness Sheikh Tamim bin Hamad Al-Thani", "Tamim bin Hamad Al-Thani"),
        ("Emir Sheikh Tamim bin\nHamad Al-Thani", "Tamim bin Hamad Al-Thani"),
        ("Lula da Silva", "Lula da Silva"),
        # QMSum committee speakers
        ("Lynne Neagle AM", "Lynne Neagle"),
        ("The Chair (Hon. Anthony Rota (NipissingTimiskaming, Lib.))", "Anthony Rota"),
        ("The Acting Chair (Mr. Bruce Stanton)", "Bruce Stanton"),
        ("Right Hon. Justin Trudeau", "Justin Trudeau"),
        ("Right Hon. Justin Trudeau (Prime Minister)", "Justin Trudeau"),
        ("Mr. Andrew Scheer (Regina—Qu'Appelle, CPC)", "Andrew Scheer"),
        ("Hon. Bill Blair (Minister of Public Safety and Emergency Preparedness)", "Bill Blair"),
        ("Mr. Chris d'Entremont", "Chris d'Entremont"),
        ("Dr David Blaney", "David Blaney"),
        # titles and White House transcript labels
        ("President William Ruto of Kenya", "William Ruto"),
        ("PRESIDENT RUTO", "Ruto"),
        ("MS. JEAN-PIERRE", "Jean-Pierre"),
        ("SECRETARY GENERAL RUTTE", "Rutte"),
        ("PRESIDENT VON DER LEYEN", "von der Leyen"),
        ("MS. MCGILL JOHNSON", "McGill Johnson"),
        ("JOSEPH R. BIDEN JR.", "Joseph R. Biden Jr."),
    ],
)
def test_clean_name_keeps_the_name_and_drops_the_rest(raw: str, name: str) -> None:
    assert clean_name(raw) == name


@pytest.mark.parametrize(
    ("raw", "name"), [("The Chair", "The Chair"), ("THE PRESIDENT", "The President")]
)
def test_a_role_alone_stays_as_written(raw: str, name: str) -> None:
    assert clean_name(raw) == name


@pytest.mark.parametrize(
    "name",
    [
        "Asian American",  # a group
        "Korean Women",
        "Voto Latino",
        "Polish Aide",  # a country's adjective before a role
        "New York",  # places and institutions
        "Burkina Faso",
        "Saudi Arabia",
        "Ford Motor",
        "Disease Control",
        "Hurricane Ida",
        "Unity Agenda",
        "Joe Biden Speech",
        "I Thank You.",  # a sentence in a speaker field
        "The Vice President",  # a role alone
        "The First Lady",
    ],
)
def test_what_is_not_a_person_never_enters_the_speaker_index(name: str) -> None:
    assert not plausible_person(name)


@pytest.mark.parametrize(
    "name",
    ["William Samoei Ruto", "Israel Katz", "Christian Ntsay", "Samantha Power", "Sall", "Xi"],
)
def test_people_whose_names_hold_such_words_are_people(name: str) -> None:
    assert plausible_person(name)
