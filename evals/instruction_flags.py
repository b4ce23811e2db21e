"""How often the instruction recogniser flags sentences of real statements.

    .venv/bin/python evals/instruction_flags.py [--data ../shared/data] [--sample 1500] [--verbose]

rag/text/instructions.py flags, at ingest, the sentences of a statement that have the form of
an instruction to a model. The real corpora hold no instructions aimed at a model, so every
sentence flagged in them is a false flag: an innocent sentence withheld from the model as
evidence and never quoted. This reads a seeded sample of records of each corpus (White House
statements and remarks, UN General Debate speeches) and prints the flagged sentences per
corpus; with --verbose, each of them. Detection is measured on the claim set
(evals/claim_checks.py, kind `injected_instruction`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import time
from pathlib import Path

from rag.text.instructions import instruction_spans
from rag.text.sentences import split_sentences

HERE = Path(__file__).resolve().parent
CORPORA = (
    "whitehouse/statements.jsonl.gz",
    "whitehouse/remarks.jsonl.gz",
    "ungdc/speeches_2015_2024.jsonl.gz",
)


def sample(path: Path, count: int, seed: int = 13) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        texts = [str(json.loads(line).get("text") or "") for line in lines]
    random.Random(seed).shuffle(texts)
    return texts[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data")
    parser.add_argument("--sample", type=int, default=1500, help="records per corpus")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    print("| corpus | records | sentences | flagged | per 10k sentences |")
    print("|---|---:|---:|---:|---:|")
    spent = 0.0
    for name in CORPORA:
        texts = sample(args.data / name, args.sample)
        sentences = sum(len(split_sentences(t)) for t in texts)
        flagged: list[str] = []
        started = time.process_time()
        for text in texts:
            flagged += [" ".join(text[s:e].split()) for s, e in instruction_spans(text)]
        spent += time.process_time() - started
        rate = 10_000 * len(flagged) / max(1, sentences)
        print(f"| {name} | {len(texts)} | {sentences} | {len(flagged)} | {rate:.1f} |")
        if args.verbose:
            for sentence in flagged:
                print(f"  FLAGGED: {sentence[:300]}")
    print(f"instruction_spans CPU time: {spent:.1f} s")


if __name__ == "__main__":
    main()
