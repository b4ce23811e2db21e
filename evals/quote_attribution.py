"""Measure rag.people.quotes.find_quotes on the hand-labelled sample in evals/quotes_sample.jsonl.

    PYTHONPATH=. .venv/bin/python evals/quote_attribution.py [--sample FILE] [--data DIR]
        [--round N ...]   # rounds 1-2 tuned the rules; round 3 is the held-out check

Prints recall (gold quotations found: a Quote covering >= 80% of the gold span), attribution
accuracy (found quotations whose speaker is the gold speaker: distinctive name words a subset
either way, or both None), how many labelled names-of-things were rightly skipped, the time
per statement, and every disagreement.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rag.people import Quote, distinctive_tokens, find_quotes

ROOT = Path(__file__).resolve().parent
COVER = 0.8


def _statements(data: Path, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The sampled statements, read from the source files (title and speaker as ingest has them)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for source in sorted({s for s, _ in wanted}):
        path = data / source
        if source.endswith(".txt"):
            text = path.read_text(encoding="utf-8")
            found[(source, path.stem)] = {"text": text, "title": None, "speaker": None}
            continue
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                if (source, record["id"]) in wanted:
                    found[(source, record["id"])] = record
    return found


def _cover(quote: Quote, start: int, end: int) -> float:
    return max(0, min(quote.end, end) - max(quote.start, start)) / max(1, end - start)


def same_speaker(found: str | None, gold: str | None) -> bool:
    if found is None or gold is None:
        return found is None and gold is None
    a, b = distinctive_tokens(found), distinctive_tokens(gold)
    return bool(a and b) and (a <= b or b <= a)


def evaluate(rows: Iterable[dict[str, Any]], data: Path) -> None:
    rows = list(rows)
    texts = _statements(data, {(r["source_file"], r["statement_id"]) for r in rows})
    quotes: dict[tuple[str, str], tuple[Quote, ...]] = {}
    times: list[float] = []
    for key, record in texts.items():
        begin = time.perf_counter()
        quotes[key] = find_quotes(record["text"], record.get("title"), record.get("speaker"))
        times.append(time.perf_counter() - begin)
    direct = [r for r in rows if r["direct"]]
    named_things = [r for r in rows if not r["direct"]]
    found = correct = 0
    named_found = named_correct = 0
    by_stratum: Counter[str] = Counter()
    right_by_stratum: Counter[str] = Counter()
    cues: Counter[str] = Counter()
    misses: list[str] = []
    wrong: list[str] = []
    for row in direct:
        key = (row["source_file"], row["statement_id"])
        match = next((q for q in quotes[key] if _cover(q, row["start"], row["end"]) >= COVER), None)
        by_stratum[row["stratum"]] += 1
        if match is None:
            misses.append(f"  MISSED {row['statement_id']} @{row['start']}: {row['quote'][:70]!r}")
            continue
        found += 1
        cues[match.cue] += 1
        named_found += bool(row["speaker"])
        if same_speaker(match.speaker, row["speaker"]):
            correct += 1
            named_correct += bool(row["speaker"])
            right_by_stratum[row["stratum"]] += 1
        else:
            wrong.append(
                f"  {row['statement_id']} @{row['start']}: gold={row['speaker']!r} "
                f"found={match.speaker!r} ({match.cue}); evidence: {row['evidence']}\n"
                f"      {row['quote'][:90]!r}"
            )
    returned = [
        r
        for r in named_things
        if any(
            _cover(q, r["start"], r["end"]) >= COVER
            for q in quotes[(r["source_file"], r["statement_id"])]
        )
    ]
    skipped = len(named_things) - len(returned)
    named = [r for r in direct if r["speaker"]]
    print(
        f"sample: {len(rows)} quoted spans in {len(texts)} statements; {len(direct)} direct "
        f"quotations ({len(named)} with a named speaker), {len(named_things)} names/titles"
    )
    print(f"recall:   {found}/{len(direct)} = {found / len(direct):.3f} direct quotations found")
    print(
        f"accuracy: {correct}/{found} = {correct / max(1, found):.3f} found quotations with the "
        "gold speaker"
    )
    nameless_found = found - named_found
    print(
        f"  gold speaker named: {named_correct}/{named_found}; gold None: "
        f"{correct - named_correct}/{nameless_found} (answering None always would score "
        f"{nameless_found}/{found} = {nameless_found / max(1, found):.3f})"
    )
    print(f"skipped:  {skipped}/{len(named_things)} names of things / scare quotes not returned")
    for stratum in sorted(by_stratum):
        print(
            f"  {stratum:22s} {by_stratum[stratum]:4d} gold, {right_by_stratum[stratum]:4d} "
            "found with the right speaker"
        )
    print("cues of found quotations:", dict(cues.most_common()))
    times.sort()
    print(
        f"find_quotes per statement: median {1000 * times[len(times) // 2]:.2f} ms, "
        f"max {1000 * times[-1]:.2f} ms"
    )
    print(f"\nwrong speaker ({len(wrong)}):")
    print("\n".join(wrong))
    print(f"\nmissed ({len(misses)}):")
    print("\n".join(misses))
    print(f"\nnames of things / scare quotes returned as quotations ({len(returned)}):")
    print("\n".join(f"  {r['statement_id']} @{r['start']}: {r['quote'][:70]!r}" for r in returned))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, default=ROOT / "quotes_sample.jsonl")
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument(
        "--round", type=int, action="append", help="only these draw rounds (3: held out)"
    )
    args = parser.parse_args()
    with args.sample.open(encoding="utf-8") as lines:
        rows = [r for r in map(json.loads, lines) if not args.round or r["round"] in args.round]
    evaluate(rows, args.data)


if __name__ == "__main__":
    main()
