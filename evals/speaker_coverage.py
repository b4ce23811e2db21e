"""Measure how many statements and passages speaker attribution finds a speaker for.

Runs rag.people.attribution over the shared corpora (White House statements and remarks, UN General
Debate speeches, and the QMSum committee eval corpus when present) and prints: the share of
statements and passages with at least one speaker, per kind of statement; how many transcript
turns got a name; the top speakers of the speaker index; how many distinct raw names and index
entries there are; attribution time per statement; how a few names resolve through the index;
and a seeded sample of titles with no speaker, so the rules can be improved. Passages are the
real chunker's (default) or runs of sentences (--spans sentences, faster). A measurement, not a
test: nothing is asserted.

    .venv/bin/python evals/speaker_coverage.py [--data ../shared/data] [--spans chunks|sentences]
        [--seed 7] [--top 30] [--misses 20]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rag.ingest.chunking import ChunkConfig, chunk_spans
from rag.people import Attribution, SpeakerIndex, attribute
from rag.settings import load_settings
from rag.text.sentences import split_sentences
from rag.text.tokens import get_tokenizer

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_DATA = EVALS_DIR.parent.parent / "shared" / "data"
QMSUM_CORPUS = EVALS_DIR / "corpora" / "qmsum-committee.jsonl"
SOURCES = {
    "whitehouse": "whitehouse/statements.jsonl.gz",
    "remarks": "whitehouse/remarks.jsonl.gz",
    "ungdc": "ungdc/speeches_2015_2024.jsonl.gz",
}
SENTENCE_SPAN_CHARS = 1000
PROBES = (
    "Ruto",
    "President Ruto",
    "Rutto",
    "Biden",
    "Jill Biden",
    "Kishida",
    "Zelensky",
    "Trudeau",
)

Spans = Callable[[str], list[tuple[int, int]]]


@dataclass
class Tally:
    statements: int = 0
    with_speaker: int = 0
    passages: int = 0
    passages_with_speaker: int = 0
    turns: int = 0
    named_turns: int = 0
    anonymous_turns: int = 0


@dataclass
class Run:
    tallies: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    statement_counts: Counter[str] = field(default_factory=Counter)
    passage_counts: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)


def records(path: Path) -> Iterator[dict[str, object]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def kind_of(source: str, title: str, attribution: Attribution) -> str:
    """The row a statement is counted in: its source and the shape of its title."""
    if source == "ungdc":
        return "UN General Debate speeches"
    if source == "qmsum":
        return "QMSum committee transcripts"
    if source == "remarks":
        return "remarks: with turns" if attribution.turns else "remarks: no turns"
    if re.match(r"\W*(?:Joint\s+)?Readout", title, re.IGNORECASE):
        return "statements: readouts"
    if re.match(r"\W*Statement\s+(?:by|from|of)\b", title, re.IGNORECASE):
        return "statements: Statement by/from/of"
    if re.match(r"\W*Joint\s+Statement", title, re.IGNORECASE):
        return "statements: joint statements"
    if re.match(r"\W*(?:FACT SHEET|Fact Sheet)", title):
        return "statements: fact sheets"
    return "statements: other"


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Runs of whole sentences up to ~1000 characters: a fast stand-in for passages."""
    spans: list[tuple[int, int]] = []
    for sentence in split_sentences(text):
        if spans and sentence.end - spans[-1][0] <= SENTENCE_SPAN_CHARS:
            spans[-1] = (spans[-1][0], sentence.end)
        else:
            spans.append((sentence.start, sentence.end))
    return spans


def measure(run: Run, source: str, record: dict[str, object], spans: Spans) -> None:
    text = str(record.get("text") or "")
    title = record.get("title")
    speaker = record.get("speaker")
    title = title if isinstance(title, str) else None
    speaker = speaker if isinstance(speaker, str) else None
    passage_spans = spans(text)
    began = time.perf_counter()
    attribution = attribute(text, title, speaker, passage_spans)
    run.seconds.append(time.perf_counter() - began)
    tally = run.tallies[kind_of(source, title or "", attribution)]
    tally.statements += 1
    tally.with_speaker += bool(attribution.statement_speakers)
    tally.passages += len(passage_spans)
    tally.passages_with_speaker += sum(1 for names in attribution.passage_speakers if names)
    tally.turns += len(attribution.turns)
    tally.named_turns += sum(1 for turn in attribution.turns if turn.speaker)
    tally.anonymous_turns += sum(1 for turn in attribution.turns if turn.label == "Q")
    run.statement_counts.update(attribution.statement_speakers)
    run.passage_counts.update(name for names in attribution.passage_speakers for name in names)
    if not attribution.statement_speakers and title:
        run.misses.append(f"[{source}] {title}")


def share(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def report(run: Run, top: int, misses: int, seed: int) -> None:
    print(
        f"{'kind':36} {'stmts':>6} {'w/ spk':>7} {'passages':>9} {'w/ spk':>7} {'turns':>7}"
        f" {'named':>7} {'Q':>6}"
    )
    total = Tally()
    for kind in sorted(run.tallies):
        t = run.tallies[kind]
        print(
            f"{kind:36} {t.statements:6} {share(t.with_speaker, t.statements):>7}"
            f" {t.passages:9} {share(t.passages_with_speaker, t.passages):>7} {t.turns:7}"
            f" {share(t.named_turns, t.turns):>7} {share(t.anonymous_turns, t.turns):>6}"
        )
        for name in ("statements", "with_speaker", "passages", "passages_with_speaker"):
            setattr(total, name, getattr(total, name) + getattr(t, name))
    print(
        f"{'all':36} {total.statements:6} {share(total.with_speaker, total.statements):>7}"
        f" {total.passages:9} {share(total.passages_with_speaker, total.passages):>7}"
    )
    ms = sorted(1000 * s for s in run.seconds)
    print(
        f"\nattribute() per statement: mean {statistics.fmean(ms):.2f} ms, median"
        f" {statistics.median(ms):.2f} ms, p95 {ms[int(0.95 * (len(ms) - 1))]:.2f} ms,"
        f" max {ms[-1]:.1f} ms"
    )
    began = time.perf_counter()
    index = SpeakerIndex.build(run.statement_counts, run.passage_counts)
    built = time.perf_counter() - began
    raw = set(run.statement_counts) | set(run.passage_counts)
    print(
        f"distinct raw speaker names: {len(raw)}; speaker index entries: {len(index.entries())}"
        f" (built in {built:.2f} s)"
    )
    print(f"\ntop {top} speakers (statements, passages, aliases):")
    for entry in index.entries()[:top]:
        aliases = ", ".join(a for a in entry.aliases if a != entry.canonical)
        print(f"  {entry.canonical:32} {entry.statements:6} {entry.passages:7}  {aliases[:70]}")
    print("\nresolving names as a user writes them:")
    for wanted in PROBES:
        found = index.resolve(wanted)[:3]
        shown = "; ".join(f"{e.canonical} ({len(index.variants(e))} variants)" for e in found)
        print(f"  {wanted!r:22} -> {shown or '-'}")
    sample = random.Random(seed).sample(run.misses, min(misses, len(run.misses)))
    print(f"\n{len(sample)} of {len(run.misses)} titles with no speaker found:")
    for title in sample:
        print(f"  {title[:120]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--spans", choices=("chunks", "sentences"), default="chunks")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--misses", type=int, default=20)
    args = parser.parse_args()
    if args.spans == "chunks":
        tokenizer, config = get_tokenizer(load_settings().cache_dir), ChunkConfig()

        def spans(text: str) -> list[tuple[int, int]]:
            return [(s.start, s.end) for s in chunk_spans(text, tokenizer, config)]
    else:
        spans = sentence_spans
    run = Run()
    sources = [(name, args.data / rel) for name, rel in SOURCES.items()]
    if QMSUM_CORPUS.exists():
        sources.append(("qmsum", QMSUM_CORPUS))
    for source, path in sources:
        for record in records(path):
            measure(run, source, record, spans)
    report(run, args.top, args.misses, args.seed)


if __name__ == "__main__":
    main()
