"""rag/answering/facts.py: numbers, dates and names read the same way from a claim and a text."""

from __future__ import annotations

import pytest

from rag.answering.claims import check_claims
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


@pytest.mark.parametrize(
    ("claim", "text"),
    [
        ("Twenty-five countries joined.", "25 countries joined"),
        ("25 countries joined.", "twenty-five countries joined"),
        ("Some 125 people died.", "one hundred and twenty-five people died"),
        ("the 21st century", "the twenty-first century"),
        ("It cut emissions by 50 percent.", "it cut emissions by half"),
        ("25 percent of adults", "one in four adults"),
        ("70 percent of schools", "seven out of ten schools"),
        ("two-thirds of members", "67 percent of members"),
        ("a third of the budget", "33 percent of the budget"),
        ("3.5 million people", "three and a half million people"),
        ("$1.5 billion", "a $1.5bn package"),
        ("12 nations", "a dozen nations"),
        ("a million people", "1 million people"),
        ("six months", "half a year"),
        ("18 months", "a year and a half"),
        ("48 hours", "two days"),
    ],
)
def test_one_amount_in_another_form_is_the_same_number(claim: str, text: str) -> None:
    numbers = [f for f in stated(claim) if f.kind == "number"]

    assert numbers and all(found(n, read_evidence(text)) for n in numbers), claim


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("about 40 percent", "39.6 percent", True),
        ("nearly 2,500 troops", "2,487 troops", True),
        ("$1.2 billion", "$1.23 billion", True),
        ("more than 2,000 troops", "2,487 troops", True),
        ("nearly half of them", "48 percent of them", True),
        ("40 percent", "38 percent", False),
        ("more than 5,000 troops", "2,487 troops", False),
        ("about 5,000 troops", "2,500 troops", False),
        ("over fourteen figurines", "over forty figurines from the eighteenth century", False),
        ("1.7 percent", "0.3 percent", False),
    ],
)
def test_a_rounded_or_hedged_figure_is_true_to_the_exact_one(
    claim: str, text: str, expected: bool
) -> None:
    numbers = [f for f in stated(claim) if f.kind == "number"]

    assert all(found(n, read_evidence(text)) for n in numbers) is expected


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("The French president spoke.", "President Macron of France spoke", True),
        ("France's president spoke.", "the French President spoke", True),
        ("Dutch officials met.", "officials of the Netherlands met", True),
        ("Swiss banks agreed.", "banks in Switzerland agreed", True),
        ("Greek debt fell.", "Greece's debt fell", True),
        ("Filipino workers came.", "workers from the Philippines came", True),
        ("Americans voted.", "the United States voted", True),
        ("Britons voted.", "the United Kingdom voted", True),
        ("Greek debt fell.", "Turkey's debt fell", False),
        ("Swiss banks agreed.", "Swedish banks agreed", False),
    ],
)
def test_a_country_is_found_by_its_name_its_adjective_or_its_people(
    claim: str, text: str, expected: bool
) -> None:
    names = [f for f in stated(claim) if f.kind == "name"]

    assert names and all(found(name, read_evidence(text)) for name in names) is expected


THURSDAY = "Readout | The White House | 2024-03-07\n"


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("On March 5, 2024, Biden met Xi.", "On Tuesday, President Biden met Xi.", True),
        ("On March 4, 2024, Biden met Xi.", "On Tuesday, President Biden met Xi.", False),
        ("On March 7, 2024, Biden met Xi.", "On Tuesday, President Biden met Xi.", False),
        ("Biden spoke on Wednesday.", "Biden spoke yesterday.", True),
        ("Biden spoke on Monday.", "Biden spoke yesterday.", False),
        ("Yesterday Biden spoke.", "On March 6, Biden spoke.", True),
        ("Last week, Biden spoke.", "On February 29, Biden spoke.", True),
        ("Last week, Biden spoke.", "Biden spoke today.", False),
        ("In 2023, Biden spoke.", "Last year, Biden spoke.", True),
        ("In 2022, Biden spoke.", "Last year, Biden spoke.", False),
        ("Last year, Biden spoke.", "In 2023, Biden spoke.", True),
        ("Last month, Biden spoke.", "In February, Biden spoke.", True),
        ("He will travel on Friday.", "He will travel on March 8.", True),
        ("He will travel next week.", "He will travel on March 12.", True),
    ],
)
def test_a_relative_date_is_read_against_the_statement_date(
    claim: str, text: str, expected: bool
) -> None:
    dates = [f for f in stated(claim) if f.kind == "date"]

    assert dates and all(found(d, read_evidence(THURSDAY + text)) for d in dates) is expected


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("Xi Jinping said so.", "President Xi said so", True),
        ("They sailed around Cape Horn.", "They sailed around the Cape of Good Hope", False),
        ("Adm. Cooper wrote it.", "Admiral Brad Cooper wrote it", True),
        ("Lt. Gen. Smith spoke.", "Lieutenant General John Smith spoke", True),
        ("Tony Blinken said so.", "Secretary Antony Blinken said so", True),
        ("Alex Padilla said so.", "Senator Alexander Padilla said so", True),
        ("Brigitte Macron said so.", "President Emmanuel Macron said so", False),
        ("Zelenskyy said so.", "President Zelensky said so", True),
        ("Zelenskyy said so.", "President Zelaya said so", False),
        ("Ukraine's Zelensky said so.", "President Zelenskyy of Ukraine said so", True),
        ("Ukraine's Zelensky said so.", "President Zelenskyy of Moldova said so", False),
    ],
)
def test_a_person_is_found_by_name_parts_titles_short_forms_and_spellings(
    claim: str, text: str, expected: bool
) -> None:
    names = [f for f in stated(claim) if f.kind == "name"]

    assert names and all(found(name, read_evidence(text)) for name in names) is expected


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("The Secretary-General said so.", "António Guterres said so", True),
        ("The CR would pass.", "the continuing resolution would pass", True),
        ("AI tools help.", "artificial intelligence tools help", True),
        ("The CR would pass.", "the budget would pass", False),
        ("The Department of Homeland Security acted.", "DHS acted", True),
        ("The Department of Homeland Security acted.", "DOJ acted", False),
    ],
)
def test_titles_are_no_names_and_acronyms_are_spelt_out(
    claim: str, text: str, expected: bool
) -> None:
    names = [f for f in stated(claim) if f.kind == "name"]

    assert all(found(name, read_evidence(text)) for name in names) is expected


def test_a_claim_that_spells_out_an_acronym_keeps_its_support() -> None:
    (check,) = check_claims(
        "Trump said the continuing resolution would pass [1].",
        {1: "Remarks | Donald J. Trump | 2025-09-30\nTrump said the CR would pass."},
    )

    assert check.supported, check.reason


@pytest.mark.parametrize(
    ("claim", "text", "expected"),
    [
        ("In the 1990s, it grew.", "It grew in 1994.", True),
        (
            "In the 1990s, it grew.",
            "Release | The White House | 2020-01-01\nIt grew in 2005.",
            False,
        ),
        ("In the early 2000s, it grew.", "It grew in 2002.", True),
    ],
)
def test_a_decade_holds_the_years_in_it(claim: str, text: str, expected: bool) -> None:
    (date,) = (f for f in stated(claim) if f.kind == "date")

    assert found(date, read_evidence(text)) is expected
