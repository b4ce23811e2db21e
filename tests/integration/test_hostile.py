"""Issue 15's hostile probes (tests/adversarial/probes.py), each a test: over HTTP against two
real `rag serve` processes started once for the module, and `rag ingest` for the files."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adversarial.probes import PROBES, Hostile, Probe, Skipped, hostile_servers

pytestmark = [pytest.mark.slow, pytest.mark.integration]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path) -> Iterator[Hostile]:
    home = tmp_path_factory.mktemp("hostile")
    with hostile_servers(home, examples_dir) as servers:
        yield servers
    shutil.rmtree(home / "files", ignore_errors=True)


@pytest.mark.parametrize("probe", PROBES, ids=[f"{p.item}-{p.name}" for p in PROBES])
def test_probe(hostile: Hostile, probe: Probe) -> None:
    try:
        probe.run(hostile)
    except Skipped as skipped:
        if os.environ.get("RAG_REQUIRE_BROWSER"):  # as tests/integration/test_web.py
            pytest.fail(f"{skipped} (RAG_REQUIRE_BROWSER is set)")
        pytest.skip(str(skipped))
