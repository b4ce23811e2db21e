"""rag/retrieval/relevance.py: the decline gate, over hand-built passages and interpretations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pytest

from rag.retrieval.relevance import MIN_COVERAGE, judge
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


def scored(text: str, score: float, index: int = 0) -> ScoredPassage:
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
    return ScoredPassage(passage, score)


def interpreted(
    speakers: tuple[str, ...] = ("William Samoei Ruto",),
    since: dt.date | None = None,
    until: dt.date | None = None,
    topic: str = "Haiti",
    relaxed: tuple[str, ...] = (),
) -> Interpreted:
    return Interpreted(
        speakers=speakers,
        since=since,
        until=until,
        topic=topic,
        timeline=False,
        applied_speakers=() if "speakers" in relaxed else speakers,
        applied_since=None if "dates" in relaxed else since,
        applied_until=None if "dates" in relaxed else until,
        relaxed=relaxed,
    )


def run(
    passages: list[ScoredPassage],
    meaning: Interpreted | None,
    topic: Mapping[str, str],
    idf: Mapping[str, float] | None = None,
    min_coverage: float = MIN_COVERAGE,
) -> tuple[bool, str, float | None]:
    weights = idf or dict.fromkeys(topic, 1.0)
    verdict = judge(
        passages,
        meaning,
        topic,
        weights.__getitem__,
        lambda p: p.passage.text,
        MIN_SIMILARITY,
        min_coverage,
    )
    return verdict.answerable, verdict.reason, verdict.coverage


# ---- what the question names was dropped ----------------------------------------------


@pytest.mark.parametrize(
    ("since", "until", "period"),
    [
        pytest.param(
            dt.date(2019, 1, 1),
            dt.date(2019, 12, 31),
            "between 2019-01-01 and 2019-12-31",
            id="a-year",
        ),
        pytest.param(dt.date(2019, 3, 4), dt.date(2019, 3, 4), "from 2019-03-04", id="a-day"),
        pytest.param(dt.date(2019, 3, 4), None, "since 2019-03-04", id="since"),
        pytest.param(None, dt.date(2019, 3, 4), "until 2019-03-04", id="until"),
    ],
)
def test_relaxed_dates_decline_naming_the_period_and_speakers(
    since: dt.date | None, until: dt.date | None, period: str
) -> None:
    meaning = interpreted(since=since, until=until, relaxed=("dates",))

    answerable, reason, coverage = run([scored(HAITI_MISSION, 0.7)], meaning, {"haiti": "Haiti"})

    assert not answerable
    assert reason.startswith(f"No statement by William Samoei Ruto {period} ")
    assert coverage is None


def test_relaxed_dates_name_every_speaker_or_anyone() -> None:
    since, until = dt.date(2019, 1, 1), dt.date(2019, 12, 31)
    both = interpreted(("Joe Biden", "William Ruto"), since, until, relaxed=("dates",))
    nobody = interpreted((), since, until, relaxed=("dates",))

    assert "by Joe Biden and William Ruto between" in run([], both, {})[1]
    assert "No statement by anyone between 2019-01-01" in run([], nobody, {})[1]


def test_relaxed_speakers_decline_naming_them() -> None:
    meaning = interpreted(speakers=("Kamala Harris",), relaxed=("speakers",))

    answerable, reason, _ = run([scored(HAITI_MISSION, 0.7)], meaning, {"haiti": "Haiti"})

    assert not answerable
    assert reason == "No statement by Kamala Harris matches the question."


def test_relaxed_dates_and_speakers_decline_naming_the_period() -> None:
    meaning = interpreted(
        speakers=("Kamala Harris",),
        since=dt.date(2019, 1, 1),
        until=dt.date(2019, 12, 31),
        relaxed=("dates", "speakers"),
    )
    _, reason, _ = run([scored(HAITI_MISSION, 0.7)], meaning, {"haiti": "Haiti"})
    assert reason.startswith("No statement by Kamala Harris between 2019-01-01 and 2019-12-31 ")


def test_people_named_together_in_a_period_decline_when_only_apart() -> None:
    meaning = interpreted(
        speakers=("Joe Biden", "William Ruto"),
        since=dt.date(2023, 10, 2),
        until=dt.date(2023, 10, 6),
        relaxed=("all speakers",),
    )
    answerable, reason, _ = run([scored(HAITI_MISSION, 0.7)], meaning, {"haiti": "Haiti"})
    assert not answerable
    assert reason.startswith("No statement by Joe Biden and William Ruto together between ")


def test_people_named_together_without_a_period_may_be_answered_apart() -> None:
    meaning = interpreted(speakers=("Joe Biden", "William Ruto"), relaxed=("all speakers",))
    assert run([scored(HAITI_MISSION, 0.7)], meaning, {"haiti": "Haiti"}) == (True, "", 1.0)


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

    answerable, reason, coverage = run([scored(HAITI_MISSION, 0.6)], interpreted(), topic, idf)

    assert not answerable
    assert reason == "No passage found mentions tariffs."
    assert coverage == pytest.approx(0.2)
    # With equal weights the same passage covers two thirds of the topic.
    assert run([scored(HAITI_MISSION, 0.6)], interpreted(), topic)[:2] == (True, "")


def test_missing_words_are_named_rarest_first_at_most_three() -> None:
    topic = {"haiti": "Haiti", "tariff": "tariffs", "pope": "Pope", "vatica": "Vatican"}
    topic |= {"steel": "steel"}
    idf = {"haiti": 0.5, "tariff": 6.0, "pope": 9.0, "vatica": 7.0, "steel": 5.0}

    answerable, reason, _ = run([scored(HAITI_MISSION, 0.6)], interpreted(), topic, idf)

    assert not answerable
    assert reason == "No passage found mentions Pope, Vatican, tariffs."


def test_words_only_in_passages_not_close_enough_do_not_count() -> None:
    topic = {"digita": "digital", "inclus": "inclusion"}
    passages = [scored(HAITI_MISSION, 0.5), scored(DIGITAL, 0.1, 1)]

    answerable, reason, coverage = run(passages, interpreted(topic="digital inclusion"), topic)

    assert not answerable
    assert reason == "No passage found mentions digital, inclusion."
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
