"""rag/question/understanding.py: speakers, dates, topic and timeline read from a question."""

from __future__ import annotations

import datetime as dt

import pytest

from rag.people.mentions import AliasIndex
from rag.question.understanding import Interpretation, interpret

D = dt.date
TODAY = D(2026, 11, 28)

# Shaped like the speaker index's aliases: folded alias -> canonical names, best first.
ALIASES: dict[str, tuple[str, ...]] = {
    "william ruto": ("William Samoei Ruto",),
    "ruto": ("William Samoei Ruto",),
    "william samoei ruto": ("William Samoei Ruto",),
    "joe biden": ("Joe Biden",),
    "biden": ("Joe Biden",),
    "joseph r. biden jr.": ("Joe Biden",),
    "jill biden": ("Jill Biden",),
    "marco rubio": ("Marco Rubio",),
    "rubio": ("Marco Rubio",),
    "jake sullivan": ("Jake Sullivan",),
    "sullivan": ("Jake Sullivan",),
    "kamala harris": ("Kamala Harris",),
    "harris": ("Kamala Harris",),
    # Participants of the readout questions below.
    "boris johnson": ("Boris Johnson",),
    "johnson": ("Boris Johnson",),
    "emmanuel macron": ("Emmanuel Macron",),
    "macron": ("Emmanuel Macron",),
    "narendra modi": ("Narendra Modi",),
    "modi": ("Narendra Modi",),
    "justin trudeau": ("Justin Trudeau",),
    "trudeau": ("Justin Trudeau",),
    "xi jinping": ("Xi Jinping",),
    "xi": ("Xi Jinping",),
    "fumio kishida": ("Fumio Kishida",),
    "kishida": ("Fumio Kishida",),
    "benjamin netanyahu": ("Benjamin Netanyahu",),
    "netanyahu": ("Benjamin Netanyahu",),
    "jens stoltenberg": ("Jens Stoltenberg",),
    "stoltenberg": ("Jens Stoltenberg",),
    "joao gomes cravinho": ("João Gomes Cravinho",),
    "cravinho": ("João Gomes Cravinho",),
    "antony blinken": ("Antony Blinken",),
    "blinken": ("Antony Blinken",),
}
INDEX = AliasIndex.build(ALIASES)


def read(question: str, aliases: dict[str, tuple[str, ...]] | None = None) -> Interpretation:
    return interpret(question, ALIASES if aliases is None else aliases, TODAY)


def found(question: str, aliases: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    return [m.names[0] for m in read(question, aliases).speakers]


def texts(question: str) -> list[str]:
    return [m.text for m in read(question).speakers]


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("What did Ruto say about Haiti?", "Ruto"),
        ("What did ruto say about haiti?", "ruto"),
        ("What was in Ruto's statement?", "Ruto"),
        ("What was in Ruto’s statement?", "Ruto"),
        ("What did President Ruto say?", "President Ruto"),
        ("What did Mr. Ruto say?", "Mr. Ruto"),
        ("What did H.E. President William Ruto say?", "President William Ruto"),
        ("What did William Samoei Ruto say?", "William Samoei Ruto"),
        ("What did WILLIAM RUTO say?", "WILLIAM RUTO"),
        ("What did Rutto say about Haiti?", "Rutto"),
        ("What did President Wiliam Ruto say?", "President Wiliam Ruto"),
    ],
)
def test_ruto_as_users_write_him(question: str, text: str) -> None:
    (mention,) = read(question).speakers
    assert (mention.text, mention.names) == (text, ("William Samoei Ruto",))
    assert question[mention.start : mention.end] == text


def test_two_speakers_joined_by_and() -> None:
    assert found("What did Biden and Ruto discuss?") == ["Joe Biden", "William Samoei Ruto"]


def test_the_longest_alias_wins() -> None:
    assert found("What did Jill Biden say?") == ["Jill Biden"]
    assert found("What did Jill Biden and Joe Biden say?") == ["Jill Biden", "Joe Biden"]


def test_a_full_name_with_initials_and_suffix_is_one_mention() -> None:
    question = "What did President Joseph R. Biden, Jr. say about Kenya?"
    assert texts(question) == ["President Joseph R. Biden, Jr."]
    assert texts("What did President Joseph R. Biden say?") == ["President Joseph R. Biden"]


def test_titles_before_a_name_belong_to_the_mention() -> None:
    assert texts("What did Secretary of State Blinken say?") == ["Secretary of State Blinken"]
    assert texts("What did Vice President Harris say?") == ["Vice President Harris"]
    question = "What did National Security Advisor Jake Sullivan say?"
    assert texts(question) == ["National Security Advisor Jake Sullivan"]


def test_accents_are_folded() -> None:
    assert found("What did Foreign Minister João Gomes Cravinho say?") == ["João Gomes Cravinho"]
    assert found("What did Joao Gomes Cravinho say?") == ["João Gomes Cravinho"]


def test_an_alias_of_a_role_matches_when_given() -> None:
    aliases = {**ALIASES, "kenya's president": ("William Samoei Ruto",)}
    meaning = read("What did Kenya's president say at the UN in 2023 about climate?", aliases)
    assert [(m.text, m.names) for m in meaning.speakers] == [
        ("Kenya's president", ("William Samoei Ruto",))
    ]
    assert meaning.topic == "climate"


# Names that are everyday words, or an everyday word away from one.
LOOKALIKES = {
    **ALIASES,
    "staten": ("Mark Staten",),
    "housen": ("Ann Housen",),
    "securitys": ("Lee Securitys",),
    "saide": ("Omar Saide",),
    "price": ("Ned Price",),
    "ned price": ("Ned Price",),
    "white": ("Ann White",),
    "will": ("Will Smith",),
    "a": ("A",),
}


@pytest.mark.parametrize(
    "question",
    [
        "What was said by the state about security at the house?",
        "What did the State say about Security in the House?",
        "What did the president say about the price of gas?",
        "What did the White House say?",
        "What will Kenya do?",
        "Is a mission planned?",
    ],
)
def test_everyday_words_are_not_names(question: str) -> None:
    assert read(question, LOOKALIKES).speakers == ()


def test_an_everyday_word_names_someone_when_capitalised() -> None:
    assert found("What did Price say about Ukraine?", LOOKALIKES) == ["Ned Price"]
    assert found("What did Secretary Price say?", LOOKALIKES) == ["Ned Price"]


@pytest.mark.parametrize(
    "question",
    [
        "What did Taoiseach Simon Harris say?",  # not Kamala Harris
        "According to Philip Blaker, what happened?",  # not a typo of Baker
    ],
)
def test_the_end_of_an_unknown_name_is_not_a_known_speaker(question: str) -> None:
    assert read(question, {**ALIASES, "baker": ("Charlie Baker",)}).speakers == ()


def test_an_alias_index_and_a_plain_mapping_agree() -> None:
    question = "What did President Biden and Rutto discuss in October 2023?"
    assert interpret(question, INDEX, TODAY) == interpret(question, ALIASES, TODAY)
    assert len(INDEX) == len(ALIASES) and INDEX["ruto"] == ("William Samoei Ruto",)


# Seed questions (evals/seed.jsonl): speakers found and what is left as the topic.
@pytest.mark.parametrize(
    ("question", "speakers", "topic"),
    [
        ("What did Ruto say about Haiti?", ["William Samoei Ruto"], "Haiti"),
        (
            "Who did President Ruto speak with by telephone about Haiti and the DRC?",
            ["William Samoei Ruto"],
            "Haiti DRC",
        ),
        (
            "What did Ruto and Rubio agree on regarding a UN support office for the MSS mission?",
            ["William Samoei Ruto", "Marco Rubio"],
            "UN support office MSS mission",
        ),
        (
            "How did Ruto describe the United States after his call with Rubio?",
            ["William Samoei Ruto", "Marco Rubio"],
            "United States",
        ),
        (
            "What did Jake Sullivan say about the UN Security Council decision on the Haiti "
            "mission?",
            ["Jake Sullivan"],
            "UN Security Council decision Haiti mission",
        ),
        (
            "What did Biden thank Ruto for on their call?",
            ["Joe Biden", "William Samoei Ruto"],
            "",
        ),
        (
            "What did Vice President Harris and President Ruto discuss in January 2025?",
            ["Kamala Harris", "William Samoei Ruto"],
            "",
        ),
        (
            "What did Kenya's president tell the UN General Assembly about Haiti in 2023?",
            [],
            "Haiti",
        ),
        (
            "What did Ruto propose about sovereign debt at the UN?",
            ["William Samoei Ruto"],
            "sovereign debt",
        ),
        ("What was said about the Africa Climate Summit?", [], "Africa Climate Summit"),
        ("What did he say about Haiti?", [], "Haiti"),
        (
            "What did Rubio say about tariffs on Chinese goods?",
            ["Marco Rubio"],
            "tariffs Chinese goods",
        ),
        ("What did the Pope say about Haiti?", [], "Haiti"),
    ],
)
def test_seed_questions(question: str, speakers: list[str], topic: str) -> None:
    meaning = read(question)
    assert [m.names[0] for m in meaning.speakers] == speakers
    assert meaning.topic == topic


# Readout questions (evals/readouts.jsonl) and the date of their gold statement.
READOUTS = [
    (
        "readouts-002",
        "What came up when President Joseph R. Biden spoke by phone with Prime Minister Boris "
        "Johnson of the United Kingdom on January 23, 2021?",
        ["Joe Biden", "Boris Johnson"],
        D(2021, 1, 23),
    ),
    (
        "readouts-003",
        "What came up when President Joseph R. Biden, Jr. spoke by phone with President "
        "Emmanuel Macron of France on 24 January 2021?",
        ["Joe Biden", "Emmanuel Macron"],
        D(2021, 1, 24),
    ),
    (
        "readouts-016",
        "What did President Joseph R. Biden, Jr. and Prime Minister Narendra Modi of India "
        "discuss on their call in April 2021?",
        ["Joe Biden", "Narendra Modi"],
        D(2021, 4, 26),
    ),
    (
        "readouts-034",
        "What was discussed during President Joseph R. Biden, Jr.'s call with Prime Minister "
        "Justin Trudeau of Canada on August 2, 2021?",
        ["Joe Biden", "Justin Trudeau"],
        D(2021, 8, 2),
    ),
    (
        "readouts-045",
        "What did Vice President Kamala Harris and Prime Minister Justin Trudeau of Canada "
        "discuss on their call in September 2021?",
        ["Kamala Harris", "Justin Trudeau"],
        D(2021, 9, 23),
    ),
    (
        "readouts-052",
        "What did President Biden and President Xi Jinping of the People's Republic of China "
        "discuss at their meeting on November 16, 2021?",
        ["Joe Biden", "Xi Jinping"],
        D(2021, 11, 16),
    ),
    (
        "readouts-113",
        "What came up when National Security Advisor Jake Sullivan met with Portuguese Foreign "
        "Minister João Gomes Cravinho on September 15, 2022?",
        ["Jake Sullivan", "João Gomes Cravinho"],
        D(2022, 9, 15),
    ),
    (
        "readouts-116",
        "What was discussed during Vice President Harris's meeting with Prime Minister Kishida "
        "of Japan on September 26, 2022?",
        ["Kamala Harris", "Fumio Kishida"],
        D(2022, 9, 26),
    ),
    (
        "readouts-119",
        "What came up when National Security Advisor Jake Sullivan spoke by phone with NATO "
        "Secretary General Jens Stoltenberg on 30 September 2022?",
        ["Jake Sullivan", "Jens Stoltenberg"],
        D(2022, 9, 30),
    ),
    (
        "readouts-134",
        "What was discussed during President Joe Biden's call with Israeli Prime Minister "
        "Benjamin Netanyahu on January 27, 2023?",
        ["Joe Biden", "Benjamin Netanyahu"],
        D(2023, 1, 27),
    ),
]


@pytest.mark.parametrize(
    ("case", "question", "speakers", "day"), READOUTS, ids=[r[0] for r in READOUTS]
)
def test_readout_questions(case: str, question: str, speakers: list[str], day: dt.date) -> None:
    meaning = interpret(question, INDEX, TODAY)
    assert [m.names[0] for m in meaning.speakers] == speakers
    assert len(meaning.dates) == 1
    assert meaning.since is not None and meaning.until is not None
    assert meaning.since <= day <= meaning.until


def test_readout_topics_drop_the_frame() -> None:
    topics = [interpret(question, INDEX, TODAY).topic for _, question, _, _ in READOUTS]
    assert topics == [
        "United Kingdom",
        "France",
        "India",
        "Canada",
        "Canada",
        "People Republic China",
        "Portuguese",
        "Japan",
        "NATO",
        "Israeli",
    ]


def test_spec_examples() -> None:
    meaning = read(
        "What did President Biden and President William Ruto of Kenya discuss on their call on "
        "3 October 2023?"
    )
    assert [m.text for m in meaning.speakers] == ["President Biden", "President William Ruto"]
    assert (meaning.since, meaning.until) == (D(2023, 10, 3), D(2023, 10, 3))
    assert meaning.topic == "Kenya"

    meaning = read("What has Harris said about AI since last October?")
    assert [m.names for m in meaning.speakers] == [("Kamala Harris",)]
    assert (meaning.since, meaning.until, meaning.topic) == (D(2026, 10, 1), None, "AI")
    assert meaning.topic_terms == ("ai",)

    meaning = read("What did the Prime Minister say between March and June 2024 about fraud?")
    assert meaning.speakers == ()
    assert (meaning.since, meaning.until) == (D(2024, 3, 1), D(2024, 6, 30))
    assert meaning.topic == "fraud"

    meaning = read("What did Kenya's president say at the UN in 2023 about climate?")
    assert (meaning.since, meaning.until) == (D(2023, 1, 1), D(2023, 12, 31))
    assert meaning.topic_terms == ("climate",)


def test_topic_terms_are_folded_content_words_once_per_stem() -> None:
    meaning = read("What did Ruto say about the négociations and negotiation of the US deal?")
    assert meaning.topic == "négociations negotiation US deal"
    assert meaning.topic_terms == ("negociations", "negotiation", "us", "deal")


def test_a_name_that_is_also_a_date_word() -> None:
    aliases = {**ALIASES, "theresa may": ("Theresa May",), "may": ("Theresa May",)}
    meaning = read("What did Theresa May say in May 2019?", aliases)
    assert [m.text for m in meaning.speakers] == ["Theresa May"]
    assert [d.text for d in meaning.dates] == ["in May 2019"]


@pytest.mark.parametrize(
    "question",
    [
        "How has Ruto's position on Haiti evolved?",
        "What has Biden said about China over the years?",
        "How did Harris's views on AI change over time?",
        "How has Ruto's stance on debt shifted since 2022?",
        "Give a timeline of Ruto's statements on Haiti.",
    ],
)
def test_timeline_questions(question: str) -> None:
    assert read(question).timeline


@pytest.mark.parametrize(
    "question",
    [
        "What did Biden say about climate change?",
        "What has Harris said about AI since last October?",
        "What did Ruto say about Haiti in 2023?",
    ],
)
def test_not_timeline_questions(question: str) -> None:
    assert not read(question).timeline


@pytest.mark.parametrize("question", ["After Haiti, Ruto said what?", "In October Ruto said what?"])
def test_a_capitalised_word_apart_from_the_name_does_not_hide_it(question: str) -> None:
    assert found(question) == ["William Samoei Ruto"]


def test_a_question_in_capitals() -> None:
    meaning = read("WHAT DID RUTO SAY ABOUT HAITI?")
    assert [m.text for m in meaning.speakers] == ["RUTO"]
    assert meaning.topic == "HAITI"


@pytest.mark.parametrize(
    "question",
    [
        # From evals/qmsum-committee.jsonl.
        "According to Gareth Pierce, how did they develop the pupils' skills to analyse and "
        "combine information into a discursive argument?",
        "What does the executives do to protect students' interests as the Brexit scenario "
        "evolves?",
    ],
)
def test_how_something_was_done_is_not_a_timeline(question: str) -> None:
    assert not read(question).timeline


# Aliases as the speaker index makes them from UN General Debate speakers (2015-2024).
UN_ALIASES = {
    **ALIASES,
    "mohamed": ("Ali Naseer Mohamed",),
    "mohammed": ("Osman Saleh Mohammed",),
    "ahmed": ("Ismail Ould Cheikh Ahmed",),
    "davis": ("Philip Edward Davis",),
    "peters": ("Winston Peters",),
    "kim": ("Song Kim",),
    "salman al saud": ("Salman Bin Abdulaziz Al-Saud",),
    "al thani": ("Tamim bin Hamad Al-Thani",),
    "tamim bin hamad al thani": ("Tamim bin Hamad Al-Thani",),
    "vi": ("Tupou VI",),
    "tupou vi": ("Tupou VI",),
    "donald trump": ("Donald Trump",),
    "trump": ("Donald Trump",),
    "manuel lopez obrador": ("Manuel Lopez Obrador",),
    "obrador": ("Manuel Lopez Obrador",),
}


@pytest.mark.parametrize(
    "question",
    [
        # From evals/readouts.jsonl and evals/qmsum-committee.jsonl.
        "What did President Biden and President Mohamed bin Zayed of the United Arab Emirates "
        "discuss on their call on November 29, 2023?",
        "What did Hon. Ahmed Hussen think about the bill for the disabilities?",
        "What did Huw Irranca-Davies think about the pilots in Cardiff and Newport?",
        "What did National Security Advisor Jake Sullivan and National Security Advisor Kim "
        "Sung-han of the Republic of Korea discuss on their call on May 29, 2023?",
        "What was discussed during President Biden's call with King Mohammed VI of Morocco on "
        "18 September 2023?",
        "What came up when National Security Advisor Jake Sullivan met with Saudi Arabian "
        "Defense Minister Prince Khalid bin Salman Al Saud in October 2023?",
        "What came up when National Security Advisor Jake Sullivan met with Prime Minister "
        "Mohammed bin Abdulrahman bin Jassim Al Thani of Qatar on 30 January 2024?",
        "How did Kirsty Williams AM plan to narrow the attainment gap between disadvantaged "
        "pupils and their more affluent peers?",
    ],
)
def test_a_known_name_inside_an_unknown_one_is_not_that_speaker(question: str) -> None:
    meaning = read(question, UN_ALIASES)
    wrong = {"Ali Naseer Mohamed", "Osman Saleh Mohammed", "Ismail Ould Cheikh Ahmed"}
    wrong |= {"Philip Edward Davis", "Winston Peters", "Song Kim", "Tupou VI"}
    wrong |= {"Salman Bin Abdulaziz Al-Saud", "Tamim bin Hamad Al-Thani"}
    assert not wrong & {name for m in meaning.speakers for name in m.names}


def test_a_fuller_name_than_the_alias_still_finds_the_speaker() -> None:
    meaning = read(
        "What came up when President Joe Biden met with President Andrés Manuel López Obrador "
        "of Mexico on November 17, 2023?",
        UN_ALIASES,
    )
    assert [m.names[0] for m in meaning.speakers] == ["Joe Biden", "Manuel Lopez Obrador"]


def test_initials_inside_a_name_belong_to_the_mention() -> None:
    question = "What came up when President Donald J. Trump spoke by phone with Ruto?"
    assert [m.text for m in read(question, UN_ALIASES).speakers] == [
        "President Donald J. Trump",
        "Ruto",
    ]


def test_two_speakers_side_by_side() -> None:
    question = "What did the Biden Harris administration say about Haiti?"
    assert found(question) == ["Joe Biden", "Kamala Harris"]


def test_typos_in_a_question_written_in_lower_case() -> None:
    assert found("what did rutto say about haiti?") == ["William Samoei Ruto"]
    assert found("What did the peers say about Haiti?", UN_ALIASES) == []


@pytest.mark.parametrize(
    ("question", "dates", "events"),
    [
        ("What did Biden say about the 1963 March on Washington?", [], ["1963"]),
        ("What did Biden say about the 1994 Violence Against Women Act?", [], ["1994"]),
        ("What did Boric say at the UN in 2023 about Chile's 1973 coup?", ["in 2023"], ["1973"]),
        (
            "What did Poland's president say in 2019 about the attack of 1939?",
            ["in 2019"],
            ["1939"],
        ),
        (
            "What did Biden say in Normandy in 2024 about the soldiers who landed in 1944?",
            ["in 2024"],
            ["in 1944"],
        ),
        ("What did Biden say about IVF in his 2024 State of the Union?", ["2024"], []),
        ("What did the United States say at the 2018 UN General Assembly?", ["2018"], []),
        ("netanyhu un 2024 iran curse or blessing", ["2024"], []),
    ],
)
def test_years_of_events_are_topic_not_periods(
    question: str, dates: list[str], events: list[str]
) -> None:
    meaning = interpret(question, ALIASES, TODAY, (2015, 2026))
    assert [d.text for d in meaning.dates] == dates
    assert [d.text for d in meaning.event_years] == events
    for year in events:
        assert year[-4:] in meaning.topic


@pytest.mark.parametrize(
    ("question", "unplaced", "topic"),
    [
        (
            "What did Biden say about Hurricane Milton in October?",
            ["in October"],
            "Hurricane Milton",
        ),
        ("What did Ruto tell the UN in September about Haiti?", ["in September"], "Haiti"),
        ("What did Biden say about the January 6th attack?", ["January 6th"], "January 6th attack"),
        (
            "What did Biden say on the anniversary of September 11?",
            ["September 11"],
            "anniversary September 11",
        ),
        ("What did Harris say about the Fourth of July?", ["July"], "Fourth July"),
        (
            "What did Biden say between March and June about fentanyl?",
            ["between March and June"],
            "fentanyl",
        ),
    ],
)
def test_a_date_without_a_year_narrows_nothing(
    question: str, unplaced: list[str], topic: str
) -> None:
    meaning = interpret(question, ALIASES, TODAY, (2015, 2026))
    assert meaning.dates == ()
    assert (meaning.since, meaning.until) == (None, None)
    assert [d.text for d in meaning.unplaced_dates] == unplaced
    assert meaning.topic == topic


@pytest.mark.parametrize(
    ("question", "since", "until"),
    [
        ("Writing in 2023: what did Ruto tell the UN in September?", D(2023, 9, 1), D(2023, 9, 30)),
        ("What did Ruto say between March and June 2024?", D(2024, 3, 1), D(2024, 6, 30)),
        ("What did Harris say last October?", D(2026, 10, 1), D(2026, 10, 31)),
        ("What did Melania Trump say last spring?", D(2026, 3, 1), D(2026, 5, 31)),
    ],
)
def test_a_year_given_by_the_question_places_the_date(
    question: str, since: dt.date, until: dt.date
) -> None:
    meaning = interpret(question, ALIASES, TODAY, (2015, 2026))
    assert (meaning.since, meaning.until) == (since, until)
    assert meaning.unplaced_dates == ()


@pytest.mark.parametrize(
    ("question", "speakers", "topics"),
    [
        ("What did Biden say about Kamala Harris?", ["Biden"], ["Kamala Harris"]),
        ("How did Biden describe Kamala Harris?", ["Biden"], ["Kamala Harris"]),
        ("What did Xi Jinping say to Biden in Lima?", ["Xi Jinping"], ["Biden"]),
        ("What did Biden thank Ruto for on their call?", ["Biden", "Ruto"], []),
        ("What did Ruto say when he spoke with Rubio?", ["Ruto", "Rubio"], []),
        ("What was in Ruto's statement?", ["Ruto"], []),
        ("jill biden haiti", ["jill biden"], []),
        ("According to Sullivan, what did Biden want?", ["Sullivan", "Biden"], []),
        ("When was Biden's portrait taken, according to Sullivan?", ["Sullivan"], ["Biden"]),
    ],
)
def test_who_speaks_and_who_is_spoken_of(
    question: str, speakers: list[str], topics: list[str]
) -> None:
    meaning = read(question)
    people = [w for w in meaning.who if w.kind == "person"]
    assert [w.text for w in people if w.role == "speaker"] == speakers
    assert [w.text for w in people if w.role == "topic"] == topics


def test_countries_and_offices_as_speakers() -> None:
    meaning = read("What did Japan's prime minister say about North Korea at the UN in 2017?")
    (office, korea) = meaning.who
    assert (office.kind, office.country, office.title, office.role) == (
        "office",
        "JPN",
        "prime minister",
        "speaker",
    )
    assert (korea.country, korea.role) == ("PRK", "topic")
    assert meaning.topic == "North Korea"
    (us, poland) = read("How many troops did the United States send to Poland in 2022?").who
    assert (us.role, poland.role) == ("topic", "topic")


def test_relative_dates_count_from_the_year_a_question_is_written_in() -> None:
    meaning = read("Writing in 2023: what did Kenya's president say last year about drought?")
    assert (meaning.since, meaning.until) == (D(2022, 1, 1), D(2022, 12, 31))
    assert meaning.topic == "drought"
