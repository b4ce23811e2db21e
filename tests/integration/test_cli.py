"""The real `rag` console script in a subprocess, on a temporary store.

Commands that embed (ingest of new statements, ask, search) load the model, which takes
seconds: they run once each against one store ingested for the module.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from rag.ingest import load_paths
from rag.settings import load_settings
from rag.wiring import build_embedder
from tests.conftest import EXAMPLES, FIXTURES
from tests.support.rag_serve import rag_env

pytestmark = [pytest.mark.slow, pytest.mark.integration]

RAG = Path(sys.executable).parent / "rag"
SEED = "ruto-rubio-call"
EXAMPLE_STATEMENTS = 7  # the seed, four White House statements, two UN speeches
SUMMARY = re.compile(
    r"^(?P<statements>\d+) statements \((?P<added>\d+) added, (?P<updated>\d+) updated, "
    r"(?P<unchanged>\d+) unchanged\), (?P<passages>\d+) passages written, \d+\.\d s$"
)


@dataclass(frozen=True)
class Home:
    """Where one store lives: RAG_DATA_DIR and RAG_CACHE_DIR point below it."""

    path: Path

    def rag(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        env = rag_env(self.path, {})
        done = subprocess.run(
            [str(RAG), *map(str, args)],
            cwd=self.path,  # no .env from the repository
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert "Traceback" not in done.stderr, done.stderr
        return done


@dataclass(frozen=True)
class Ingested:
    home: Home
    summary: re.Match[str]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    """A store holding examples/, ingested once by `rag ingest`."""
    home = Home(tmp_path_factory.mktemp("cli"))
    done = home.rag("ingest", EXAMPLES)
    assert done.returncode == 0, done.stderr
    summary = SUMMARY.match(done.stdout.strip())
    assert summary, done.stdout
    return Ingested(home, summary)


def example_texts() -> dict[str, str]:
    return {s.id: s.text for s in load_paths([EXAMPLES])}


def test_ingest_prints_a_summary_and_a_second_ingest_changes_nothing(
    ingested: Ingested,
) -> None:
    first = ingested.summary
    assert int(first["statements"]) == int(first["added"]) == EXAMPLE_STATEMENTS
    assert int(first["passages"]) > EXAMPLE_STATEMENTS

    again = ingested.home.rag("ingest", EXAMPLES)

    assert again.returncode == 0, again.stderr
    second = SUMMARY.match(again.stdout.strip())
    assert second, again.stdout
    assert (second["added"], second["updated"], second["passages"]) == ("0", "0", "0")
    assert int(second["unchanged"]) == EXAMPLE_STATEMENTS


def test_stats_describes_the_store(ingested: Ingested) -> None:
    done = ingested.home.rag("stats")
    model = build_embedder(load_settings(_env_file=None))  # the defaults on this machine

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"{EXAMPLE_STATEMENTS} statements, {ingested.summary['passages']} passages, "
        "5 speakers, 2023 to 2025-01-08",
        f"store: {ingested.home.path / 'data' / 'chroma'}",
        f"vectors: {model.name}; embedding with {model.describe}",
    ]
    assert model.encoder == "torch"  # a new store's default (openvino-int8 is opt-in)


def test_ask_prints_an_answer_with_numbered_sources(ingested: Ingested) -> None:
    done = ingested.home.rag("ask", "What did Ruto say about Haiti?")

    assert done.returncode == 0, done.stderr
    answer, _, sources = done.stdout.partition("\nSources\n")
    assert "[1]" in answer and "Haiti" in answer
    assert sources.startswith("[1] ")
    assert f"{SEED}, characters " in sources


def test_ask_json_is_the_answer_with_verified_citations(ingested: Ingested) -> None:
    done = ingested.home.rag("ask", "--json", "What did Ruto say about Haiti?")

    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["answerable"] is True
    assert answer["answerer"] == "extractive"  # no RAG_ANSWERER, no key
    assert SEED in {c["statement_id"] for c in answer["citations"]}
    texts = example_texts()
    for c in answer["citations"]:
        assert texts[c["statement_id"]][c["start"] : c["end"]] == c["quote"]
        assert f"[{c['marker']}]" in answer["answer"]


def test_quotes_lists_a_persons_direct_quotations_with_offsets(ingested: Ingested) -> None:
    done = ingested.home.rag("quotes", "--speaker", "President Ruto", "--json")

    assert done.returncode == 0, done.stderr
    quotes = json.loads(done.stdout)["quotes"]
    assert quotes and {q["speaker"] for q in quotes} == {"William Ruto"}
    texts = example_texts()
    for q in quotes:
        assert texts[q["statement_id"]][q["start"] : q["end"]] == q["text"]
    plain = ingested.home.rag("quotes", "--speaker", "Ruto", "UN support office")
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith("William Ruto · undated · President Ruto on his call")
    assert f"{SEED}, characters 724-956" in plain.stdout


def test_timeline_prints_dated_lines_oldest_first(ingested: Ingested) -> None:
    done = ingested.home.rag("timeline", "--speaker", "Ruto", "--topic", "Haiti")

    assert done.returncode == 0, done.stderr
    answer, _, sources = done.stdout.partition("\nSources\n")
    lines = [line for line in answer.splitlines() if line.startswith("- ")]
    dates = [line[2:].split(":", 1)[0] for line in lines]
    dated = [d for d in dates if d != "undated"]
    assert len(lines) >= 4 and dated == sorted(dated)
    assert dates[-1] == "undated"  # the seed statement carries no date
    assert "Based on statements from 2023 to " in answer
    assert sources.startswith("[1] ")


def test_search_with_a_speaker_lists_only_that_speaker(ingested: Ingested) -> None:
    done = ingested.home.rag("search", "--speaker", "Ruto", "--k", "8", "Haiti")

    assert done.returncode == 0, done.stderr
    headers = [line for line in done.stdout.splitlines() if re.match(r"^\d+\. \[", line)]
    assert len(headers) == 8
    for header in headers:
        assert re.match(r"^\d+\. \[0\.\d{3}\] [^·]*William (Samoei )?Ruto[^·]* · ", header), header
    assert f"{SEED}, characters " in done.stdout


def test_show_prints_a_stored_statement(ingested: Ingested) -> None:
    done = ingested.home.rag("show", SEED)

    assert done.returncode == 0, done.stderr
    header, blank, *body = done.stdout.splitlines()
    # The speakers: the front matter's, then the other party the title names.
    title = "President Ruto on his call with US Secretary of State Marco Rubio"
    assert header == f"William Ruto, Marco Rubio · {title}"
    assert blank == ""
    assert "\n".join(body) == example_texts()[SEED].rstrip("\n")


def test_a_deleted_statement_is_gone(ingested: Ingested, tmp_path: Path) -> None:
    home = Home(tmp_path)
    shutil.copytree(ingested.home.path / "data", tmp_path / "data")

    deleted = home.rag("delete", SEED)
    shown = home.rag("show", SEED)

    assert (deleted.returncode, deleted.stdout) == (0, f"deleted {SEED}\n")
    assert shown.returncode == 2
    assert f"error: no statement with id '{SEED}'" in shown.stderr
    assert shown.stdout == ""


def test_a_malformed_jsonl_file_stores_nothing(tmp_path: Path) -> None:
    home = Home(tmp_path)
    real = (FIXTURES / "whitehouse-sample.jsonl").read_text(encoding="utf-8").splitlines()
    statements = tmp_path / "statements.jsonl"
    statements.write_text(f"{real[0]}\n{real[1]}\n{{'id': 'single quotes'}}\n{real[2]}\n")

    done = home.rag("ingest", statements)
    stats = home.rag("stats")

    assert done.returncode == 2
    assert f"error: {statements}:3: invalid JSON" in done.stderr
    assert done.stdout == ""
    assert stats.returncode == 0, stats.stderr
    assert stats.stdout.startswith("0 statements, 0 passages")


MakeInput = Callable[[Path], Path]
"""Writes a bad input file into a folder and returns its path."""


def _not_utf8(folder: Path) -> Path:
    path = folder / "statement.txt"
    path.write_bytes((EXAMPLES / f"{SEED}.md").read_text(encoding="utf-8").encode("cp1252"))
    return path


def _unsupported(folder: Path) -> Path:
    path = folder / "statement.odt"
    path.write_bytes(b"PK\x03\x04")
    return path


# Each of these fails before the model is loaded, so they are cheap.
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", ""], "error: the question is empty"),
        (["ask", "--since", "notadate", "Haiti"], "'notadate' is not a date like 2023-10-03"),
        (["ingest", _not_utf8], "not UTF-8 text (byte 0x93"),
        (["ingest", _unsupported], "statement.odt: unsupported file type"),
        (["ingest", "no-such-folder"], "error: no-such-folder: no such file or folder"),
        (["quotes", "--limit", "0"], "error: limit must be between 1 and 500"),
        (["timeline"], "error: a timeline needs a speaker or a topic"),
    ],
    ids=[
        "empty-question",
        "since-not-a-date",
        "not-utf8",
        "unsupported-type",
        "no-such-path",
        "quotes-limit",
        "timeline-of-nothing",
    ],
)
def test_bad_input_exits_2_with_a_message(
    tmp_path: Path, args: list[str | MakeInput], message: str
) -> None:
    argv = [arg if isinstance(arg, str) else arg(tmp_path) for arg in args]

    done = Home(tmp_path).rag(*argv)

    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""
