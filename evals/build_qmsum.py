"""Build the QMSum committee suite and its corpus from the shared QMSum data (train + val only).

One statement per meeting (every turn written as "<speaker>: <content>", turns separated by a blank
line) and one case per specific, non-summary query, whose gold quotes are the verbatim contents of
the turns inside the query's relevant spans. The test split is never read: it stays held out.

    python evals/build_qmsum.py [--data ../shared/data/qmsum-committee]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

SPLITS = ("train", "val")
SOURCE = "QMSum (Yale-LILY/QMSum @83d7768, MIT), data/Committee"
SUMMARY_PREFIXES = ("summarize", "summarise")
TURN_SEPARATOR = "\n\n"
EVALS_DIR = Path(__file__).resolve().parent
CORPUS_PATH = EVALS_DIR / "corpora" / "qmsum-committee.jsonl"
SUITE_PATH = EVALS_DIR / "qmsum-committee.jsonl"
DEFAULT_DATA = EVALS_DIR.parent.parent / "shared" / "data" / "qmsum-committee"


def meeting_text(turns: list[dict[str, str]]) -> str:
    return TURN_SEPARATOR.join(f"{turn['speaker']}: {turn['content']}" for turn in turns)


def span_turns(spans: list[list[str]], turn_count: int) -> list[int]:
    """Turn indexes inside the (inclusive, string-valued) spans, in order, each once."""
    indexes: list[int] = []
    for start, end in spans:
        first, last = int(start), int(end)
        if not 0 <= first <= last < turn_count:
            raise ValueError(f"span {start}-{end} is outside a meeting of {turn_count} turns")
        indexes.extend(i for i in range(first, last + 1) if i not in indexes)
    return indexes


def gold_quotes(turns: list[dict[str, str]], spans: list[list[str]], text: str) -> list[str]:
    """Contents of the turns in the spans.

    Left out: empty turns, repeats, and turns whose words occur more than once in the
    meeting ("Thank you."), since a quote is located by its text and would point elsewhere.
    """
    quotes: list[str] = []
    for index in span_turns(spans, len(turns)):
        content = turns[index]["content"]
        if content.strip() and content not in quotes and text.count(content) == 1:
            assert text.find(content) >= 0, f"turn {index} not found in the meeting text"
            quotes.append(content)
    return quotes


def build(data_dir: Path) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    statements: list[dict[str, object]] = []
    cases: list[dict[str, object]] = []
    for split in SPLITS:
        lines = (data_dir / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
        meetings = [json.loads(line) for line in lines if line.strip()]
        for index, meeting in enumerate(meetings):
            turns = meeting["meeting_transcripts"]
            meeting_id = f"qmsum-{split}-{index:02d}"
            text = meeting_text(turns)
            statements.append(
                {
                    "id": meeting_id,
                    "title": f"Committee meeting {split} {index:02d}",
                    "text": text,
                    "split": split,
                    "meeting_index": index,
                    "turns": len(turns),
                    "source": SOURCE,
                }
            )
            for number, query in enumerate(meeting["specific_query_list"], start=1):
                question = query["query"].strip()
                if question.lower().startswith(SUMMARY_PREFIXES):
                    continue
                cases.append(
                    {
                        "id": f"{meeting_id}-q{number}",
                        "question": question,
                        "answerable": True,
                        "gold_doc_ids": [meeting_id],
                        "must_include": [],
                        "reference_answer": query["answer"],
                        "gold_quotes": gold_quotes(turns, query["relevant_text_span"], text),
                    }
                )
    return statements, cases


def write_jsonl(path: Path, records: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="folder of {train,val}.jsonl"
    )
    args = parser.parse_args()
    statements, cases = build(args.data)
    write_jsonl(CORPUS_PATH, statements)
    write_jsonl(SUITE_PATH, cases)
    what_did = sum(1 for case in cases if str(case["question"]).startswith("What did"))
    quotes = sum(len(list(case["gold_quotes"])) for case in cases)
    print(f"meetings: {len(statements)}  -> {CORPUS_PATH}")
    print(f"cases: {len(cases)} ({what_did} starting with 'What did', {quotes} gold quotes)")
    print(f"  -> {SUITE_PATH}")


if __name__ == "__main__":
    main()
