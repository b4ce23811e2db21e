"""datasketch's MinHash and LSH against the numpy MinHash of rag/ingest/near_duplicates.py, on
the White House corpus and the hand-labelled pairs (evals/near_duplicates_labels.jsonl).

"ours" is rag/ingest/near_duplicates.py (a splitmix-style 64-bit shingle hash, 128
multiply-add permutations kept to 32 bits, numpy; LSH as dicts of band keys); "datasketch" is
evals/near_duplicates_with_datasketch.py, the same module with datasketch's `MinHash` (scheme
affine32) and `MinHashLSH` (32 bands of 4) in their place. Both read the same words and word
5-shingles and group with the same rule (estimated Jaccard >= 0.9, published at most 14 days
apart, linked transitively).

Prints: the time to fingerprint every record, to index them and to look each one up (the two
run interleaved, `--repeat` times each, the best counted, since the machine is shared); the
duplicate groups of each and how they agree; precision and recall of "same group" on the
labelled pairs; and how far the two estimates of the borderline pairs are apart. Nothing is
tuned: the threshold and window are those set in evals/near_duplicates.md. A measurement, not
a test. Needs `pip install datasketch`.

    .venv/bin/python evals/near_duplicates_datasketch.py [--data ../shared/data] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import near_duplicates_with_datasketch as datasketch_variant
from near_duplicates_study import DEFAULT_DATA, LABELS, Record, load

import rag.ingest.near_duplicates as ours
from rag.types import DateSpan

Pair = tuple[str, str]


def grouped_pairs(groups: list[Any]) -> set[Pair]:
    members = [(g.canonical, *g.others) for g in groups]
    return {(a, b) for g in members for a in g for b in g if a < b}


def days_apart(a: DateSpan, b: DateSpan) -> int:
    return max(0, (a.first - b.last).days, (b.first - a.last).days)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs; best counts")
    args = parser.parse_args()
    sides = {"ours (numpy)": ours, "datasketch": datasketch_variant}
    records: list[Record] = load(args.data)
    n = len(records)
    print(f"{n} records; {args.repeat} interleaved runs per timing, best counted\n")

    timings: dict[str, dict[str, float]] = {name: {} for name in sides}
    fingerprints: dict[str, dict[str, Any]] = {}
    indexes: dict[str, Any] = {}
    for _ in range(args.repeat):
        for name, module in sides.items():
            started = time.perf_counter()
            fps = {r.id: module.fingerprint(r.text) for r in records}
            fingerprinted = time.perf_counter()
            index = module.DuplicateIndex()
            for r in records:
                index.add(r.id, fps[r.id], r.date)
            indexed = time.perf_counter()
            for r in records:
                index.matches(fps[r.id], published=r.date, exclude=r.id)
            looked = time.perf_counter()
            best = timings[name]
            for what, seconds in (
                ("fingerprint", fingerprinted - started),
                ("index", indexed - fingerprinted),
                ("lookup", looked - indexed),
            ):
                best[what] = min(best.get(what, float("inf")), seconds)
            fingerprints[name], indexes[name] = fps, index

    names = list(sides)
    groups = {name: indexes[name].groups() for name in names}
    print(f"| | {' | '.join(names)} |")
    print("|---|---:|---:|")
    rows = (
        (f"fingerprint all {n} records (s)", "fingerprint", 1.0, ".1f"),
        ("index them (s)", "index", 1.0, ".2f"),
        ("one lookup (ms)", "lookup", 1000 / n, ".3f"),
    )
    for label, what, scale, spec in rows:
        cells = [format(timings[name][what] * scale, spec) for name in names]
        print(f"| {label} | {' | '.join(cells)} |")
    print(f"| duplicate groups | {' | '.join(str(len(groups[x])) for x in names)} |")
    in_groups = [str(sum(1 + len(g.others) for g in groups[x])) for x in names]
    print(f"| records in them | {' | '.join(in_groups)} |")
    a, b = (grouped_pairs(groups[x]) for x in names)
    same = len(
        {(g.canonical, g.others) for g in groups[names[0]]}
        & set((g.canonical, g.others) for g in groups[names[1]])
    )
    print(f"| groups identical in both | {same} | {same} |")
    print(f"| pairs grouped | {len(a)} | {len(b)} (in both: {len(a & b)}) |")

    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    print("\nLabelled pairs (same group = copy):")
    for name in names:
        together = grouped_pairs(groups[name])
        tp = fp = fn = tn = 0
        for label in labels:
            found = (min(label["a"], label["b"]), max(label["a"], label["b"])) in together
            if label["copy"]:
                tp, fn = tp + found, fn + (not found)
            else:
                fp, tn = fp + found, tn + (not found)
        precision = tp / (tp + fp) if tp + fp else 1.0
        print(
            f"  {name:18} {tp + fn} copies, {fp + tn} not: precision {precision:.3f}, recall"
            f" {tp / (tp + fn):.3f}, {tp + tn}/{len(labels)} right"
        )

    by_id = {r.id: r for r in records}
    fps_ours, fps_ds = (fingerprints[x] for x in names)
    pairs = {
        (min(x, y), max(x, y))
        for name in names
        for x, y, _ in indexes[name].pairs(0.5, max_gap_days=14)
    }
    diffs = [
        datasketch_variant.similarity(fps_ds[x], fps_ds[y])
        - ours.similarity(fps_ours[x], fps_ours[y])
        for x, y in pairs
    ]
    print(
        f"\nThe {len(diffs)} pairs within 14 days at >= 0.5 by either: datasketch minus ours: mean"
        f" {statistics.mean(diffs):+.4f}, sd {statistics.pstdev(diffs):.4f},"
        f" largest |difference| {max(abs(d) for d in diffs):.3f}"
    )
    near = [
        (
            ours.similarity(fps_ours[x], fps_ours[y]),
            datasketch_variant.similarity(fps_ds[x], fps_ds[y]),
        )
        for x, y in pairs
        if days_apart(by_id[x].date, by_id[y].date) <= 14
    ]
    for low, high in ((0.85, 0.9), (0.9, 0.95)):
        counts = [sum(low <= s[i] < high for s in near) for i in (0, 1)]
        print(f"  pairs estimated in [{low}, {high}): ours {counts[0]}, datasketch {counts[1]}")


if __name__ == "__main__":
    main()
