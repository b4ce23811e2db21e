"""Build tests/fixtures/reading-examples.ndjson: the statements issue 20's examples need, and
a few hundred distractors, cut short so a test can embed them in seconds.

Each record is copied from ../shared/data with every field verbatim except `text`, which is
cut to whole paragraphs: the first and the last (a dateline, a signature), those holding the
words the example is about, and the transcript label that opens each of their turns, up to
about MAX_CHARS; a distractor's to the words of its first paragraph within DISTRACTOR_CHARS. Gold statements come from evals/reading.jsonl (the dev
split; the examples are dev cases); the statements that make the examples hard are chosen by
rule below (other Trumps and Bidens, the Vice President on the National Guard, other years of
Japan's and Fiji's speeches, other countries' 2017 and 2023 speeches on North Korea and the
climate); the distractors are a seeded draw of White House statements. The speeches the
absent cases ask about (JPN_72_2017, FJI_78_2023) are never included. Deterministic.

    python evals/build_reading_examples.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_DATA = EVALS_DIR.parent.parent / "shared" / "data"
OUT = EVALS_DIR.parent / "tests" / "fixtures" / "reading-examples.ndjson"
MAX_CHARS = 2000
DISTRACTORS = 250
DISTRACTOR_CHARS = 700
SEED = 20

# Issue 20's examples (dev cases of evals/reading.jsonl), how many gold records each keeps,
# and the words whose paragraphs are kept.
EXAMPLES: dict[str, tuple[int, tuple[str, ...]]] = {
    "trump-greenland": (3, ("Greenland",)),
    "president-coast-guard": (4, ("Coast Guard",)),
    "us-troops-poland-2022": (3, ("4,700", "troops")),
    "rouhani-2019-accuse-us": (1, ("United States", "sanctions")),
    "biden-key-bridge": (2, ("Key Bridge", "collapse")),
    "biden-march-on-washington-1963": (2, ("March on Washington", "1963")),
    "biden-vawa-1994": (3, ("Violence Against Women Act",)),
    "americans-lost-coverage-white-house": (2, ("lost coverage", "3.6 million")),
    "biden-new-york-sept-2022-ukraine": (2, ("Ukraine",)),
    "biden-netanyahu-march-2024-call": (1, ("Rafah", "Netanyahu")),
    "trump-theodore-roosevelt-birthday": (1, ("Roosevelt",)),
}
ABSENT = frozenset({"JPN_72_2017", "FJI_78_2023"})


def _title(record: dict[str, Any]) -> str:
    return str(record.get("title") or "")


def _text(record: dict[str, Any]) -> str:
    return str(record.get("text") or "")


# Statements that make the examples hard, by rule: (name, how many, test, words kept).
Rule = tuple[str, int, Callable[[dict[str, Any]], bool], tuple[str, ...]]
HARD: tuple[Rule, ...] = (
    ("Melania Trump", 6, lambda r: "First Lady Melania Trump" in _title(r), ("Melania",)),
    ("Jill Biden", 3, lambda r: "First Lady Jill Biden" in _title(r), ("Jill",)),
    (
        "the Vice President on the National Guard",
        2,
        lambda r: "Vice President" in _title(r) and "National Guard" in _text(r),
        ("National Guard",),
    ),
    (
        "Trump's UN speeches",
        2,
        lambda r: r.get("country_iso3") == "USA" and r.get("year") in (2017, 2018),
        ("Greenland", "North Korea", "sovereignty"),
    ),
    (
        "Scott Morrison's UN speech",
        1,
        lambda r: r.get("country_iso3") == "AUS" and "Morrison" in str(r.get("speaker")),
        ("Pacific",),
    ),
    ("a culvert's collapse", 1, lambda r: "culvert" in _text(r).lower(), ("culvert", "collapse")),
    (
        "Japan in other years",
        2,
        lambda r: r.get("country_iso3") == "JPN" and r.get("year") != 2017,
        ("North Korea",),
    ),
    (
        "North Korea at the UN in 2017",
        2,
        lambda r: r.get("year") == 2017 and "North Korea" in _text(r),
        ("North Korea",),
    ),
    (
        "Fiji in other years",
        2,
        lambda r: r.get("country_iso3") == "FJI" and r.get("year") != 2023,
        ("climate",),
    ),
    (
        "climate at the UN in 2023",
        3,
        lambda r: r.get("year") == 2023 and r.get("country_iso3") in ("BHS", "ATG", "TUV"),
        ("climate",),
    ),
    (
        "Iran in other years",
        1,
        lambda r: r.get("country_iso3") == "IRN" and r.get("year") != 2019,
        ("United States",),
    ),
)


def _records(data: Path) -> Iterator[dict[str, Any]]:
    for name in (
        "whitehouse/statements.jsonl.gz",
        "whitehouse/remarks.jsonl.gz",
        "ungdc/speeches_2015_2024.jsonl.gz",
    ):
        with gzip.open(data / name, "rt", encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)


def cut(text: str, words: tuple[str, ...], limit: int = MAX_CHARS) -> str:
    """The first and last paragraphs (a dateline, a signature) and those holding any of
    `words`, each with the transcript label that opens its turn ("THE PRESIDENT:", "Q"), up
    to about `limit` characters, in order and verbatim, joined by a blank line."""
    blank = len(re.findall(r"\n\s*\n", text)) >= 2
    joiner = "\n\n" if blank else "\n"  # UN speeches have a paragraph a line
    paragraphs = [p for p in re.split(r"\n\s*\n" if blank else r"\n", text) if p.strip()]
    labelled = [i for i, p in enumerate(paragraphs) if _LABEL.match(p)]
    wanted = [i for i, p in enumerate(paragraphs) if any(w.lower() in p.lower() for w in words)]
    kept: list[int] = []
    size = 0
    for i in [0, len(paragraphs) - 1, *wanted]:
        opening = max((j for j in labelled if j <= i), default=i)
        group = [j for j in dict.fromkeys((opening, i)) if j not in kept]
        extra = sum(len(paragraphs[j]) for j in group)
        if not group or (kept and size + extra > limit):
            continue
        kept.extend(group)
        size += extra
    return joiner.join(paragraphs[i] for i in sorted(kept))


_LABEL = re.compile(r"\s*(?:[A-Z][A-Z.’' -]+:|Q\s)")


def build(data: Path) -> list[dict[str, Any]]:
    cases = {
        c["id"]: c
        for c in map(json.loads, (EVALS_DIR / "reading.jsonl").read_text().splitlines())
        if c["id"] in EXAMPLES
    }
    gold: dict[str, tuple[str, ...]] = {}
    for case_id, (keep, words) in EXAMPLES.items():
        for statement_id in cases[case_id]["gold_doc_ids"][:keep]:
            gold[statement_id] = words
    records = list(_records(data))
    chosen: dict[str, dict[str, Any]] = {}
    for record in records:
        if record["id"] in gold:
            chosen[record["id"]] = {**record, "text": cut(_text(record), gold[record["id"]])}
    for _name, count, test, words in HARD:
        found = [r for r in records if test(r) and r["id"] not in chosen.keys() | ABSENT]
        for record in found[:count]:
            chosen[record["id"]] = {**record, "text": cut(_text(record), words)}
    statements = [r for r in records if "/" in r["id"] and r["id"] not in chosen]
    for record in random.Random(SEED).sample(statements, DISTRACTORS):
        text = _text(record).split("\n\n")[0][:DISTRACTOR_CHARS].rsplit(" ", 1)[0]
        chosen[record["id"]] = {**record, "text": text}
    missing = set(gold) - set(chosen)
    if missing:
        raise SystemExit(f"gold records not found: {sorted(missing)}")
    return [chosen[r["id"]] for r in records if r["id"] in chosen]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    records = build(args.data)
    with OUT.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    chars = sum(len(r["text"]) for r in records)
    print(f"{OUT}: {len(records)} records, {chars:,} characters of text")


if __name__ == "__main__":
    main()
