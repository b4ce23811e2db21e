"""rag/answering/facts.py: numbers, dates and names read the same way from a claim and a text."""

from __future__ import annotations

import pytest

from rag.answering.facts import found, read_evidence, stated


def _facts(sentence: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in stated(sentence)]


def test_a_sentence_states_its_dates_numbers_and_names_in_order() -> None:
    sentence = "On 5 December 2022, Kenya did not send 2,500 officers to the UN mission in Haiti."

    assert _facts(sentence) == [
        ("date", "5 December 2022"),
        ("name", "Kenya"),
        ("number", "2,500"),
        ("name", "UN"),
        ("name", "Haiti"),
    ]


def test_titles_months_and_ordinary_sentence_openers_are_not_names() -> None:
    assert _facts("However, President Ruto spoke in May 2024.") == [
        ("name", "Ruto"),
        ("date", "May 2024"),
    ]
    assert _facts("First, the leaders met.") == []


@pytest.mark.parametrize(
    ("claim", "text"),
    [
        ("2,500 personnel", "grow to 2500 police officers"),
        ("$300 million", "providing over $300 million"),
        ("5 million Haitians", "nearly five million Haitians"),
        ("17 percent of targets", "Only 17% of targets"),
        ("the 79th session", "the 79th Session"),
        ("the fifth round", "the 5th round"),
        ("1.4 billion people", "representing 1.4 billion people"),
    ],
)
def test_numbers_are_found_however_either_side_writes_them(claim: str, text: str) -> None:
    (number,) = stated(claim)[:1]

    assert number.kind == "number"
    assert found(number, read_evidence(text))


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("October 2023", "Readout | 2023-10-03", True),
        ("3 October", "October 3, 2023", True),
        ("in 2023", "3 October 2023", True),
        ("3 October 2023", "October 2023", False),
        ("May 2023", "the May 2024 Kenya State Visit", False),
    ],
)
def test_a_date_is_found_if_the_text_gives_at_least_as_much(
    claim: str, text: str, expected: bool
) -> None:
    (date,) = (f for f in stated(claim) if f.kind == "date")

    assert found(date, read_evidence(text)) is expected


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("He met Secretary Marco Rubio.", "Secretary Rubio", True),
        ("He met Antony Blinken.", "Secretary Rubio", False),
        ("He met South Sudan's leaders.", "the conflict in the Sudan", False),
        ("He thanked Kenyan police.", "Kenya's police", True),
        ("He thanked the Haitians.", "the people of Haiti", True),
        ("He met the United Nations.", "the UN office", True),
        ("He met the UN.", "the United Nations Security Council", True),
        ("He met the US envoy.", "he told us", False),
        ("He met the US envoy.", "the U.S.-Kenya partnership", True),
    ],
)
def test_names(claim: str, text: str, expected: bool) -> None:
    names = [f for f in stated(claim) if f.kind == "name"]

    assert all(found(name, read_evidence(text)) for name in names) is expected


@pytest.mark.parametrize(
    ("claim", "text"),
    [
        ("six decades of relations", "the 60th anniversary of relations"),
        ("two hundred years of history", "two centuries of history"),
        ("almost forty years of service", "nearly four decades of service"),
        ("over the past half century", "over the last 50 years"),
        ("a century and a half of football", "for 150 years"),
        ("a quarter of a century", "about 25 years"),
        ("half a billion doses", "500 million vaccine doses"),
        ("a tenth of the membership", "10 percent of the members"),
        ("grew three times over", "the number tripled"),
        ("the second phase", "until phase two can begin"),
        ("NATO's 31st member", "NATO’s 31<sup>st</sup> Ally"),
        ("after the fourth anniversary of Parkland", "we marked four years since Parkland"),
    ],
)
def test_number_words_fractions_spans_and_ordinals_are_numbers(claim: str, text: str) -> None:
    numbers = [f for f in stated(claim) if f.kind == "number"]

    assert numbers and all(found(n, read_evidence(text)) for n in numbers), claim


@pytest.mark.parametrize(
    ("claim", "text"),
    [
        ("six months after the truce", "six weeks after the truce"),
        ("the second joint initiative", "the first joint initiative of our two countries"),
        ("peacekeeping for 47 years", "peacekeeping over 40 years in 47 countries"),
        ("New Zealand doubled its climate finance", "quadrupling our climate finance"),
    ],
)
def test_a_number_keeps_its_unit_and_order(claim: str, text: str) -> None:
    numbers = [f for f in stated(claim) if f.kind == "number"]

    assert not all(found(n, read_evidence(text)) for n in numbers), claim


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("through fiscal year 2026", "will award $1.75 billion through FY26", True),
        ("Japan's FY2024 budget", "Japan's budget for fiscal year 2024", True),
        ("through fiscal year 2025", "through FY26", False),
        (
            "arrested on July 26, 2024",
            "Statement | 2024-07-26\nYesterday, they were arrested",
            False,
        ),
        (
            "arrested on July 25, 2024",
            "Statement | 2024-07-26\nYesterday, they were arrested",
            True,
        ),
        ("the visit in July 2024", "Statement | 2024-07-26\nYesterday, they were arrested", True),
        ("met on October 27, 2022", "Readout | 2022-10-27\nThey met today.", True),
        ("a visit on February 16", "Release | 2024-02-16\nThe visit is set for May 23.", False),
    ],
)
def test_fiscal_years_and_the_header_date(claim: str, text: str, expected: bool) -> None:
    (date,) = (f for f in stated(claim) if f.kind == "date")

    assert found(date, read_evidence(text)) is expected


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("He called North Korea.", "the Democratic People's Republic of Korea (DPRK)", True),
        ("He thanked South Korean officials.", "the Republic of Korea (ROK)", True),
        ("Britain's prime minister spoke.", "Statement by United Kingdom", True),
        ("He spoke of Pyongyang.", "the DPRK launched a missile", True),
        ("The Kenya-led mission.", "where Kenya is leading the mission", True),
        ("He praised the US-South Korea alliance.", "the U.S.-ROK Alliance", True),
        ("He met USAID officials.", "the U.S. Agency for International Development", True),
        ("He met the OSTP Director.", "the Office of Science and Technology Policy", True),
        ("He met the US's envoy.", "the United States envoy", True),
        ("Martha Washington saved it.", "George Washington, which Dolley Madison saved", False),
        ("Joe Biden spoke.", "President Joseph R. Biden, Jr. spoke", True),
        ("He spoke of North Korea.", "the Republic of Korea (ROK)", False),
    ],
)
def test_country_names_abbreviations_and_given_names(claim: str, text: str, expected: bool) -> None:
    names = [f for f in stated(claim) if f.kind == "name"]

    assert all(found(name, read_evidence(text)) for name in names) is expected


def test_sentence_openers_and_answer_words_are_not_names() -> None:
    for sentence in ("Since 2019, schools grew.", "Despite the vote, it passed.", "Yes."):
        assert [f.text for f in stated(sentence) if f.kind == "name"] == [], sentence
