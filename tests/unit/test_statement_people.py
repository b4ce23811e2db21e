"""rag/people/statement_people.py: who a statement's title presents as speaking, on real titles."""

from __future__ import annotations

import pytest

from rag.people.statement_people import title_speakers


@pytest.mark.parametrize(
    ("title", "names"),
    [
        (
            "Readout of President Biden’s Call with President William Ruto of Kenya",
            ("Biden", "William Ruto"),
        ),
        (
            "Readout of President Biden’s Meeting with President Guy Parmelin and Foreign Minister "
            "Ignazio Cassis of Switzerland",
            ("Biden", "Guy Parmelin", "Ignazio Cassis"),
        ),
        (
            "Readout of President Joseph R. Biden, Jr. Call with Prime Minister Kyriakos "
            "Mitsotakis of Greece",
            ("Joseph R. Biden Jr.", "Kyriakos Mitsotakis"),
        ),
        (
            "Readout of President Biden’s Call with Amir Sheikh Tamim Bin Hamad Al-Thani of Qatar",
            ("Biden", "Tamim Bin Hamad Al-Thani"),
        ),
        (
            "Joint Readout of the Meeting Between President Joseph R. Biden, Jr. and Prime "
            "Minister Mario Draghi",
            ("Joseph R. Biden Jr.", "Mario Draghi"),
        ),
        (
            "Readout from NSC Spokesperson Emily Horne on National Security Advisor Jake "
            "Sullivan’s Call with Israeli National Security Advisor Meir Ben-Shabbat Regarding "
            "the Situation in Jerusalem",
            ("Emily Horne", "Jake Sullivan", "Meir Ben-Shabbat"),
        ),
        (
            "Readout of National Security Advisor Jake Sullivan’s Meeting with Frans Timmermans, "
            "Executive Vice President of the European Commission",
            ("Jake Sullivan", "Frans Timmermans"),
        ),
        ("Readout of President Biden’s Call with Allies and Partners", ("Biden",)),
        (
            "Readout: Trilateral Meeting of Prime Minister Boris Johnson of the United Kingdom, "
            "President Joe Biden, and Prime Minister Scott Morrison of Australia",
            ("Boris Johnson", "Joe Biden", "Scott Morrison"),
        ),
        (
            "Readout of National Security Advisor to the Vice President Phil Gordon’s Meeting "
            "with Muslim, Arab, and Palestinian American Community Leaders",
            ("Phil Gordon",),
        ),
        ("Statement by Press Secretary to the Vice President Kirsten Allen", ("Kirsten Allen",)),
        (
            "Statement by National Security Advisor Jake Sullivan on Iran’s Missile and Drone "
            "Attacks in Northern Iraq",
            ("Jake Sullivan",),
        ),
        (
            "Statement from President Joe Biden on the 60th Anniversary of the Equal Pay Act",
            ("Joe Biden",),
        ),
        (
            "Statement by White House Press Secretary Karine Jean-Pierre on the Bilateral Meeting "
            "Between President Joe Biden and President Alberto Fernández of Argentina",
            ("Karine Jean-Pierre",),
        ),
        (
            "Statement by Deputy National Security Advisor for Cyber and Emerging Technology Anne "
            "Neuberger on Reporting Kaseya Compromises",
            ("Anne Neuberger",),
        ),
        (
            "Statement from White House COVID-\u206019 Response Coordinator Jeff Zients on First "
            "Case of the Omicron COVID-\u206019 Variant in the United States",
            ("Jeff Zients",),
        ),
        (
            "Statement of President Joe Biden and First Lady Jill Biden on Diwali",
            ("Joe Biden", "Jill Biden"),
        ),
        (
            "Remarks by President Biden and President William Ruto of the Republic of Kenya in "
            "Joint Press Conference",
            ("Biden", "William Ruto"),
        ),
        (
            "Remarks by President Biden, Lt. Gov. Austin Davis, Sen. John Fetterman, Rep. "
            "Madeleine Dean, and Felicia Spriggs-Wilkerson at a Campaign Event | Harrisburg, PA",
            (
                "Biden",
                "Austin Davis",
                "John Fetterman",
                "Madeleine Dean",
                "Felicia Spriggs-Wilkerson",
            ),
        ),
        (
            "Remarks as Prepared for Delivery by First Lady Jill Biden at Rhode Island College",
            ("Jill Biden",),
        ),
        (
            "Press Briefing by Press Secretary Karine Jean-Pierre and NSC Coordinator for "
            "Strategic Communications John Kirby",
            ("Karine Jean-Pierre", "John Kirby"),
        ),
        (
            "President Joseph R. Biden, Jr. Approves Kansas Disaster Declaration",
            ("Joseph R. Biden Jr.",),
        ),
        (
            "Joint Statement by President Biden and President von der Leyen on European Energy "
            "Security",
            ("Biden", "von der Leyen"),
        ),
        (
            "Joint Statement on F-16s for Ukraine from U.S. President Joseph R. Biden, Dutch Prime "
            "Minister Dick Schoof, and Danish Prime Minister Mette Frederiksen",
            ("Joseph R. Biden", "Dick Schoof", "Mette Frederiksen"),
        ),
        (
            "President Ruto on his call with US Secretary of State Marco Rubio",
            ("Ruto", "Marco Rubio"),
        ),
    ],
)
def test_title_speakers_name_authors_and_both_parties(title: str, names: tuple[str, ...]) -> None:
    assert title_speakers(title) == names


@pytest.mark.parametrize(
    "title",
    [
        None,
        "Statement by the President",
        "Joint Statement from India and the United States",
        "Readout of White House Roundtable with Civil Rights Leaders on Equitable Implementation "
        "of the Bipartisan Infrastructure Law",
        "Background Press Call by Senior Administration Officials on Afghan Arrival Processing",
        "FACT SHEET: U.S. Support to Small Island Developing States",
        "Press Release: Nominations Sent to the Senate",
    ],
)
def test_titles_without_a_clear_name_give_none(title: str | None) -> None:
    assert title_speakers(title) == ()
