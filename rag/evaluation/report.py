"""Eval reports: report.json, report.md and cases.jsonl; baseline deltas; CI thresholds."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rag.errors import InputError
from rag.evaluation.metrics import HIGHER_IS_BETTER
from rag.evaluation.runner import EvalRun

METRIC_ORDER = (
    "cases",
    "hit@1",
    "hit@5",
    "hit@10",
    "mrr@10",
    "passage_recall",
    "citations_verified",
    "citations_dropped",
    "citation_precision",
    "citation_recall",
    "must_include_recall",
    "answerable_answered",
    "unanswerable_declined",
    "claim_support_rate",
    "unsupported_before",
    "unsupported_after",
    "retried",
    "fell_back",
    "retrieval_p50_ms",
    "retrieval_p95_ms",
    "answer_p50_ms",
    "answer_p95_ms",
    "reading_cases",
    "wrong_who_applied",
    "wrong_date_applied",
    "missed_who",
    "missed_date",
    "declined_true_reason",
)


def _fmt(value: float | None, metric: str) -> str:
    if value is None:
        return "–"
    if metric.endswith("_ms"):
        return f"{value:.1f}"
    if metric in ("cases", "citations_dropped", "answered", "reading_cases"):
        return f"{value:.0f}"
    return f"{value:.3f}"


def summary(run: EvalRun) -> dict[str, Any]:
    body = {f.name: getattr(run, f.name) for f in dataclasses.fields(run) if f.name != "rows"}
    body["ingest"] = dataclasses.asdict(run.ingest)
    return body


def write_report(run: EvalRun, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(summary(run), indent=2) + "\n")
    with (out_dir / "cases.jsonl").open("w") as f:
        for row in run.rows:
            f.write(json.dumps(dataclasses.asdict(row), ensure_ascii=False, default=str) + "\n")
    (out_dir / "report.md").write_text(markdown(run))
    return out_dir


def table(run: EvalRun, baseline: dict[str, Any] | None = None) -> str:
    """A plain-text metrics table, with baseline and delta columns when given one."""
    base = (baseline or {}).get("metrics", {})
    lines = [
        f"{'metric':<24}{'value':>10}" + (f"{'baseline':>10}{'delta':>10}" if baseline else "")
    ]
    for metric in METRIC_ORDER:
        value = run.metrics.get(metric)
        line = f"{metric:<24}{_fmt(value, metric):>10}"
        if baseline:
            old = base.get(metric)
            delta = value - old if value is not None and old is not None else None
            shown = "–" if delta is None else ("+" if delta > 0 else "") + _fmt(delta, metric)
            line += f"{_fmt(old, metric):>10}{shown:>10}"
        lines.append(line)
    return "\n".join(lines)


def markdown(run: EvalRun) -> str:
    rows = "\n".join(f"| {m} | {_fmt(run.metrics.get(m), m)} |" for m in METRIC_ORDER)
    missed = [r for r in run.rows if r.answerable and (r.gold_rank is None or r.gold_rank > 5)]
    wrong_refusals = [r for r in run.rows if r.answerable and not r.predicted_answerable]
    wrong_answers = [r for r in run.rows if not r.answerable and r.predicted_answerable]
    misread = [r for r in run.rows if r.reading and (r.reading.wrong_who or r.reading.wrong_date)]
    untrue = [r for r in run.rows if r.reading and r.reading.true_reason is False]

    def listing(title: str, items: Sequence[Any]) -> str:
        shown = "\n".join(f"- `{r.id}`: {r.question}" for r in items[:30])
        more = f"\n- … and {len(items) - 30} more" if len(items) > 30 else ""
        return f"### {title} ({len(items)})\n\n{shown or '- none'}{more}\n"

    return (
        f"# Eval report: {run.suite}\n\n"
        f"- answerer: `{run.answerer}` (prompt hash {run.prompt_hash or '–'}), k = {run.k}\n"
        f"- retrieval: {run.retrieval}\n"
        f"- embedding model: {run.embedding_model}; chunking {run.chunking}\n"
        f"- corpus: {', '.join(run.corpus)} (fingerprint {run.corpus_sha256[:12]}); "
        f"ingest {run.ingest.statements} statements, {run.ingest.passages} passages written, "
        f"{run.ingest.seconds:.1f} s\n"
        f"- started {run.started_at}, took {run.seconds:.1f} s\n\n"
        f"| metric | value |\n|---|---|\n{rows}\n\n"
        + listing("Answerable, gold statement not in the top 5", missed)
        + "\n"
        + listing("Answerable but declined", wrong_refusals)
        + "\n"
        + listing("Unanswerable but answered", wrong_answers)
        + (
            "\n"
            + listing("Read wrongly: a speaker, country or period applied", misread)
            + "\n"
            + listing("Unanswerable, not declined with a true reason", untrue)
            if any(r.reading for r in run.rows)
            else ""
        )
    )


def load_baseline(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read the baseline report {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        raise InputError(f"{path} is not a report.json written by rag eval")
    return data


def parse_thresholds(specs: Sequence[str]) -> dict[str, float]:
    thresholds: dict[str, float] = {}
    for spec in specs:
        metric, _, value = spec.partition("=")
        if metric not in HIGHER_IS_BETTER:
            raise InputError(
                f"--fail-under {spec!r}: unknown metric {metric!r}",
                hint=f"use one of {', '.join(sorted(HIGHER_IS_BETTER))}",
            )
        try:
            thresholds[metric] = float(value)
        except ValueError:
            raise InputError(f"--fail-under {spec!r}: {value!r} is not a number") from None
    return thresholds


def failures(run: EvalRun, thresholds: dict[str, float]) -> list[str]:
    """Metrics below their threshold, as readable lines (a metric with no cases fails)."""
    below = []
    for metric, minimum in thresholds.items():
        value = run.metrics.get(metric)
        if value is None or value < minimum:
            below.append(f"{metric} = {_fmt(value, metric)} is below {minimum}")
    return below
