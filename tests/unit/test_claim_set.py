"""evals/claims/: the labelled claim set stays well formed (ids, citations, counts).

The excerpts are checked against ../shared/data by `python3 evals/claims/check_set.py --data`;
here only the files themselves, so the test runs on a clean clone.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "evals" / "claims" / "check_set.py"


def test_claim_set_passes_its_checks(capsys) -> None:
    spec = importlib.util.spec_from_file_location("check_set", SCRIPT)
    assert spec and spec.loader
    check_set = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check_set)
    status = check_set.main([])
    assert status == 0, capsys.readouterr().err


def test_holdout_passes_its_checks(capsys, monkeypatch) -> None:
    """The holdout (claims-holdout.jsonl): well formed, and nothing shared with dev/test."""
    monkeypatch.syspath_prepend(str(SCRIPT.parent))
    check_holdout = importlib.import_module("check_holdout")
    status = check_holdout.main([])
    assert status == 0, capsys.readouterr().err


@pytest.mark.parametrize("name", ["holdout2", "holdout3"])
def test_later_holdout_passes_its_checks(capsys, monkeypatch, name) -> None:
    """The second and third holdouts (claims-holdout2/3.jsonl): well formed, their counts met
    (for the third, at least 40 swaps, negations and obeyed injected instructions), and nothing
    shared with the dev/test set or any holdout written before them."""
    monkeypatch.syspath_prepend(str(SCRIPT.parent))
    check_holdout = importlib.import_module("check_holdout")
    status = check_holdout.main(["--set", name])
    assert status == 0, capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "earlier_file", "earlier_set"),
    [
        ("holdout2", "passages-holdout.jsonl", "holdout"),
        ("holdout3", "passages-holdout.jsonl", "holdout"),
        ("holdout3", "passages-holdout2.jsonl", "holdout2"),
    ],
)
def test_later_holdout_check_catches_a_statement_of_an_earlier_one(
    capsys, monkeypatch, tmp_path, name, earlier_file, earlier_set
) -> None:
    """A passage of a later holdout taken from a statement an earlier holdout uses fails."""
    monkeypatch.syspath_prepend(str(SCRIPT.parent))
    check_holdout = importlib.import_module("check_holdout")
    for path in SCRIPT.parent.glob("*.jsonl"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    first = json.loads((tmp_path / earlier_file).read_text("utf-8").splitlines()[0])
    target = tmp_path / f"passages-{name}.jsonl"
    lines = target.read_text("utf-8").splitlines()
    moved = json.loads(lines[0]) | {"statement": first["statement"]}
    lines[0] = json.dumps(moved, ensure_ascii=False)
    target.write_text("\n".join(lines) + "\n", "utf-8")

    status = check_holdout.main(["--dir", str(tmp_path), "--set", name])
    assert status == 1
    assert f"statement {first['statement']} is in the {earlier_set} set" in capsys.readouterr().err
