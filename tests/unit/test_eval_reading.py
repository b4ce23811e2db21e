"""rag/evaluation: the reading suite's labels and the metrics computed from them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from rag.evaluation.metrics import CaseResult, compute
from rag.evaluation.reading import ReadingCheck
from rag.evaluation.suite import load_suite

CASE = {
    "id": "japan-2017",
    "question": "What did Japan's prime minister say about North Korea at the UN in 2017?",
    "answerable": False,
    "gold_doc_ids": [],
    "reading": {
        "speakers": [],
        "countries": ["Japan"],
        "since": "2017-01-01",
        "until": "2017-12-31",
        "date_granularity": "year",
        "event_years": [],
        "topic_people": [],
        "speaker_is_explicit": False,
        "decline_must_name": ["Japan", "2017"],
    },
}


def test_a_case_carries_its_reading_label(tmp_path: Path) -> None:
    path = tmp_path / "reading.jsonl"
    path.write_text(json.dumps(CASE) + "\n")
    (case,) = load_suite(path).cases
    assert case.reading is not None
    assert case.reading.countries == ("Japan",)
    assert (case.reading.since, case.reading.until) == (dt.date(2017, 1, 1), dt.date(2017, 12, 31))
    assert case.reading.decline_must_name == ("Japan", "2017")


def row(check: ReadingCheck, answerable: bool = False) -> CaseResult:
    return CaseResult(
        id="x",
        question="q",
        answerable=answerable,
        gold_doc_ids=(),
        ranked_statement_ids=(),
        gold_rank=None,
        gold_quotes_covered=0,
        gold_quotes_total=0,
        predicted_answerable=False,
        answer="",
        cited_statement_ids=(),
        citations_checked=0,
        citations_failing_check=0,
        citations_dropped=0,
        must_include_found=0,
        must_include_total=0,
        retrieval_seconds=0.01,
        answer_seconds=0.02,
        reading=check,
    )


def test_reading_metrics_count_wrong_and_missed_readings_and_true_reasons() -> None:
    right = ReadingCheck((), ("Japan",), None, None, False, False, False, True, True)
    wrong = dataclasses.replace(right, wrong_who=True, wrong_date=True, true_reason=False)
    metrics = compute([row(right), row(wrong), row(right)])
    assert metrics["reading_cases"] == 3
    assert metrics["wrong_who_applied"] == metrics["wrong_date_applied"] == 1 / 3
    assert metrics["missed_date"] == 1.0
    assert metrics["declined_true_reason"] == 2 / 3
    assert "wrong_who_applied" not in compute([dataclasses.replace(row(right), reading=None)])
