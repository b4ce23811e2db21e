"""rag/retrieval/relevance.py: the decline gate, over hand-built passages and interpretations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pytest

from rag.question.focus import Named
from rag.retrieval.relevance import MIN_COVERAGE, RARE, judge, word_forms
from rag.types import DateSpan, Interpreted, Passage, ScoredPassage

MIN_SIMILARITY = 0.2
# Sentences of the seed statement and the Harris-Ruto readout (tests/fixtures).
HAITI_MISSION = (
    "President Ruto and Secretary Rubio discussed the Kenya-led Multinational Security Support "
    "mission in Haiti."
)
DIGITAL = (
    "The Vice President emphasized her continued interest in expanding digital inclusion across "
    "the continent of Africa."
)


RUTO = ("William Samoei Ruto",)


def scored(text: str, score: float, index: int = 0, fits: bool = True) -> ScoredPassage:
    passage = Passage(
        id=f"ruto-rubio-call#{index}",
        statement_id="ruto-rubio-call",
        index=index,
        start=0,
        end=len(text),
        text=text,
        title="President Ruto on his call with Secretary Rubio",
        speaker="William Ruto",
        date=DateSpan.parse("2025-03-20"),
        speakers=("William Ruto",),
    )
    return ScoredPassage(passage, score, fits_reading=fits)


def interpreted(
    speakers: tuple[str, ...] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
    topic: str = "Haiti",
    countries: tuple[str, ...] = (),
) -> Interpreted:
    return Interpreted(
        speakers=speakers,
        since=since,
        until=until,
        topic=topic,
        timeline=False,
        applied_speakers=(),
        applied_since=None,
        applied_until=None,
        countries=countries,
    )


def run(
    passages: list[ScoredPassage],
    meaning: Interpreted | None,
    topic: Mapping[str, str],
    idf: Mapping[str, float] | None = None,
    min_coverage: float = MIN_COVERAGE,
    named: tuple[Named, ...] = (),
) -> tuple[bool, str, float | None]:
    weights = idf or dict.fromkeys([*topic, *(s for n in named for s in n.stems)], 1.0)
    verdict = judge(
        passages,
        meaning,
        topic,
        weights.__getitem__,
        lambda p: p.passage.text,
        MIN_SIMILARITY,
        min_coverage,
        named,
    )
    return verdict.answerable, verdict.reason, verdict.coverage


# ---- who and when, as read from the question --------------------------------------------


@pytest.mark.parametrize(
    ("since", "until", "period"),
    [
        pytest.param(dt.date(2019, 1, 1), dt.date(2019, 12, 31), "in 2019", id="a-year"),
        pytest.param(dt.date(2025, 1, 1), dt.date(2025, 1, 31), "in 2025-01", id="a-month"),
        pytest.param(dt.date(2019, 3, 4), dt.date(2019, 3, 4), "on 2019-03-04", id="a-day"),
        pytest.param(
            dt.date(2024, 3, 1),
            dt.date(2024, 6, 30),
            "between 2024-03-01 and 2024-06-30",
            id="a-range",
        ),
        pytest.param(dt.date(2019, 3, 4), None, "since 2019-03-04", id="since"),
        pytest.param(None, dt.date(2019, 3, 4), "until 2019-03-04", id="until"),
    ],
)
def test_nothing_by_whom_and_when_asked_declines_naming_both(
    since: dt.date | None, until: dt.date | None, period: str
) -> None:
    meaning = interpreted(("William Samoei Ruto",), since, until)
    passages = [scored(HAITI_MISSION, 0.7, fits=False)]

    answerable, reason, coverage = run(passages, meaning, {"haiti": "Haiti"})

    assert not answerable
    assert reason == f"No statement by William Samoei Ruto {period} was found."
    assert coverage is None


def test_a_country_read_as_speaker_is_named() -> None:
    meaning = interpreted(
        countries=("Japan",), since=dt.date(2017, 1, 1), until=dt.date(2017, 12, 31)
    )
    _, reason, _ = run([scored(HAITI_MISSION, 0.7, fits=False)], meaning, {"haiti": "Haiti"})
    assert reason == "No statement by Japan in 2017 was found."


def test_people_read_together_are_named_together() -> None:
    meaning = interpreted(("Joe Biden", "William Ruto"), dt.date(2023, 10, 2), dt.date(2023, 10, 6))
    _, reason, _ = run([scored(HAITI_MISSION, 0.7, fits=False)], meaning, {"haiti": "Haiti"})
    assert reason.startswith("No statement by Joe Biden and William Ruto together between ")


def test_the_topic_is_judged_in_the_passages_that_fit_the_reading() -> None:
    """Melania Trump never spoke of tariffs; a passage by someone else that does is no answer."""
    tariffs = "The President announced tariffs on steel."
    meaning = interpreted(("Melania Trump",), topic="tariffs")
    passages = [scored(HAITI_MISSION, 0.5), scored(tariffs, 0.6, 1, fits=False)]

    answerable, reason, coverage = run(passages, meaning, {"tariff": "tariffs"})

    assert not answerable
    assert reason == "No passage by Melania Trump found mentions tariffs."
    assert coverage == 0.0
    # The same passages answer when nothing was read about who speaks.
    assert run(passages, interpreted(topic="tariffs"), {"tariff": "tariffs"})[0]


def test_passages_that_fit_the_reading_answer() -> None:
    meaning = interpreted(("William Samoei Ruto",), dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    passages = [scored(DIGITAL, 0.6, fits=False), scored(HAITI_MISSION, 0.4, 1)]
    assert run(passages, meaning, {"haiti": "Haiti"}) == (True, "", 1.0)


# ---- closeness and topic --------------------------------------------------------------


def test_nothing_close_enough_declines() -> None:
    passages = [scored(HAITI_MISSION, 0.19), scored(DIGITAL, -0.1, 1)]

    answerable, reason, coverage = run(passages, interpreted(), {"haiti": "Haiti"})

    assert not answerable
    assert reason == "No passage is close enough to the question."
    assert coverage is None
    assert run([], None, {"haiti": "Haiti"})[:2] == (False, reason)


def test_a_passage_at_the_similarity_threshold_counts() -> None:
    assert run([scored(HAITI_MISSION, MIN_SIMILARITY)], interpreted(), {"haiti": "Haiti"}) == (
        True,
        "",
        1.0,
    )


def test_a_rare_missing_topic_word_outweighs_common_covered_ones() -> None:
    topic = {"haiti": "Haiti", "missio": "mission", "tariff": "tariffs"}
    # The corpus often says "Haiti" and "mission" (low idf) and never "tariffs" (high idf).
    idf = {"haiti": 1.0, "missio": 1.0, "tariff": 8.0}

    answerable, reason, coverage = run([scored(HAITI_MISSION, 0.6)], interpreted(RUTO), topic, idf)

    assert not answerable
    assert reason == "No passage by William Samoei Ruto found mentions tariffs."
    assert coverage == pytest.approx(0.2)
    # With equal weights the same passage covers two thirds of the topic.
    assert run([scored(HAITI_MISSION, 0.6)], interpreted(), topic)[:2] == (True, "")


def test_missing_words_are_named_rarest_first_at_most_three() -> None:
    topic = {"haiti": "Haiti", "tariff": "tariffs", "pope": "Pope", "vatica": "Vatican"}
    topic |= {"steel": "steel"}
    idf = {"haiti": 0.5, "tariff": 6.0, "pope": 9.0, "vatica": 7.0, "steel": 5.0}

    answerable, reason, _ = run([scored(HAITI_MISSION, 0.6)], interpreted(RUTO), topic, idf)

    assert not answerable
    assert reason == "No passage by William Samoei Ruto found mentions Pope, Vatican, tariffs."


def test_words_only_in_passages_not_close_enough_do_not_count() -> None:
    topic = {"digita": "digital", "inclus": "inclusion"}
    passages = [scored(HAITI_MISSION, 0.5), scored(DIGITAL, 0.1, 1)]

    answerable, reason, coverage = run(
        passages, interpreted(RUTO, topic="digital inclusion"), topic
    )

    assert not answerable
    assert reason == "No passage by William Samoei Ruto found mentions digital, inclusion."
    assert coverage == 0.0


def test_coverage_exactly_at_the_threshold_answers() -> None:
    topic = {"haiti": "Haiti", "tariff": "tariffs"}
    idf = {"haiti": 3.0, "tariff": 7.0}  # 3 / 10 of the weight is found: exactly 0.3

    assert run([scored(HAITI_MISSION, 0.6)], interpreted(), topic, idf, min_coverage=0.3) == (
        True,
        "",
        0.3,
    )
    assert not run([scored(HAITI_MISSION, 0.6)], interpreted(), topic, idf, min_coverage=0.31)[0]


def test_topic_words_match_by_stem() -> None:
    topic = {"missio": "missions", "kenya": "Kenya's"}
    assert run([scored(HAITI_MISSION, 0.6)], interpreted(), topic) == (True, "", 1.0)


@pytest.mark.parametrize("meaning", [None, interpreted(topic="")], ids=["not-read", "no-topic"])
def test_without_a_topic_a_close_passage_answers(meaning: Interpreted | None) -> None:
    assert run([scored(DIGITAL, 0.3)], meaning, {}) == (True, "", None)


# ---- named things ----------------------------------------------------------------------
# "Europa Clipper", "Taylor Swift": a rare named thing no passage mentions declines, however
# many of the question's other words the passages share.
CLIPPER = Named("Europa Clipper", ("europa", "clippe"))
RARE_IDF = {"europa": RARE + 4, "clippe": RARE + 5, "nasa": 2.0, "missio": 1.0}


def test_a_rare_named_thing_no_passage_mentions_declines_naming_it() -> None:
    topic = {"nasa": "NASA", "missio": "mission", "europa": "Europa", "clippe": "Clipper"}
    webb = scored("NASA flew the Webb mission; NASA briefed the President on the mission.", 0.6)

    answerable, reason, _ = run([webb], None, topic, RARE_IDF, min_coverage=0.0, named=(CLIPPER,))

    assert not answerable
    assert reason == "No passage found mentions Europa Clipper."


def test_a_named_thing_is_mentioned_by_its_head_and_a_quarter_of_its_weight() -> None:
    tokyo = Named("Tokyo Olympics", ("tokyo", "olympi"))
    games = scored("Suga will hold a safe and secure Olympic and Paralympic Games.", 0.6)
    idf = {"tokyo": 7.0, "olympi": 6.0}
    assert run([games], None, {}, idf, named=(tokyo,))[0]  # "Olympic" holds 6/13 of it

    swift = Named("Taylor Swift", ("taylor", "swift"))
    greene = scored("I got my usual warm reception from Congresswoman Marjorie Taylor Greene.", 0.6)
    idf = {"taylor": 6.3, "swift": 5.8}
    assert not run([greene], None, {}, idf, named=(swift,))[0]  # no "Swift": not her

    sample = Named("Mars Sample Return", ("mars", "sample", "return"))
    moon = scored("Artemis will return Americans to the Moon within this decade.", 0.6)
    idf = {"mars": 7.0, "sample": 8.2, "return": 3.8}
    assert not run([moon], None, {}, idf, named=(sample,))[0]  # head, but 3.8 of 19 only


def test_another_thing_of_the_same_kind_does_not_mention_it() -> None:
    """ "the Suez Canal" is not "the Panama Canal"; an unqualified "the canal" may be."""
    panama = Named("Panama Canal", ("panama", "canal"))
    idf = {"panama": 7.5, "canal": 7.0}
    suez = scored("Israel will reach the warm waters of the Suez Canal and the Red Sea.", 0.6)
    assert run([suez], None, {}, idf, named=(panama,))[:2] == (
        False,
        "No passage found mentions Panama Canal.",
    )
    plain = scored("Ships wait for weeks to cross the canal, and The Canal must be widened.", 0.6)
    assert run([plain], None, {}, idf, named=(panama,))[0]
    both = scored("Compare the Suez Canal with the Panama Canal.", 0.6)
    assert run([both], None, {}, idf, named=(panama,))[0]


def test_a_common_named_thing_missing_does_not_decline() -> None:
    """ "White House" is in most statements' vocabulary: the passages need not repeat it."""
    house = Named("White House", ("white", "house"))
    idf = {"white": 2.0, "house": 2.5, "haiti": 3.0}
    assert run([scored(HAITI_MISSION, 0.6)], None, {"haiti": "Haiti"}, idf, named=(house,))[0]


def test_a_country_is_mentioned_by_its_people_and_back() -> None:
    kenyan = Named("Kenyan", ("kenyan",))
    assert run([scored(HAITI_MISSION, 0.6)], None, {}, {"kenyan": 9.0}, named=(kenyan,))[0]
    assert {"kenya", "kenyan"} <= word_forms("kenyan") and "lao" in word_forms("laos")
    assert "ira" not in word_forms("iran")  # not "IRA"
    assert word_forms("us") == {"us"}


def test_with_a_speaker_read_the_decline_names_the_speaker() -> None:
    bitcoin = Named("Bitcoin", ("bitcoi",))
    _, reason, _ = run(
        [scored(HAITI_MISSION, 0.6)], interpreted(RUTO), {}, {"bitcoi": 9.0}, named=(bitcoin,)
    )
    assert reason == "No passage by William Samoei Ruto found mentions Bitcoin."
