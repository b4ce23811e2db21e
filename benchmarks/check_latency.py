"""How long the checks of one answer take: `check_answer` on answers of five sentences.

    .venv/bin/python benchmarks/check_latency.py [--answers 300] [--sentences 5]

Answers are built from the dev claims of the labelled claim set (evals/claims/): five claims
drawn with a fixed seed, their markers renumbered, each citing its passages as ingest stores
them (speakers, quotations, instruction flags). Each answer is checked from scratch, cited
texts read afresh, as `Asker.check` does for each draft; prints p50/p95/p99 in ms of wall
time and of the thread's CPU time (on a shared machine the CPU time is what a quiet one takes). Run it
twice against two trees (PYTHONPATH) to compare; the old tree has no `check_answer` and is
called the way its `Asker.check` called the checks.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "evals"))

from claim_checks import (  # noqa: E402  (evals/ is not a package)
    CLAIMS,
    checker,
    citation,
    ingested,
    read_jsonl,
)
from common import percentile  # noqa: E402

_MARKER = re.compile(r"\[(\d+)\]")


def answers(count: int, sentences: int, seed: int = 13) -> list[tuple[str, str, list, list]]:
    """(question, answer, citations, cited passages) of `count` answers of `sentences` claims."""
    records = {p["passage"]: p for p in read_jsonl(CLAIMS / "passages.jsonl")}
    claims = read_jsonl(CLAIMS / "claims-dev.jsonl")
    cited = {pid: ingested(records[pid]) for c in claims for pid in c["cited"].values()}
    rng = random.Random(seed)
    built = []
    for _ in range(count):
        parts, citations, passages = [], [], []
        for claim in rng.sample(claims, sentences):
            mapping: dict[str, int] = {}
            for marker, pid in sorted(claim["cited"].items()):
                mapping[marker] = len(citations) + 1
                citations.append(citation(mapping[marker], cited[pid]))
                passages.append(cited[pid])
            renumber = mapping.copy()
            parts.append(
                _MARKER.sub(lambda m, r=renumber: f"[{r.get(m.group(1), 0)}]", claim["answer"])
            )
        built.append((claims[0]["question"], " ".join(parts), citations, passages))
    return built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=300)
    parser.add_argument("--sentences", type=int, default=5)
    args = parser.parse_args()
    name, check = checker()
    built = answers(args.answers, args.sentences)
    check(*built[0])  # warm: word lists, the confusables table
    wall, cpu = [], []
    for question, answer, citations, passages in built:
        started, started_cpu = time.perf_counter(), time.thread_time()
        check(question, answer, citations, passages)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    print(f"checker: {name}; {len(built)} answers of {args.sentences} sentences; ms per answer")
    for label, times in (("wall", wall), ("cpu", cpu)):  # cpu: what a quiet machine would take
        print(
            f"  {label:4s} p50 {percentile(times, 50):6.2f}  p95 {percentile(times, 95):6.2f}  "
            f"p99 {percentile(times, 99):6.2f}"
        )


if __name__ == "__main__":
    main()
