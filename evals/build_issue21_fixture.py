"""Build tests/fixtures/issue21-store.ndjson.gz, the store of tests/integration/test_answers.py.

It holds the statements issue 21's example questions need, the statements that share their
words (the distractors the examples were failing on) and 200 short White House statements drawn
at random (seeded) as the rest of a store. Records are copied verbatim from ../shared/data (the
seed statement from evals/corpora/seed.jsonl). The .ndjson suffix keeps the file out of the
statements tests load from tests/fixtures.

    python evals/build_issue21_fixture.py --data ../shared/data
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "tests" / "fixtures" / "issue21-store.ndjson.gz"
NEEDED = (
    # What did Ruto and Rubio agree about a UN support office ...? (the seed statement)
    "ruto-rubio-call",
    # What did Biden and Ruto discuss on their phone call in October 2023?
    "statements-releases/2023-10/2023-10-03-readout-of-president-bidens-call-with-president-william-ruto-of-kenya",
    # Ruto's UN speeches: what he said, and the Olympic Games and Bitcoin he never spoke of
    "KEN_78_2023",
    "KEN_79_2024",
    # What did the White House say about the American Revolution?
    "briefings-statements/2025-03/2025-03-05-presidential-message-on-the-255th-anniversary-of-the-boston-massacre-2025",
    "briefings-statements/2025-04/2025-04-18-presidential-message-on-the-250th-anniversary-of-paul-reveres-midnight-ride-2025",
    "briefings-statements/2025-10/2025-10-30-presidential-message-on-the-birthday-of-president-john-adams",
    # What did the White House say about mortgage rates in March 2025? (a sentence with a link)
    "briefings-statements/2025-03/2025-03-12-winning-inflation-eases-as-job-creation-soars-and-border-security-pays-off",
)
SHARING_WORDS = (
    # the joke the American Revolution question was answered with ("approval rating")
    "speeches-remarks/2022-05/2022-05-01-remarks-by-president-biden-at-the-white-house-correspondents-association-dinner",
    # NASA and a mission, not the Europa Clipper
    "statements-releases/2022-07/2022-07-11-biden-administration-produces-first-full-color-image-from-webb-space-telescope",
    # Bitcoin, from another head of state; the Olympic Games, from another
    "CAF_77_2022",
    "UKR_75_2020",
)
SOURCES = (
    "whitehouse/statements.jsonl.gz",
    "whitehouse/remarks.jsonl.gz",
    "ungdc/speeches_2015_2024.jsonl.gz",
)
DISTRACTORS = 200
MAX_DISTRACTOR_CHARS = 1000
SEED = 21


def build(data: Path) -> list[dict[str, object]]:
    wanted = set(NEEDED) | set(SHARING_WORDS)
    found: dict[str, dict[str, object]] = {}
    short: list[dict[str, object]] = []
    for line in (
        (REPO / "evals" / "corpora" / "seed.jsonl").read_text(encoding="utf-8").splitlines()
    ):
        record = json.loads(line)
        if record["id"] in wanted:
            found[record["id"]] = record
    for relative in SOURCES:
        with gzip.open(data / relative, "rt", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                if record["id"] in wanted:
                    found[record["id"]] = record
                elif (
                    relative.endswith("statements.jsonl.gz")
                    and len(record["text"]) <= MAX_DISTRACTOR_CHARS
                ):
                    short.append(record)
    missing = wanted - found.keys()
    if missing:
        raise SystemExit(f"not found in {data}: {sorted(missing)}")
    distractors = random.Random(SEED).sample(short, DISTRACTORS)
    return [found[i] for i in (*NEEDED, *SHARING_WORDS)] + distractors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    records = build(args.data)
    with gzip.GzipFile(OUT, "wb", mtime=0) as out:
        out.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode())
    print(f"{OUT.relative_to(REPO)}: {len(records)} records")


if __name__ == "__main__":
    main()
