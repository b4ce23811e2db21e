"""Measure the claim checks on the labelled claim set (evals/claims/, see evals/README.md).

    .venv/bin/python evals/claim_checks.py [--claims evals/claims/claims-dev.jsonl] [--verbose]

Each claim is an answer (one or two sentences with [n] markers) and the passages its markers
cite. The checker sees what the service would: each cited passage as ingest stores it (its
text, title, speaker and date; the speakers, quotations and instruction flags ingest derives
from those), a citation covering the whole passage, and the question. A claim is *flagged*
when any of its sentences is found unsupported or the draft is withheld as a whole.

Prints, per kind, how many claims were flagged: for `supported` that is the false-alarm rate,
for every other kind the detection rate; with --verbose, every claim on the wrong side.

The old checker (main before issue 13) is measured by running this script with the old
package first on the path: `git archive 0c8dcdb rag | tar -x -C /tmp/old` and
`PYTHONPATH=/tmp/old .venv/bin/python evals/claim_checks.py`. Where `rag.answering.checks`
does not exist, the checks are called the way the old `Asker.check` called them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.people import attribute, find_quotes
from rag.types import Citation, DateSpan, Passage, QuoteRecord

HERE = Path(__file__).resolve().parent
CLAIMS = HERE / "claims"
FAILURE_KINDS = (
    "number",
    "name",
    "date",
    "negation",
    "swap",
    "wrong_citation",
    "unsupported_extra",
    "fabricated_quote",
    "injected_instruction",
)
SEEN = ("passage", "text", "title", "speaker", "date", "source_url")
"""The only fields of a passage a checker may see; the rest of a record are the answers.
`source_url` is the statement's, from the record the service would ingest (see `source_urls`)."""
DATA_DIRS = (HERE.parent.parent / "shared" / "data", HERE.parent.parent.parent / "shared" / "data")
try:  # the prompts ship inside the package since h16b; before, beside it
    from rag.prompts import PROMPTS_DIR
except ImportError:
    PROMPTS_DIR = HERE.parent / "prompts"
INSTRUCTIONS = (PROMPTS_DIR / "answer_system.md").read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class Cited:
    passage: Passage
    quotes: tuple[QuoteRecord, ...]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def source_urls(records: list[dict[str, Any]], data: Path | None) -> dict[str, str]:
    """passage id -> the source_url of its statement's record in `data` (../shared/data),
    which the service stores with every passage; {} without the data."""
    if data is None:
        return {}
    wanted: dict[str, dict[str, str]] = {}
    for r in records:
        name = str(r.get("source", "")).removeprefix("shared/data/")
        wanted.setdefault(name, {})[str(r.get("statement"))] = str(r["passage"])
    urls: dict[str, str] = {}
    for name, statements in wanted.items():
        path = data / name
        if not path.is_file():
            continue
        with gzip.open(path, "rt", encoding="utf-8") if name.endswith(".gz") else path.open(
            encoding="utf-8"
        ) as lines:
            for line in lines:
                row = json.loads(line)
                if row.get("id") in statements and row.get("source_url"):
                    for pid in (p["passage"] for p in records if p.get("statement") == row["id"]):
                        urls[pid] = row["source_url"]
    return urls


def ingested(record: dict[str, Any]) -> Cited:
    """A passage as ingest would store it, from the fields a checker may see."""
    seen = {key: record.get(key) for key in SEEN}
    text, title, speaker = seen["text"], seen["title"], seen["speaker"]
    pid = str(seen["passage"])
    who = attribute(text, title, speaker, [(0, len(text))])
    date = DateSpan.parse(seen["date"]) if seen["date"] else None
    quotes = tuple(
        QuoteRecord(pid, q.start, q.end, q.text, q.speaker, q.cue, date and date.text, title, None)
        for q in find_quotes(text, title, speaker)
    )
    flags: dict[str, Any] = {}
    try:  # the instruction flags ingest stores with a passage (issue 13)
        from rag.text.instructions import instruction_spans

        flags["instructions"] = tuple(instruction_spans(text))
    except ImportError:
        pass
    passage = Passage(
        id=pid,
        statement_id=pid,
        index=0,
        start=0,
        end=len(text),
        text=text,
        title=title,
        speaker=speaker,
        date=date,
        speakers=who.passage_speakers[0],
        source_url=seen["source_url"],
        **flags,
    )
    return Cited(passage, quotes)


def citation(marker: int, cited: Cited, beside: bool = False) -> Citation:
    """A citation of the whole passage; `beside`: of its longest stretch that no flagged
    instruction overlaps (a model obeying an instruction while quoting a real sentence)."""
    p = cited.passage
    start, end = 0, len(p.text)
    flagged = sorted(getattr(p, "instructions", ()))
    if beside and flagged:
        cuts = [0, *(x for span in flagged for x in span), len(p.text)]
        start, end = max(zip(cuts[::2], cuts[1::2], strict=True), key=lambda s: s[1] - s[0])
    return Citation(
        marker=marker,
        statement_id=p.statement_id,
        passage_id=p.id,
        start=start,
        end=end,
        quote=p.text[start:end],
        title=p.title,
        speaker=p.speaker,
        date=p.date.text if p.date else None,
        source_url=p.source_url,
        speakers=p.speakers,
        statement_speakers=p.speakers,
    )


Checker = Callable[[str, str, Sequence[Citation], Sequence[Cited]], tuple[bool, list[str]]]
"""(question, answer, citations, cited passages) -> (flagged, reasons)."""


def new_checker() -> Checker:
    from rag.answering.checks import check_answer

    def run(
        question: str, answer: str, citations: Sequence[Citation], cited: Sequence[Cited]
    ) -> tuple[bool, list[str]]:
        result = check_answer(
            answer,
            citations,
            [c.passage for c in cited],
            question=question,
            quotes=[q for c in cited for q in c.quotes],
            instructions=INSTRUCTIONS,
        )
        reasons = [c.reason for c in result.claims if not c.supported] + list(result.blocked)
        return bool(reasons), reasons

    return run


def old_checker() -> Checker:
    """The checks as `Asker.check` called them before issue 13."""
    from rag.answering.asking import cited_text  # type: ignore[attr-defined]
    from rag.answering.claims import check_claims
    from rag.answering.leaks import screen

    def run(
        question: str, answer: str, citations: Sequence[Citation], cited: Sequence[Cited]
    ) -> tuple[bool, list[str]]:
        by_id = {c.passage.id: c.passage for c in cited}
        texts = {c.marker: cited_text(by_id[c.passage_id]) for c in citations}
        claims = check_claims(answer, texts, question=question)
        passages = [c.passage for c in cited]
        screened = screen(answer, claims, citations, passages, INSTRUCTIONS)
        reasons = [c.reason for c in screened.claims if not c.supported] + list(screened.blocked)
        return bool(reasons), reasons

    return run


def checker() -> tuple[str, Checker]:
    try:
        return "new", new_checker()
    except ImportError:
        return "old", old_checker()


def measure(
    claims_path: Path,
    passages_path: Path,
    verbose: bool,
    beside: bool = False,
    data: Path | None = None,
) -> dict[str, Any]:
    name, check = checker()
    rows = read_jsonl(passages_path)
    urls = source_urls(rows, data)
    records = {p["passage"]: {**p, "source_url": urls.get(p["passage"])} for p in rows}
    claims = read_jsonl(claims_path)
    wanted = {pid for c in claims for pid in c["cited"].values()}
    cited = {pid: ingested(records[pid]) for pid in sorted(wanted)}
    total: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    wrong: list[tuple[dict[str, Any], list[str]]] = []
    seconds: list[float] = []
    for claim in claims:
        passages = [cited[pid] for _, pid in sorted(claim["cited"].items())]
        citations = [
            citation(int(m), cited[pid], beside) for m, pid in sorted(claim["cited"].items())
        ]
        started = time.perf_counter()
        hit, reasons = check(claim["question"], claim["answer"], citations, passages)
        seconds.append(time.perf_counter() - started)
        kind = claim["kind"]
        total[kind] += 1
        flagged[kind] += hit
        if hit != (claim["label"] == "unsupported"):
            wrong.append((claim, reasons))
    rows = {kind: (flagged[kind], total[kind]) for kind in ("supported", *FAILURE_KINDS)}
    import rag

    quoting = "beside flagged sentences" if beside else "the whole passage"
    print(f"checker: {name} ({Path(rag.__file__).parent}); claims: {claims_path.name} "
          f"({len(claims)}); citations quote {quoting}; source URLs for "
          f"{len({pid for pid in wanted if urls.get(pid)})}/{len(wanted)} passages")  # fmt: skip
    print("| kind | claims | flagged | rate |\n|---|---:|---:|---:|")
    for kind, (hits, n) in rows.items():
        label = "supported (false alarms)" if kind == "supported" else kind
        print(f"| {label} | {n} | {hits} | {hits / n if n else 0:.3f} |")
    failures = [k for k in FAILURE_KINDS if total[k]]
    caught = sum(flagged[k] for k in failures)
    print(f"| all failures | {sum(total[k] for k in failures)} | {caught} | "
          f"{caught / max(1, sum(total[k] for k in failures)):.3f} |")  # fmt: skip
    ordered = sorted(seconds)
    print(f"check time per claim: p50 {ordered[len(ordered) // 2] * 1000:.2f} ms, "
          f"p95 {ordered[int(len(ordered) * 0.95)] * 1000:.2f} ms")  # fmt: skip
    if verbose:
        for claim, reasons in wrong:
            side = "FALSE ALARM" if claim["label"] == "supported" else f"MISSED {claim['kind']}"
            print(f"\n{side} {claim['claim']} {claim['cited']}: {claim['answer']}")
            print(f"  note: {claim['note']}")
            if reasons:
                print(f"  reasons: {reasons}")
    return {"checker": name, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=Path, default=CLAIMS / "claims-dev.jsonl")
    parser.add_argument("--passages", type=Path, default=CLAIMS / "passages.jsonl")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument(
        "--beside",
        action="store_true",
        help="cite the longest stretch of each passage outside its flagged instructions",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=next((d for d in DATA_DIRS if d.is_dir()), None),
        help="the shared data folder, for each statement's source_url (default ../shared/data)",
    )
    args = parser.parse_args()
    measure(args.claims, args.passages, args.verbose, args.beside, args.data)


if __name__ == "__main__":
    main()
