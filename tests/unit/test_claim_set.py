"""evals/claims/: the labelled claim set stays well formed (ids, citations, counts).

The excerpts are checked against ../shared/data by `python3 evals/claims/check_set.py --data`;
here only the files themselves, so the test runs on a clean clone.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

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


def test_second_holdout_passes_its_checks(capsys, monkeypatch) -> None:
    """The second holdout (claims-holdout2.jsonl): well formed, nothing shared with dev/test
    or with the first holdout."""
    monkeypatch.syspath_prepend(str(SCRIPT.parent))
    check_holdout = importlib.import_module("check_holdout")
    status = check_holdout.main(["--set", "holdout2"])
    assert status == 0, capsys.readouterr().err


def test_second_holdout_check_catches_a_statement_of_the_first(
    capsys, monkeypatch, tmp_path
) -> None:
    """A passage of the second holdout taken from a statement the first holdout uses fails."""
    monkeypatch.syspath_prepend(str(SCRIPT.parent))
    check_holdout = importlib.import_module("check_holdout")
    for path in SCRIPT.parent.glob("*.jsonl"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    first = json.loads((tmp_path / "passages-holdout.jsonl").read_text("utf-8").splitlines()[0])
    lines = (tmp_path / "passages-holdout2.jsonl").read_text("utf-8").splitlines()
    moved = json.loads(lines[0]) | {"statement": first["statement"]}
    lines[0] = json.dumps(moved, ensure_ascii=False)
    (tmp_path / "passages-holdout2.jsonl").write_text("\n".join(lines) + "\n", "utf-8")

    status = check_holdout.main(["--dir", str(tmp_path), "--set", "holdout2"])
    assert status == 1
    assert f"statement {first['statement']} is in the holdout set" in capsys.readouterr().err
