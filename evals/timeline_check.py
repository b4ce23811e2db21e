"""Timeline correctness on hand-checked topics (evals/timelines.jsonl).

    .venv/bin/python evals/timeline_check.py --data-dir DIR [--cases evals/timelines.jsonl]

DIR is a store holding the White House and UN General Debate corpora of ../shared/data
(`RAG_DATA_DIR=DIR rag ingest ../shared/data/whitehouse/statements.jsonl.gz
../shared/data/ungdc/speeches_2015_2024.jsonl.gz`). Each case names a speaker and a topic,
the statements a correct timeline must list (`required`, labelled by reading them) and
those it may list (`acceptable`). Per case it prints:

- recall: required statements the timeline lists;
- precision: entries that are required or acceptable;
- ordered: dated entries in date order, undated last;
- on topic: entries whose cited line holds a word of the topic (stems);
- verified: entries whose citation is exactly the stored text at its offsets.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rag.service import Service
from rag.settings import load_settings
from rag.text.words import content_terms
from rag.types import TimelineEntry
from rag.wiring import build_service

ROOT = Path(__file__).resolve().parent


def _on_topic(entry: TimelineEntry, topic: str) -> bool:
    keys = {t[:5] for t in content_terms(topic)}
    return bool(keys & {t[:5] for t in content_terms(entry.citation.quote)})


def _ordered(entries: tuple[TimelineEntry, ...]) -> bool:
    dates = [e.date for e in entries]
    dated = [d for d in dates if d]
    return dated == sorted(dated) and all(dates[: len(dated)])


def check(service: Service, case: dict[str, object]) -> dict[str, object]:
    speaker, topic = str(case["speaker"]), str(case["topic"])
    required = set(map(str, case["required"]))  # type: ignore[call-overload]
    acceptable = required | set(map(str, case["acceptable"]))  # type: ignore[call-overload]
    answer = service.timeline(service.timeline_query(speaker, topic))
    entries = answer.timeline
    listed = [e.statement_id for e in entries]
    texts = {sid: service.get_statement(sid).text for sid in set(listed)}
    return {
        "id": case["id"],
        "entries": len(entries),
        "recall": len(required & set(listed)) / len(required),
        "precision": sum(1 for s in listed if s in acceptable) / len(listed) if listed else 0.0,
        "ordered": _ordered(entries),
        "on_topic": sum(1 for e in entries if _on_topic(e, topic)),
        "verified": sum(
            1
            for e in entries
            if texts[e.statement_id][e.citation.start : e.citation.end] == e.citation.quote
        ),
        "missed": sorted(required - set(listed)),
        "extra": [s for s in listed if s not in acceptable],
        "lines": [(e.date, e.statement_id, e.verbatim, e.citation.quote[:90]) for e in entries],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--cases", type=Path, default=ROOT / "timelines.jsonl")
    parser.add_argument("--verbose", action="store_true", help="print every entry")
    args = parser.parse_args()
    service = build_service(load_settings(data_dir=args.data_dir, _env_file=None))
    cases = [json.loads(line) for line in args.cases.read_text(encoding="utf-8").splitlines()]
    print(
        f"{'case':<22}{'entries':>8}{'recall':>8}{'precision':>10}{'ordered':>8}"
        f"{'on topic':>9}{'verified':>9}"
    )
    results = [check(service, case) for case in cases]
    for r in results:
        print(
            f"{r['id']!s:<22}{r['entries']:>8}{r['recall']:>8.2f}{r['precision']:>10.2f}"
            f"{r['ordered']!s:>8}{r['on_topic']:>9}{r['verified']:>9}"
        )
    for r in results:
        if r["missed"] or r["extra"] or args.verbose:
            print(f"\n{r['id']}: missed {r['missed']}\n  extra {r['extra']}")
            if args.verbose:
                for line in r["lines"]:  # type: ignore[attr-defined]
                    print("   ", *line)


if __name__ == "__main__":
    main()
