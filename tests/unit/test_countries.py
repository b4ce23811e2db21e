"""rag/people/countries.py: which country a statement speaks for, and countries a question names."""

from __future__ import annotations

import pytest

from rag.people import country_code, country_name, find_countries, statement_country


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Kenya", "KEN"),
        ("Republic of Kenya", "KEN"),
        ("Iran, Islamic Republic of", "IRN"),
        ("Holy See (Vatican City State)", "VAT"),
        ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
        ("Commonwealth of the Bahamas", "BHS"),
        ("Republic of Korea", "KOR"),
        ("Democratic People's Republic of Korea", "PRK"),
        ("Taoiseach of Ireland", "IRL"),  # as the UN corpus writes one of Ireland's
        ("Atlantis", None),
    ],
)
def test_metadata_names_of_countries_have_one_code(name: str, code: str | None) -> None:
    assert country_code(name) == code


def test_a_statement_speaks_for_its_metadata_country_or_its_publisher() -> None:
    assert statement_country({"country_iso3": "KEN", "country": "Kenya"}, None) == "KEN"
    assert statement_country({"country": "Republic of Kenya"}, None) == "KEN"
    white_house = "https://bidenwhitehouse.archives.gov/briefing-room/statements-releases/x/"
    assert statement_country({}, white_house) == "USA"
    assert statement_country({}, "https://www.whitehouse.gov/remarks/2025/01/x/") == "USA"
    assert statement_country({}, "https://example.org/news") is None
    assert country_name("USA") == "United States"


@pytest.mark.parametrize(
    ("question", "found"),
    [
        (
            "What did Japan's prime minister say about North Korea?",
            [("Japan", "JPN"), ("North Korea", "PRK")],
        ),
        ("What did the Bahamas' prime minister say?", [("the Bahamas", "BHS")]),
        ("How did Antigua and Barbuda's leader describe Irma?", [("Antigua and Barbuda", "ATG")]),
        ("What did the British prime minister say?", [("British", "GBR")]),
        (
            "How many Americans lost coverage, according to the White House?",
            [("White House", "USA")],
        ),
        ("tuvalu sea level rise un general debate 2023", [("tuvalu", "TUV")]),
        ("What did the U.S. and the UK say?", [("U.S", "USA"), ("UK", "GBR")]),
    ],
)
def test_countries_in_a_question(question: str, found: list[tuple[str, str]]) -> None:
    assert [(m.text, m.code) for m in find_countries(question)] == found


def test_a_pronoun_is_not_the_united_states() -> None:
    assert find_countries("What did he tell us about it?") == ()
    assert find_countries("WHAT DID HE TELL US") == ()
