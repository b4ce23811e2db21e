"""Real records from tests/fixtures that the speaker attribution tests read, and helpers
over them: shared by the tests of rag/people/attribution.py and rag/people/turns.py."""

from __future__ import annotations

import json

from rag.people import Attribution, Turn, attribute
from rag.text.sentences import split_sentences
from tests.unit.conftest import FIXTURES

Record = dict[str, str]


def _records(name: str) -> dict[str, Record]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return {record["id"]: record for record in map(json.loads, lines)}


REMARKS = _records("remarks-sample.ndjson")
QMSUM = _records("qmsum-sample.ndjson")
WHITEHOUSE = _records("whitehouse-sample.jsonl")
MELANIA = next(iter(_records("statements-sample.ndjson").values()))

MARINE_ONE = REMARKS[
    "speeches-remarks/2021-03/2021-03-26-remarks-by-president-biden-before-marine-one-departure"
]
AIR_FORCE_ONE = REMARKS[
    "remarks/2025-01/2025-01-24-remarks-by-president-trump-before-air-force-one-departure"
]
BRIEFING = REMARKS[
    "speeches-remarks/2023-06/2023-06-07-press-briefing-by-press-secretary-karine-jean-pierre-38"
]
LUNCHEON = REMARKS[
    "speeches-remarks/2024-05/2024-05-24-remarks-by-vice-president-harris-and-president-william-"
    "ruto-of-the-republic-of-kenya-at-a-state-luncheon"
]
PRESS_CONFERENCE = REMARKS[
    "speeches-remarks/2024-05/2024-05-23-remarks-by-president-biden-and-president-william-ruto-of-"
    "the-republic-of-kenya-in-joint-press-conference"
]
BIDEN_RUTO_CALL = WHITEHOUSE[
    "statements-releases/2023-10/"
    "2023-10-03-readout-of-president-bidens-call-with-president-william-ruto-of-kenya"
]


def sentences(text: str) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in split_sentences(text)]


def attribute_record(record: Record, spans: list[tuple[int, int]] | None = None) -> Attribution:
    text = record["text"]
    return attribute(text, record.get("title"), record.get("speaker"), spans or sentences(text))


def turn_speakers(turns: tuple[Turn, ...]) -> list[tuple[str, str | None]]:
    return [(t.label, t.speaker) for t in turns]
