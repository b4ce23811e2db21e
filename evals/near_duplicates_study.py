"""Study near-duplicate detection on the White House corpus: where the threshold falls, and why.

Fingerprints every statement and transcript (statements.jsonl.gz, remarks.jsonl.gz) with
rag.ingest.near_duplicates and prints: fingerprinting and lookup time; how many candidates an LSH
lookup compares; LSH recall against a brute-force comparison of all pairs; the distribution
of estimated similarity over every pair the LSH proposes, split by whether the two are
published within the date window; MinHash error against exact Jaccard in the borderline band;
the hand-labelled pairs (evals/near_duplicates_labels.jsonl) on each side of the threshold; a
threshold sweep; the duplicate groups at the chosen threshold with examples; the near-misses
(0.5 <= similarity < threshold, within the window); a sweep of the date window; and the alike
texts kept apart by it. A measurement, not a test: nothing is asserted. Findings:
evals/near_duplicates.md.

    .venv/bin/python evals/near_duplicates_study.py [--data ../shared/data] [--threshold 0.9]
        [--max-gap-days 14] [--examples 10] [--sample 12] [--seed 7]
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.ingest.near_duplicates import (
    DEFAULT_THRESHOLD,
    MAX_GAP_DAYS,
    SHINGLE_WORDS,
    DuplicateGroup,
    DuplicateIndex,
    Fingerprint,
    fingerprint,
    normalise,
    similarity,
)
from rag.types import DateSpan

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_DATA = EVALS_DIR.parent.parent / "shared" / "data"
LABELS = EVALS_DIR / "near_duplicates_labels.jsonl"
SOURCES = ("whitehouse/statements.jsonl.gz", "whitehouse/remarks.jsonl.gz")
LOW = 0.5  # the bottom of the band studied; LSH recall is ~87% here and ~100% from 0.6
BIN = 0.05
BANDS_EXACT = ((0.5, 0.7), (0.7, 0.85), (0.85, 0.95), (0.95, 1.01))
SWEEP = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.875, 0.9, 0.925, 0.95, 0.975, 1.0)
WINDOWS = (0, 1, 7, 14, 21, 30, 60, 365)
BRUTE_BLOCK = 256


@dataclass(frozen=True)
class Record:
    id: str
    title: str
    date: DateSpan
    text: str


def load(data: Path) -> list[Record]:
    records = []
    for source in SOURCES:
        with gzip.open(data / source, "rt", encoding="utf-8") as f:
            for line in f:
                raw = json.loads(line)
                records.append(
                    Record(
                        raw["id"], raw.get("title") or "", DateSpan.parse(raw["date"]), raw["text"]
                    )
                )
    return records


def days_apart(a: Record, b: Record) -> int:
    return abs((a.date.first - b.date.first).days)


def shingle_set(text: str) -> set[tuple[str, ...]]:
    words = normalise(text)
    width = min(SHINGLE_WORDS, len(words))
    return {tuple(words[i : i + width]) for i in range(len(words) - width + 1)} if words else set()


def edits(a: str, b: str, limit: int = 3) -> str:
    """The first few word-level differences, to read a pair at a glance."""
    wa, wb = normalise(a), normalise(b)
    if len(wa) * len(wb) > 4e7:
        return f"(long: {len(wa)} / {len(wb)} words)"
    ops = [
        op
        for op in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes()
        if op[0] != "equal"
    ]
    shown = [
        f"{' '.join(wa[i1:i2])[:60]!r}->{' '.join(wb[j1:j2])[:60]!r}"
        for _, i1, i2, j1, j2 in ops[:limit]
    ]
    more = f" (+{len(ops) - limit} more)" if len(ops) > limit else ""
    return f"{len(ops)} edits: " + "; ".join(shown) + more if ops else "identical words"


def brute_force_pairs(
    ids: list[str], fps: dict[str, Fingerprint], low: float
) -> set[tuple[str, str]]:
    """Every pair at or above `low`, by comparing all signatures (the LSH's ground truth)."""
    live = [sid for sid in ids if not fps[sid].is_empty]
    matrix = np.stack([fps[sid].values() for sid in live])
    found = set()
    for start in range(0, len(live), BRUTE_BLOCK):
        block = matrix[start : start + BRUTE_BLOCK]
        scores = (block[:, None, :] == matrix[None, :, :]).mean(axis=2)
        for i, j in zip(*np.nonzero(scores >= low), strict=True):
            a, b = live[start + int(i)], live[int(j)]
            if a < b:
                found.add((a, b))
    return found


def pair_line(score: float, a: Record, b: Record) -> str:
    return (
        f"  {score:.3f}  {days_apart(a, b):4d} d  {a.date.text} {a.title[:58]!r}\n"
        f"{'':18}{b.date.text} {b.title[:58]!r}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--max-gap-days", type=int, default=MAX_GAP_DAYS)
    parser.add_argument("--examples", type=int, default=10)
    parser.add_argument("--sample", type=int, default=12, help="borderline pairs to print")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    threshold, window = args.threshold, args.max_gap_days

    records = load(args.data)
    by_id = {r.id: r for r in records}
    chars = sum(len(r.text) for r in records)
    started = time.perf_counter()
    fps = {r.id: fingerprint(r.text) for r in records}
    fp_seconds = time.perf_counter() - started
    print(f"# Corpus: {len(records)} records, {chars / 1e6:.1f} M characters")
    print(
        f"fingerprints: {fp_seconds:.1f} s ({1000 * fp_seconds / len(records):.2f} ms a record),"
        f" {sum(fp.is_empty for fp in fps.values())} empty (no words),"
        f" {len(next(iter(fps.values())).to_string())} characters stored each"
    )

    index = DuplicateIndex()
    started = time.perf_counter()
    for r in records:
        index.add(r.id, fps[r.id], r.date)
    print(f"index: {time.perf_counter() - started:.2f} s to add all")
    sizes = [len(index.candidates(fp)) - 1 for fp in fps.values() if not fp.is_empty]
    started = time.perf_counter()
    for r in records:
        index.matches(fps[r.id], threshold, published=r.date, exclude=r.id)
    lookup_ms = 1000 * (time.perf_counter() - started) / len(records)
    print(
        f"lookup: {lookup_ms:.3f} ms each; candidates compared per lookup: mean"
        f" {statistics.mean(sizes):.2f}, p99 {sorted(sizes)[int(0.99 * len(sizes))]},"
        f" max {max(sizes)} (of {len(records)})"
    )

    proposed = index.pairs(0.0, max_gap_days=None)
    truth = brute_force_pairs(list(fps), fps, LOW)
    found = {(a, b) for a, b, s in proposed if s >= LOW}
    for low in (LOW, 0.6, threshold):
        want = {p for p in truth if similarity(fps[p[0]], fps[p[1]]) >= low}
        got = want & found
        print(f"LSH recall at >= {low:.2f}: {len(got)}/{len(want)}")

    print(f"\n# Estimated similarity of all {len(proposed)} pairs the LSH proposes")
    print(f"  bin     within {window} d   further apart")
    near, far = Counter[float](), Counter[float]()
    for a, b, s in proposed:
        bucket = min(int(s / BIN), int(1 / BIN) - 1) * BIN
        (near if days_apart(by_id[a], by_id[b]) <= window else far)[round(bucket, 2)] += 1
    for bucket in sorted(near.keys() | far.keys()):
        print(f"  {bucket:.2f}  {near[bucket]:8d}   {far[bucket]:8d}")

    shingles: dict[str, set[tuple[str, ...]]] = {}

    def exact(a: str, b: str) -> float:
        sa = shingles.setdefault(a, shingle_set(by_id[a].text))
        sb = shingles.setdefault(b, shingle_set(by_id[b].text))
        return len(sa & sb) / len(sa | sb) if sa or sb else 0.0

    scored = [(s, exact(a, b)) for a, b, s in proposed]
    print("\n# MinHash estimate against exact Jaccard, pairs chosen by their exact value")
    for low, high in BANDS_EXACT:
        errors = [s - e for s, e in scored if low <= e < high]
        if errors:
            print(
                f"  exact in [{low:.2f}, {min(high, 1.0):.2f}]: {len(errors):5d} pairs, mean error"
                f" {statistics.mean(errors):+.3f}, sd {statistics.pstdev(errors):.3f}"
            )
    across = sum((s >= threshold) != (e >= threshold) for s, e in scored)
    print(
        f"  pairs the estimate puts on the other side of {threshold} from the exact value: {across}"
    )

    print("\n# Hand-labelled pairs (evals/near_duplicates_labels.jsonl)")
    labels = [json.loads(line) for line in LABELS.read_text().splitlines() if line.strip()]
    wrong = 0
    for label in labels:
        first, second = by_id[label["a"]], by_id[label["b"]]
        score = similarity(fps[first.id], fps[second.id])
        gap = days_apart(first, second)
        merged = score >= threshold and gap <= window
        verdict = "ok" if merged == label["copy"] else "WRONG"
        wrong += verdict == "WRONG"
        kind = "copy" if label["copy"] else "different"
        print(f"  {verdict:5} {kind:9} {score:.3f} {gap:4d} d  {label['why']}")
    print(f"  {len(labels) - wrong}/{len(labels)} on the right side")

    print(f"\n# Threshold sweep (dates within {window} days)")
    print("  threshold  pairs  groups  records-in-groups  alike-but-far-apart")
    for t in SWEEP:
        pairs = [(a, b, s) for a, b, s in proposed if s >= t]
        within = [p for p in pairs if days_apart(by_id[p[0]], by_id[p[1]]) <= window]
        groups = index.groups(t, max_gap_days=window)
        members = sum(1 + len(g.others) for g in groups)
        print(
            f"  {t:9.3f}  {len(within):5d}  {len(groups):6d}  {members:17d}"
            f"  {len(pairs) - len(within):19d}"
        )

    print(f"\n# Date window sweep (threshold {threshold})")
    print("  max days apart  pairs  groups")
    for days in (*WINDOWS, None):
        pairs = index.pairs(threshold, max_gap_days=days)
        groups = index.groups(threshold, max_gap_days=days)
        print(f"  {'none' if days is None else days:>14}  {len(pairs):5d}  {len(groups):6d}")

    groups = index.groups(threshold, max_gap_days=window)
    print_groups(groups, index, by_id, fps, threshold, args.examples, args.seed)

    in_band = [
        (a, b, s)
        for a, b, s in proposed
        if LOW <= s < threshold and days_apart(by_id[a], by_id[b]) <= window
    ]
    print(f"\n# Near-misses: {len(in_band)} pairs in [{LOW}, {threshold}) within {window} days")
    print(f"  closest {args.examples} to the threshold (one per title pair):")
    seen = set()
    shown = 0
    for a, b, s in sorted(in_band, key=lambda p: -p[2]):
        key = (by_id[a].title, by_id[b].title)
        if key in seen:
            continue
        seen.add(key)
        print(pair_line(s, by_id[a], by_id[b]))
        print(f"{'':18}{edits(by_id[a].text, by_id[b].text)}")
        shown += 1
        if shown == args.examples:
            break
    rng = random.Random(args.seed)
    sample = rng.sample(in_band, min(args.sample, len(in_band)))
    print(f"  a seeded sample of {len(sample)} from the band, to hand-check:")
    for a, b, s in sorted(sample, key=lambda p: -p[2]):
        print(pair_line(s, by_id[a], by_id[b]))
        print(f"{'':18}{edits(by_id[a].text, by_id[b].text)}")

    apart = [
        (a, b, s)
        for a, b, s in proposed
        if s >= threshold and days_apart(by_id[a], by_id[b]) > window
    ]
    print(f"\n# Alike but more than {window} days apart (kept apart): {len(apart)} pairs")
    gaps = Counter(
        "15-60 d" if g <= 60 else "61-300 d" if g <= 300 else "over 300 d"
        for g in (days_apart(by_id[a], by_id[b]) for a, b, _ in apart)
    )
    print("  " + ", ".join(f"{k}: {v}" for k, v in sorted(gaps.items())))
    for a, b, s in sorted(apart, key=lambda p: days_apart(by_id[p[0]], by_id[p[1]]))[
        : args.examples
    ]:
        print(pair_line(s, by_id[a], by_id[b]))


def print_groups(
    groups: list[DuplicateGroup],
    index: DuplicateIndex,
    by_id: dict[str, Record],
    fps: dict[str, Fingerprint],
    threshold: float,
    examples: int,
    seed: int,
) -> None:
    sizes = Counter(1 + len(g.others) for g in groups)
    members = sum(sizes[n] * n for n in sizes)
    print(
        f"\n# Duplicate groups at {threshold}: {len(groups)} groups, {members} records,"
        f" {members - len(groups)} copies that would be cited through their canonical"
    )
    print("  sizes: " + ", ".join(f"{n} copies x {sizes[n]}" for n in sorted(sizes)))

    def weakest(group: DuplicateGroup) -> float:
        canonical = fps[group.canonical]
        return min(similarity(canonical, fps[other]) for other in group.others)

    ordered = sorted(groups, key=weakest)
    half = examples // 2
    rest = ordered[half:]
    picked = ordered[:half] + random.Random(seed).sample(rest, min(examples - half, len(rest)))
    print(f"  {half} with the least similar copies, then {examples - half} at random:")
    for group in picked:
        canonical = by_id[group.canonical]
        print(f"  * {canonical.date.text} {canonical.title[:80]!r}  [{canonical.id}]")
        for other in group.others:
            r = by_id[other]
            s = similarity(fps[group.canonical], fps[other])
            print(f"      also {r.date.text} sim {s:.3f} {r.title[:60]!r}  [{r.id}]")
            print(f"           {edits(canonical.text, r.text)}")


if __name__ == "__main__":
    main()
