"""The feedback log: each 👍/👎 given to an answer in Slack, one JSON object a line, and the
eval cases it becomes.

An entry holds the verdict, the question as it was asked (made standalone, with the channel's
filters), whether it was answered, the answer text and its citations (statement id, offsets,
exact quote). `rag eval` reads such a log as a suite (rag.evaluation.suite): each question's
latest 👍 becomes a case that expects the same statements (and quotes) again, or the same
decline. A 👎 says the answer was wrong but not what the right one is, so it is left out and
counted; label those by hand into a suite of their own.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from rag.errors import ConfigError
from rag.types import Filters

Verdict = Literal["up", "down"]
VERDICTS: tuple[Verdict, ...] = ("up", "down")


@dataclass(frozen=True, slots=True)
class FeedbackCitation:
    marker: int
    statement_id: str
    start: int
    end: int
    quote: str | None
    """statement.text[start:end] when the feedback was given (None if it is gone)."""


@dataclass(frozen=True, slots=True)
class Feedback:
    verdict: Verdict
    question: str
    answerable: bool
    answer: str
    citations: tuple[FeedbackCitation, ...]
    platform: str
    channel: str
    user: str
    filters: dict[str, str] = field(default_factory=dict)
    """speaker, since, until: what the question was asked with."""
    at: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


class FeedbackLog:
    """Appends entries to a JSONL file; one writer per process (a lock), whole lines."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, entry: Feedback) -> None:
        if not entry.at:
            now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            entry = replace(entry, at=now)
        line = entry.to_json() + "\n"
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as out:
                    out.write(line)
        except OSError as exc:
            raise ConfigError(
                f"cannot write the feedback log {self.path}: {exc.strerror}",
                hint="set RAG_FEEDBACK_LOG to a writable file",
            ) from exc


def filters_of(filters: Filters) -> dict[str, str]:
    out = {"speaker": filters.speaker or ""}
    out |= {"since": filters.since.isoformat() if filters.since else ""}
    out |= {"until": filters.until.isoformat() if filters.until else ""}
    return {key: value for key, value in out.items() if value}


def is_feedback(record: Any) -> bool:
    """Whether a JSON record is a feedback entry rather than an eval case."""
    return isinstance(record, dict) and record.get("verdict") in VERDICTS and "answer" in record


def suite_records(entries: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Eval-case records (the suite's JSON format) from feedback entries, and how many
    questions were left out because their latest verdict is 👎."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in entries:
        key = (" ".join(str(entry["question"]).lower().split()), json.dumps(entry.get("filters")))
        latest.pop(key, None)  # the latest verdict wins, and keeps its place in time
        latest[key] = entry
    cases: list[dict[str, Any]] = []
    left_out = 0
    for entry in latest.values():
        cited = [c for c in entry.get("citations", []) if c.get("statement_id")]
        if entry["verdict"] != "up" or (entry["answerable"] and not cited):
            left_out += 1
            continue
        case: dict[str, Any] = {
            "id": f"feedback-{len(cases) + 1}",
            "question": entry["question"],
            "answerable": bool(entry["answerable"]),
            "gold_doc_ids": list(dict.fromkeys(c["statement_id"] for c in cited))
            if entry["answerable"]
            else [],
            "gold_quotes": [c["quote"] for c in cited if c.get("quote")]
            if entry["answerable"]
            else [],
        }
        if entry.get("filters"):
            case["filters"] = entry["filters"]
        cases.append(case)
    return cases, left_out
