"""evals/claims/: the labelled claim set stays well formed (ids, citations, counts).

The excerpts are checked against ../shared/data by `python3 evals/claims/check_set.py --data`;
here only the files themselves, so the test runs on a clean clone.
"""

from __future__ import annotations

import importlib.util
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
