"""Every hostile probe (tests/adversarial/probes.py) and the schemathesis run
(tests/support/fuzz.py), each against real `rag serve` processes; pass/fail counts.

    .venv/bin/python -m tests.adversarial [--rag PATH] [--no-fuzz] [--keep]

`--rag` runs another checkout's `rag` (to count what fails before a change). Exits 1 if
anything failed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from tests.adversarial.probes import MAIN, PROBES, Skipped, hostile_servers
from tests.support.fuzz import SETTINGS, fuzz
from tests.support.rag_serve import rag_servers, use_rag_command


def run_probes(home: Path) -> tuple[int, int, int]:
    passed = failed = skipped = 0
    with hostile_servers(home) as hostile:
        for probe in PROBES:
            started = time.monotonic()
            try:
                probe.run(hostile)
            except Skipped as reason:
                skipped += 1
                print(f"SKIP  {probe.item} {probe.name}: {reason}", flush=True)
                continue
            except Exception as exc:
                failed += 1
                where = traceback.extract_tb(exc.__traceback__)[-1]
                what = " ".join(str(exc).split())[:300] or type(exc).__name__
                print(f"FAIL  {probe.item} {probe.name} (line {where.lineno}): {what}", flush=True)
                continue
            passed += 1
            print(
                f"pass  {probe.item} {probe.name} ({time.monotonic() - started:.1f} s)", flush=True
            )
    return passed, failed, skipped


def run_fuzz(home: Path) -> bool:
    """Schemathesis against `rag serve` on a copy of the probes' examples store."""
    shutil.copytree(home / "examples-store", home / "fuzz" / "data")
    settings = {
        "RAG_API_KEYS": MAIN["RAG_API_KEYS"],
        **{f"RAG_{name.upper()}": str(value).lower() for name, value in SETTINGS.items()},
    }
    (home / "fuzz-report").mkdir()
    with rag_servers((home / "fuzz", settings)) as (served,):
        run = fuzz(served.base, home / "fuzz-report")
    print(run.summary if run.passed else run.output[-5000:], flush=True)
    return run.passed


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.adversarial", description=__doc__)
    parser.add_argument("--rag", help="the rag command to test (default: this venv's)")
    parser.add_argument("--no-fuzz", action="store_true", help="skip the schemathesis run")
    parser.add_argument("--keep", action="store_true", help="keep the stores and logs")
    args = parser.parse_args()
    if args.rag:
        use_rag_command(args.rag)
    home = Path(tempfile.mkdtemp(prefix="hostile-"))
    started = time.monotonic()
    try:
        passed, failed, skipped = run_probes(home)
        fuzzed = None if args.no_fuzz else run_fuzz(home)
    finally:
        if args.keep:
            print(f"stores and logs kept in {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    failures = failed + (fuzzed is False)
    fuzz_line = "not run" if fuzzed is None else ("passed" if fuzzed else "FAILED")
    print(
        f"\nprobes: {passed} passed, {failed} failed, {skipped} skipped; "
        f"schemathesis: {fuzz_line}; failures: {failures} ({time.monotonic() - started:.0f} s)"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
